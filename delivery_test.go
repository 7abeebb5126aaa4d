package tend_test

import (
	"testing"

	"github.com/tendhq/tend"
)

func TestThreadingChoose(t *testing.T) {
	byID := &tend.ThreadCandidate{TicketID: 1}
	byAddress := &tend.ThreadCandidate{TicketID: 2}
	byNumber := &tend.ThreadCandidate{TicketID: 3}
	for _, c := range []struct {
		name    string
		th      tend.Threading
		want    *tend.ThreadCandidate
		wantHow string
	}{
		{"nothing points anywhere", tend.Threading{}, nil, ""},
		{"headers win over everything", tend.Threading{byID, byAddress, byNumber}, byID, "Message-ID"},
		{"the reply address wins over the subject", tend.Threading{nil, byAddress, byNumber}, byAddress, "reply address"},
		{"the number in the subject, last", tend.Threading{nil, nil, byNumber}, byNumber, "ticket number in the subject"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, how := c.th.Choose()
			if got != c.want || how != c.wantHow {
				t.Errorf("Choose() = %v, %q; want %v, %q", got, how, c.want, c.wantHow)
			}
		})
	}
}

func TestDecideMail(t *testing.T) {
	seen := int64(7)
	open := &tend.ThreadCandidate{TicketID: 10, Number: 1010, Status: tend.StatusOpen}
	solved := &tend.ThreadCandidate{TicketID: 11, Number: 1011, Status: tend.StatusSolved}
	closed := &tend.ThreadCandidate{TicketID: 12, Number: 1012, Status: tend.StatusClosed}
	human := tend.MailFacts{Kind: tend.MailHuman, AckLimit: 3}
	with := func(f tend.MailFacts, change func(*tend.MailFacts)) tend.MailFacts {
		change(&f)
		return f
	}
	for _, c := range []struct {
		name        string
		facts       tend.MailFacts
		outcome     tend.InboundOutcome
		ticket      int64 // 0: none
		followUp    bool
		acknowledge bool
		detail      string
	}{
		{"unreadable mail is kept for an admin, whatever else holds",
			with(human, func(f *tend.MailFacts) { f.Problem = "too large"; f.SeenBefore = &seen; f.Thread.ByMessageID = open }),
			tend.OutcomeFailed, 0, false, false, "too large"},
		{"the same Message-ID again is a duplicate, before its kind counts",
			with(human, func(f *tend.MailFacts) { f.SeenBefore = &seen; f.Kind = tend.MailBounce }),
			tend.OutcomeDuplicate, 7, false, false, "this Message-ID arrived before"},
		{"a bounce reports on its ticket",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550 no such user", BounceOf: &seen},
			tend.OutcomeBounce, 7, false, false, "550 no such user"},
		{"a bounce about nothing known is still a bounce",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550"},
			tend.OutcomeBounce, 0, false, false, "550"},
		{"an automatic reply to a ticket is recorded there",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "out of office", Thread: tend.Threading{ByMessageID: open}},
			tend.OutcomeAutoReply, 10, false, false, "out of office; threaded by Message-ID"},
		{"an automatic reply about nothing is ignored",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "out of office"},
			tend.OutcomeIgnored, 0, false, false, "out of office; about no known ticket"},
		{"an automatic reply to a closed ticket opens nothing",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "vacation", Thread: tend.Threading{ByReplyAddress: closed}},
			tend.OutcomeAutoReply, 12, false, false, "vacation; threaded by reply address"},
		{"mail from the desk's own address is ignored, not answered",
			with(human, func(f *tend.MailFacts) { f.FromOwnAddress = true; f.Thread.ByMessageID = open }),
			tend.OutcomeIgnored, 0, false, false, "sent from one of this desk's own addresses; answering it would write to the desk itself"},
		{"a bounce from the desk's own address is still a bounce",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550", FromOwnAddress: true},
			tend.OutcomeBounce, 0, false, false, "550"},
		{"bulk mail is ignored, even when it threads",
			tend.MailFacts{Kind: tend.MailBulk, KindReason: "Precedence: bulk", Thread: tend.Threading{ByMessageID: open}},
			tend.OutcomeIgnored, 0, false, false, "Precedence: bulk"},
		{"a person's answer joins its open ticket, unacknowledged",
			with(human, func(f *tend.MailFacts) { f.Thread.ByReplyAddress = open }),
			tend.OutcomeAdded, 10, false, false, "threaded by reply address"},
		{"an answer to a solved ticket joins it (and reopens it)",
			with(human, func(f *tend.MailFacts) { f.Thread.BySubjectNumber = solved }),
			tend.OutcomeAdded, 11, false, false, "threaded by ticket number in the subject"},
		{"an answer to a closed ticket opens a follow-up, acknowledged",
			with(human, func(f *tend.MailFacts) { f.Thread.ByMessageID = closed }),
			tend.OutcomeCreated, 0, true, true, "answers closed ticket #1012 (Message-ID); opened #2000"},
		{"new mail opens an acknowledged ticket",
			human, tend.OutcomeCreated, 0, false, true, ""},
		{"imported mail is not acknowledged",
			with(human, func(f *tend.MailFacts) { f.Imported = true }), tend.OutcomeCreated, 0, false, false, ""},
		{"an address that bounces is not acknowledged",
			with(human, func(f *tend.MailFacts) { f.SenderBouncing = true; f.AcksSent = 5 }), tend.OutcomeCreated, 0, false, false, ""},
		{"a sender who had their share of acknowledgements gets none",
			with(human, func(f *tend.MailFacts) { f.AcksSent = 3 }), tend.OutcomeCreated, 0, false, false,
			"no acknowledgement: this address had its share this hour"},
		{"with acknowledgements off, none, and no word of a share",
			with(human, func(f *tend.MailFacts) { f.AckLimit = 0 }), tend.OutcomeCreated, 0, false, false, ""},
		{"one below the share is still acknowledged",
			with(human, func(f *tend.MailFacts) { f.AcksSent = 2 }), tend.OutcomeCreated, 0, false, true, ""},
		{"a follow-up past the share says both",
			with(human, func(f *tend.MailFacts) { f.AcksSent = 3; f.Thread.ByMessageID = closed }), tend.OutcomeCreated, 0, true, false,
			"answers closed ticket #1012 (Message-ID); opened #2000; no acknowledgement: this address had its share this hour"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := tend.DecideMail(c.facts)
			var ticket int64
			if d.Ticket != nil {
				ticket = *d.Ticket
			}
			if d.Outcome != c.outcome || ticket != c.ticket || (d.FollowUpOf != nil) != c.followUp || d.Acknowledge != c.acknowledge {
				t.Errorf("DecideMail = %s ticket %d follow-up %v ack %v; want %s ticket %d follow-up %v ack %v",
					d.Outcome, ticket, d.FollowUpOf != nil, d.Acknowledge, c.outcome, c.ticket, c.followUp, c.acknowledge)
			}
			if got := d.Describe(2000); got != c.detail {
				t.Errorf("detail = %q, want %q", got, c.detail)
			}
		})
	}
}
