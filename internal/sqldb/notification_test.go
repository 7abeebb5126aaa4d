package sqldb_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Changes tell the agents they concern, in the change's own transaction:
// an assignment its new owner, an @mention in a note the one named, a
// customer's reply the owner and the followers; and each agent reads and
// marks only their own.
func TestNotifications(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		notes := sqldb.NewNotificationService(db)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		cy := e.mustAgent(t, "cy", tend.RoleAgent)
		tk := e.mustTicket(t, system, "Printer on fire", "dana@example.com", "Help!")

		texts := func(a *tend.Agent) []string {
			t.Helper()
			list, _, _, err := notes.FindNotifications(as(a), tend.NotificationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range list {
				out = append(out, n.Text)
			}
			return out
		}
		number := "#" + strconv.FormatInt(tk.Number, 10)

		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{OwnerID: &bo.ID}); err != nil {
			t.Fatal(err)
		}
		if err := notes.Follow(as(cy), tk.ID); err != nil {
			t.Fatal(err)
		}
		if err := notes.Follow(as(cy), tk.ID); err != nil {
			t.Fatalf("following twice: %v", err)
		}
		if _, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "@bo the toner, maybe? cc @cy"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Body: "It is still burning."}); err != nil {
			t.Fatal(err)
		}
		// Bo's own change tells Bo nothing, and Cy, who follows, of it.
		if _, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Priority: ptr(tend.PriorityUrgent)}); err != nil {
			t.Fatal(err)
		}

		wantTexts := map[*tend.Agent][]string{
			bo:  {"dana@example.com replied on " + number, "ann mentioned you on " + number, "ann assigned " + number + " to you"},
			cy:  {"bo changed " + number, "dana@example.com replied on " + number, "ann mentioned you on " + number},
			ann: nil,
		}
		for a, want := range wantTexts {
			if got := texts(a); !slices.Equal(got, want) {
				t.Errorf("%s is told %q, want %q", a.Name, got, want)
			}
		}
		if n, err := notes.CountUnread(as(bo)); err != nil || n != 3 {
			t.Errorf("bo's unread = %d, %v", n, err)
		}

		// Marking: one's own only, then all.
		list, _, _, _ := notes.FindNotifications(as(bo), tend.NotificationFilter{})
		if n, err := notes.MarkRead(as(cy), &tend.NotificationRead{IDs: []int64{list[0].ID}}); err != nil || n != 0 {
			t.Errorf("cy marks bo's: %d, %v", n, err)
		}
		if n, err := notes.MarkRead(as(bo), &tend.NotificationRead{IDs: []int64{list[0].ID}}); err != nil || n != 1 {
			t.Errorf("bo marks one: %d, %v", n, err)
		}
		if unread, _, _, _ := notes.FindNotifications(as(bo), tend.NotificationFilter{Unread: true}); len(unread) != 2 {
			t.Errorf("bo has %d unread after marking one", len(unread))
		}
		if _, err := notes.MarkRead(as(bo), &tend.NotificationRead{}); tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("marking nothing: %v", err)
		}
		if n, err := notes.MarkRead(as(bo), &tend.NotificationRead{All: true}); err != nil || n != 2 {
			t.Errorf("bo marks all: %d, %v", n, err)
		}
		if n, _ := notes.CountUnread(as(bo)); n != 0 {
			t.Errorf("after marking all, %d unread", n)
		}

		// Unfollowed, Cy hears no more.
		if err := notes.Unfollow(as(cy), tk.ID); err != nil {
			t.Fatal(err)
		}
		if following, _ := notes.Following(as(cy), tk.ID); following {
			t.Error("still following after unfollowing")
		}
		if _, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Priority: ptr(tend.PriorityHigh)}); err != nil {
			t.Fatal(err)
		}
		if got := texts(cy); len(got) != 3 {
			t.Errorf("after unfollowing, cy has %d notifications, want 3", len(got))
		}
		// A customer or a token for nobody has no notifications; an
		// unknown ticket cannot be followed.
		if _, _, _, err := notes.FindNotifications(asCustomer(tk.CustomerID), tend.NotificationFilter{}); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Errorf("a customer's notifications: %v", err)
		}
		if err := notes.Follow(as(cy), 99999); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("following ticket 99999: %v", err)
		}

		// Mail choices keep the known kinds only.
		if err := notes.SetNotifyByEmail(as(bo), []tend.NotificationKind{tend.NotifyChanged, tend.NotifyAssigned}); err != nil {
			t.Fatal(err)
		}
		if kinds, _ := notes.NotifyByEmail(as(bo)); len(kinds) != 2 || kinds[0] != tend.NotifyAssigned {
			t.Errorf("bo's mailed kinds = %v", kinds)
		}
		if err := notes.SetNotifyByEmail(as(bo), []tend.NotificationKind{"everything"}); tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("an unknown kind: %v", err)
		}
	})
}

// An agent who chose mail for a kind gets one queued with the
// notification, in the same change; others get none.
func TestNotificationMail(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		queue := &jobCounter{}
		db.Jobs = queue
		notes := sqldb.NewNotificationService(db)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		if _, err := sqldb.NewMailboxService(db, nil).CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme Help"}); err != nil {
			t.Fatal(err)
		}
		if err := notes.SetNotifyByEmail(as(bo), []tend.NotificationKind{tend.NotifyAssigned}); err != nil {
			t.Fatal(err)
		}
		tk := e.mustTicket(t, system, "Printer on fire", "dana@example.com", "Help!")
		mails := func() []tend.NotificationMail {
			var out []tend.NotificationMail
			for _, j := range queue.jobs {
				if m, ok := j.(tend.NotificationMail); ok {
					out = append(out, m)
				}
			}
			return out
		}
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{OwnerID: &bo.ID}); err != nil {
			t.Fatal(err)
		}
		// A change Bo hears of but did not choose mail for.
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Priority: ptr(tend.PriorityHigh)}); err != nil {
			t.Fatal(err)
		}
		queued := mails()
		if len(queued) != 1 {
			t.Fatalf("queued %d notification mails, want 1 (the assignment)", len(queued))
		}
		o, err := notes.FindNotificationMail(system, queued[0].NotificationID)
		if err != nil {
			t.Fatal(err)
		}
		number := strconv.FormatInt(tk.Number, 10)
		if o.To.Email != "bo@staff.example" || o.FromAddress != "help@acme.example" || o.Subject != "ann assigned #"+number+" to you: Printer on fire" ||
			!strings.Contains(o.Text, "/tickets/"+number) || !o.AutoSubmitted {
			t.Errorf("the mail = %+v", o)
		}
		// Deactivated since, Bo is mailed nothing.
		if _, err := e.agents.UpdateAgent(system, bo.ID, &tend.AgentUpdate{Active: ptr(false), SuccessorID: &ann.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := notes.FindNotificationMail(system, queued[0].NotificationID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("a deactivated agent's mail: %v", err)
		}
	})
}

// Deactivating an agent tells the successor in the app of each ticket
// handed over, mailing none of them, and tells the agent deactivated
// nothing.
func TestHandOverNotifications(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		queue := &jobCounter{}
		db.Jobs = queue
		notes := sqldb.NewNotificationService(db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		leaver := e.mustAgent(t, "bo", tend.RoleAgent)
		heir := e.mustAgent(t, "cy", tend.RoleAgent)
		if _, err := sqldb.NewMailboxService(db, nil).CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*tend.Agent{leaver, heir} {
			if err := notes.SetNotifyByEmail(as(a), tend.NotificationKinds); err != nil {
				t.Fatal(err)
			}
		}
		for _, subject := range []string{"Printer", "Invoice", "Login"} {
			tk := e.mustTicket(t, system, subject, "zoe@example.org", "Hello")
			if _, err := e.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &leaver.ID}); err != nil {
				t.Fatal(err)
			}
		}
		unread := func(a *tend.Agent) int {
			t.Helper()
			n, err := notes.CountUnread(as(a))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		leaverBefore := unread(leaver)
		jobsBefore := queue.count()
		if _, err := e.agents.DeactivateAgent(as(admin), leaver.ID, heir.ID); err != nil {
			t.Fatal(err)
		}
		if n := unread(heir); n != 3 {
			t.Errorf("the successor has %d unread notifications, want 3 (one a ticket)", n)
		}
		if n := unread(leaver); n != leaverBefore {
			t.Errorf("the agent deactivated was told %d times of the hand-over", n-leaverBefore)
		}
		if n := queue.count() - jobsBefore; n != 0 {
			t.Errorf("the hand-over queued %d mails, want none", n)
		}
	})
}
