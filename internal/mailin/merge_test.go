package mailin_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A duplicate merged into another ticket leaves nothing behind: its
// messages and people are on the ticket kept, the customer hears nothing
// of the merge and is mailed once for each later reply, and mail that
// answers the duplicate joins the ticket kept.
func TestMergedTicketsShareTheirMail(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		first := d.receive(mail("Mia Lind <mia@customer.example>", "Card never arrived", "My card has not arrived.", "Message-ID: <m1@customer.example>"))
		second := d.receive(mail("Mia Lind <mia@customer.example>", "Where is my card", "Still no card!", "Message-ID: <m2@customer.example>",
			"Cc: Theo Lind <theo@customer.example>"))
		third := d.receive(mail("Bo Berg <bo@other.example>", "Card for Mia", "Mia's card, please.", "Message-ID: <m3@other.example>"))
		keep, dup, other := d.ticket(first.TicketID), d.ticket(second.TicketID), d.ticket(third.TicketID)
		mailed := len(d.outboundFor(keep.ID)) + len(d.outboundFor(dup.ID)) + len(d.outboundFor(other.ID))

		agent := d.asAgent()
		kept, err := d.tickets.MergeTicket(agent, dup.ID, keep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.tickets.MergeTicket(agent, other.ID, keep.ID); err != nil {
			t.Fatal(err)
		}
		kept = d.ticket(&keep.ID)
		if len(kept.Messages) != 3 {
			t.Fatalf("the kept ticket has %d messages, want all 3", len(kept.Messages))
		}
		var people []string
		for _, p := range kept.Participants {
			people = append(people, p.Email)
		}
		if !slices.Equal(people, []string{"bo@other.example", "theo@customer.example"}) {
			t.Errorf("participants of the kept ticket = %v, want the duplicate's copy and the other customer", people)
		}
		gone := d.ticket(&dup.ID)
		if gone.Status != tend.StatusClosed || gone.MergedIntoID == nil || *gone.MergedIntoID != keep.ID || len(gone.Messages) != 0 {
			t.Errorf("duplicate = %s, merged into %v, %d messages", gone.Status, gone.MergedIntoID, len(gone.Messages))
		}
		if got := d.events(dup.ID); !slices.Equal(got[len(got)-3:], []string{"merged", "status_changed", "status_changed"}) {
			t.Errorf("duplicate's history ends %v", got)
		}
		events, _, _ := d.tickets.FindTicketEvents(system, dup.ID, "", 50)
		if last := events[len(events)-1]; last.ActorType != tend.AuthorSystem {
			t.Errorf("the duplicate was closed by %s, want Tend itself", last.ActorType)
		}
		if got := len(d.outboundFor(keep.ID)) + len(d.outboundFor(dup.ID)) + len(d.outboundFor(other.ID)); got != mailed {
			t.Errorf("the merge mailed %d more", got-mailed)
		}

		// Mail answering the duplicate, by Message-ID or by its number,
		// joins the ticket kept.
		rec := d.receive(mail("Mia Lind <mia@customer.example>", "Re: Where is my card", "Any news?", "Message-ID: <m4@customer.example>",
			"In-Reply-To: <m2@customer.example>"))
		if rec.TicketID == nil || *rec.TicketID != keep.ID {
			t.Errorf("a reply to the duplicate's mail went to ticket %v (%s), want %d", rec.TicketID, rec.Outcome, keep.ID)
		}
		rec = d.receive(mail("Mia Lind <mia@customer.example>", fmt.Sprintf("Re: [#%d] Where is my card", dup.Number), "Hello?",
			"Message-ID: <m5@customer.example>"))
		if rec.TicketID == nil || *rec.TicketID != keep.ID {
			t.Errorf("mail naming the duplicate's number went to ticket %v (%s), want %d", rec.TicketID, rec.Outcome, keep.ID)
		}

		// One reply on the kept ticket is one mail, to the customer, with
		// the others copied.
		before := len(d.outboundFor(keep.ID))
		if _, err := d.tickets.AddMessage(agent, keep.ID, &tend.MessageCreate{Body: "It is on its way."}); err != nil {
			t.Fatal(err)
		}
		out := d.outboundFor(keep.ID)
		if len(out) != before+1 {
			t.Fatalf("one reply queued %d mails", len(out)-before)
		}
		reply := out[len(out)-1]
		var cc []string
		for _, a := range reply.Cc {
			cc = append(cc, a.Email)
		}
		if reply.To.Email != "mia@customer.example" || !slices.Equal(cc, []string{"bo@other.example", "theo@customer.example"}) {
			t.Errorf("reply to %s, cc %v", reply.To.Email, cc)
		}

		_, err = d.tickets.MergeTicket(agent, keep.ID, dup.ID)
		wantMailCode(t, err, tend.ECONFLICT)
		_, err = d.tickets.MergeTicket(agent, keep.ID, keep.ID)
		wantMailCode(t, err, tend.EINVALID)
		_, err = d.tickets.MergeTicket(agent, keep.ID, 99999)
		wantMailCode(t, err, tend.ENOTFOUND)
	})
}

func wantMailCode(t *testing.T, err error, code string) {
	t.Helper()
	if tend.ErrorCode(err) != code {
		t.Errorf("error %v, want %s", err, code)
	}
}
