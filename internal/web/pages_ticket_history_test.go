package web

import (
	"testing"
	"time"

	"github.com/tendhq/tend"
)

// Every kind of history entry reads as a sentence, naming people and
// teams, never "from none to none".
func TestDescribeEveryKind(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	st := &staff{agent: map[int64]*tend.Agent{3: {ID: 3, Name: "Ana Ortiz"}, 4: {ID: 4, Name: "Bo Lund"}},
		team: map[int64]*tend.Team{2: {ID: 2, Name: "Billing"}}}
	p := people{staff: st, customerID: 5, fields: map[int64]string{1: "Order number"}, policies: map[int64]string{2: "Gold"}, customers: map[int64]*tend.Customer{
		5: {ID: 5, Name: "Mia Lind"}, 6: {ID: 6, Emails: []string{"mia@work.example"}}, 7: {ID: 7, Name: "Eve Stranger"}}}
	cases := []struct {
		data tend.EventData
		want string
	}{
		{tend.TicketCreated{Number: 1000}, "opened the ticket"},
		{tend.TicketCreated{Number: 1000, Channel: tend.ChannelPhone, CustomerID: 5}, "opened the ticket for a phone call from Mia Lind"},
		{tend.TicketCreated{Number: 1000, Channel: tend.ChannelWalkIn, CustomerID: 7}, "opened the ticket for a walk-in visit from Eve Stranger"},
		{tend.TicketCreated{Number: 1000, Channel: tend.ChannelEmail, CustomerID: 6, MailboxID: id(1)}, "opened the ticket by mail to mia@work.example"},
		{tend.TicketCreated{Number: 1000, Channel: tend.ChannelAPI, CustomerID: 5}, "opened the ticket"},
		{tend.StatusChanged{From: tend.StatusPending, To: tend.StatusOnHold}, "changed the status from Pending to On hold"},
		{tend.PriorityChanged{From: tend.PriorityNormal, To: tend.PriorityUrgent}, "changed the priority from Normal to Urgent"},
		{tend.OwnerChanged{To: id(3)}, "gave it to Ana Ortiz"},
		{tend.OwnerChanged{From: id(3), To: id(4)}, "handed it from Ana Ortiz to Bo Lund"},
		{tend.OwnerChanged{From: id(3)}, "took Ana Ortiz off it"},
		{tend.OwnerChanged{From: id(9), To: id(3)}, "handed it from agent 9 to Ana Ortiz"},
		{tend.TeamChanged{To: id(2)}, "moved it to Billing"},
		{tend.TeamChanged{From: id(2)}, "moved it out of Billing"},
		{tend.TeamChanged{From: id(2), To: id(3)}, "moved it from Billing to team 3"},
		{tend.TeamChanged{}, "moved it out of its team"},
		{tend.OwnerChanged{}, "took its owner off it"},
		{tend.TagsChanged{Added: []string{"vip"}, Removed: []string{}}, "added the tag vip"},
		{tend.TagsChanged{Added: []string{"a", "b"}, Removed: []string{"c"}}, "added the tags a, b and removed the tag c"},
		{tend.TagsChanged{Removed: []string{"c", "d"}}, "removed the tags c, d"},
		{tend.SubjectChanged{From: "Printer", To: "Printer on fire"}, `changed the subject from "Printer" to "Printer on fire"`},
		{tend.CustomerMerged{FromID: 5, IntoID: 6}, "merged its customer, Mia Lind, into mia@work.example"},
		{tend.CustomerMerged{FromID: 8, IntoID: 6}, "merged its customer, customer 8, into mia@work.example"},
		{tend.MessageAdded{Kind: tend.KindReply}, "added a reply"},
		{tend.MessageAdded{Kind: tend.KindNote}, "added an internal note"},
		{tend.MessageAdded{Kind: tend.KindReply, Channel: tend.ChannelEmail}, "wrote a reply by email"},
		{tend.Reopened{ReopenCount: 1}, "reopened it"},
		{tend.Reopened{ReopenCount: 3}, "reopened it (3rd time)"},
		{tend.Bounced{Reason: "550 no such user"}, "noted that mail about this ticket bounced: 550 no such user"},
		{tend.Bounced{Permanent: true}, "noted that mail about this ticket bounced for good"},
		{tend.AutoReplied{Reason: "Auto-Submitted: auto-replied"}, "received an automatic reply, not answered: Auto-Submitted: auto-replied"},
		{tend.DeliveryFailed{Reason: "relay refused"}, "gave up sending a mail: relay refused"},
		{tend.ParticipantsAdded{Count: 1, MessageID: id(4)}, "added 1 person copied on the mail to the conversation"},
		{tend.ParticipantsAdded{Count: 2}, "copied 2 more people on this ticket"},
		{tend.ParticipantsAdded{Added: []string{"a@example.com", "b@example.com"}}, "added 2 people copied on the mail to the conversation"},
		{tend.ParticipantsSuggested{MessageID: 3, Count: 1, Kept: 1, Unverified: true}, "did not add 1 person copied on the mail to the conversation " +
			"(the mail joined by the ticket number in its subject, which anyone can type); an agent may add them"},
		{tend.ParticipantsSuggested{MessageID: 3, Count: 4990, Kept: 200}, "did not add 4990 people copied on the mail to the conversation " +
			"(over the limit of 10 from one mail and 25 in all); an agent may add them"},
		{tend.SpamMarked{Spam: true, SenderBlocked: true}, "marked this ticket spam and blocked its sender"},
		{tend.SpamMarked{Spam: true, ByFilter: true}, "put this ticket in Spam, as the upstream mail filter marked it"},
		{tend.SpamMarked{}, "marked this ticket not spam"},
		{tend.ParticipantRemoved{Count: 1}, "took 1 person out of the conversation"},
		{tend.FollowUpCreated{TicketID: 8, Number: 1008}, "opened #1008, since mail answered this closed ticket"},
		{tend.TicketMerged{IntoID: 9, IntoNumber: 1009, Messages: 1}, "merged this ticket into #1009, with its 1 message"},
		{tend.TicketMergedIn{FromID: 7, FromNumber: 1007, Messages: 3}, "merged #1007 into this ticket, with its 3 messages"},
		{tend.TicketLinked{TicketID: 7, Number: 1007}, "linked #1007 as a related ticket"},
		{tend.TicketUnlinked{TicketID: 7, Number: 1007}, "removed the link to #1007"},
		{tend.FieldChanged{FieldID: 1, Key: "order", To: "A-1"}, `set Order number to "A-1"`},
		{tend.FieldChanged{FieldID: 1, Key: "order", From: "A-1", To: "B-2"}, `changed Order number from "A-1" to "B-2"`},
		{tend.FieldChanged{FieldID: 9, Key: "plan", From: "Pro"}, `cleared plan (it was "Pro")`},
		{tend.SLAWarning{Target: tend.TargetFirstResponse, Cycle: 1, DueAt: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
			"warned that the first response target is at risk (due 10:00)"},
		{tend.SLABreached{Target: tend.TargetNextResponse, Cycle: 2, DueAt: time.Date(2026, 4, 30, 17, 30, 0, 0, time.UTC)},
			"recorded that the next response target was breached (it was due 30 Apr 17:30)"},
		{tend.SLARecomputed{PolicyID: 2, Reason: "the calendar changed"}, "laid out the deadlines again under policy Gold (the calendar changed)"},
		{tend.SLARecomputed{FromPolicyID: id(2), PolicyID: 9, Reason: "another policy applies"},
			"laid out the deadlines again under a policy deleted since, in place of policy Gold (another policy applies)"},
		{tend.SLARecomputed{FromPolicyID: id(8), FromPolicy: "Silver", PolicyID: 2, Policy: "Gold (old name)", Reason: "another policy applies"},
			"laid out the deadlines again under policy Gold, in place of policy Silver, deleted since (another policy applies)"},
		{tend.UnknownEvent{Kind: "sla_paused"}, "Sla paused"},
	}
	covered := map[tend.EventKind]bool{}
	for _, c := range cases {
		covered[c.data.EventKind()] = true
		at := time.Date(2026, 5, 1, 9, 45, 0, 0, time.UTC)
		if got := describeChange(&tend.Event{Data: c.data, ActorType: tend.AuthorAgent, ActorID: id(4), CreatedAt: at}, p); got != c.want {
			t.Errorf("%s %+v reads %q, want %q", c.data.EventKind(), c.data, got, c.want)
		}
	}
	for _, k := range tend.EventKinds {
		if !covered[k] {
			t.Errorf("no case for %s", k)
		}
	}
	// Taking a ticket reads as such, not "Ana Ortiz gave it to Ana Ortiz".
	took := &tend.Event{ActorType: tend.AuthorAgent, ActorID: id(3), Data: tend.OwnerChanged{To: id(3)}}
	if got := describeChange(took, p); got != "took it" {
		t.Errorf("taking a ticket reads %q", got)
	}
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		typ  tend.AuthorType
		id   *int64
		want string
	}{{tend.AuthorAgent, id(3), "Ana Ortiz"}, {tend.AuthorCustomer, id(5), "The customer"}, {tend.AuthorCustomer, id(7), "Eve Stranger"},
		{tend.AuthorSystem, nil, "Tend"}} {
		v := describeEvent(&tend.Event{Kind: tend.EventReopened, ActorType: c.typ, ActorID: c.id, Data: tend.Reopened{ReopenCount: 1}, CreatedAt: at}, p)
		if v.Actor != c.want || v.Text != "reopened it" || !v.At.Equal(at) {
			t.Errorf("event by %s = %+v, want actor %q", c.typ, v, c.want)
		}
	}
}
