package tend_test

import (
	"fmt"
	"testing"

	"github.com/tendhq/tend"
)

func TestThreadingChoose(t *testing.T) {
	byID := &tend.ThreadCandidate{TicketID: 1}
	byAddress := &tend.ThreadCandidate{TicketID: 2}
	byNumber := &tend.ThreadCandidate{TicketID: 3}
	bySame := &tend.ThreadCandidate{TicketID: 4}
	for _, c := range []struct {
		name    string
		th      tend.Threading
		want    *tend.ThreadCandidate
		wantHow string
	}{
		{"nothing points anywhere", tend.Threading{}, nil, ""},
		{"the sender's own earlier mail wins", tend.Threading{bySame, byID, byAddress, byNumber}, bySame,
			"same Message-ID as an earlier mail"},
		{"headers win over the rest", tend.Threading{nil, byID, byAddress, byNumber}, byID, "Message-ID"},
		{"the reply address wins over the subject", tend.Threading{nil, nil, byAddress, byNumber}, byAddress, "reply address"},
		{"the number in the subject, last", tend.Threading{nil, nil, nil, byNumber}, byNumber, "ticket number in the subject"},
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
	sameMail := &tend.EarlierMail{TicketID: 7, SameSender: true, SameContent: true}
	bounced := &tend.BouncedMail{TicketID: 7, OutboundID: 70}
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
			with(human, func(f *tend.MailFacts) { f.Problem = "too large"; f.Earlier = sameMail; f.Thread.ByMessageID = open }),
			tend.OutcomeFailed, 0, false, false, "too large"},
		{"the same mail again is a duplicate, before its kind counts",
			with(human, func(f *tend.MailFacts) { f.Earlier = sameMail; f.Kind = tend.MailBounce }),
			tend.OutcomeDuplicate, 7, false, false, "the same mail arrived before"},
		{"the same Message-ID from the same sender with other words joins the first's ticket",
			with(human, func(f *tend.MailFacts) {
				f.Earlier = &tend.EarlierMail{TicketID: 10, SameSender: true}
				f.Thread.BySameMessageID = open
				f.Thread.ByMessageID = solved
			}),
			tend.OutcomeAdded, 10, false, false, "threaded by same Message-ID as an earlier mail"},
		{"the same Message-ID from someone else is a new mail, not a duplicate",
			with(human, func(f *tend.MailFacts) { f.Earlier = &tend.EarlierMail{TicketID: 10, SameContent: true} }),
			tend.OutcomeCreated, 0, false, true, ""},
		{"a bounce about mail the desk sent reports on its ticket",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550 no such user", BounceOf: bounced},
			tend.OutcomeBounce, 7, false, false, "550 no such user"},
		{"a bounce about nothing the desk sent is recorded and changes nothing",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550"},
			tend.OutcomeBounce, 0, false, false, "550; not about mail this desk sent, so nothing changed"},
		{"an automatic reply to a ticket is recorded there",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "out of office", Thread: tend.Threading{ByMessageID: open}},
			tend.OutcomeAutoReply, 10, false, false, "out of office; threaded by Message-ID"},
		{"an automatic reply about nothing is ignored",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "out of office"},
			tend.OutcomeIgnored, 0, false, false, "out of office; about no known ticket"},
		{"an automatic reply to a closed ticket opens nothing",
			tend.MailFacts{Kind: tend.MailAutoReply, KindReason: "vacation", Thread: tend.Threading{ByReplyAddress: closed}},
			tend.OutcomeAutoReply, 12, false, false, "vacation; threaded by reply address"},
		{"mail from the desk's own address is refused over SMTP",
			with(human, func(f *tend.MailFacts) { f.FromOwnAddress = true; f.OverSMTP = true; f.Thread.ByMessageID = open }),
			tend.OutcomeRefused, 0, false, false, "sent from one of this desk's own addresses; answering it would write to the desk itself"},
		{"mail from the desk's own address fetched over IMAP is ignored, not answered",
			with(human, func(f *tend.MailFacts) { f.FromOwnAddress = true; f.Thread.ByMessageID = open }),
			tend.OutcomeIgnored, 0, false, false, "sent from one of this desk's own addresses; answering it would write to the desk itself"},
		{"a bounce from the desk's own address is still a bounce",
			tend.MailFacts{Kind: tend.MailBounce, KindReason: "550", FromOwnAddress: true, OverSMTP: true, BounceOf: bounced},
			tend.OutcomeBounce, 7, false, false, "550"},
		{"a blocked sender's mail is ignored with the reason, even when it threads",
			with(human, func(f *tend.MailFacts) {
				f.Blocked = "the sender x@spam.example is blocked"
				f.Thread.ByMessageID = open
			}),
			tend.OutcomeIgnored, 0, false, false, "the sender x@spam.example is blocked"},
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
		{"past the desk's share for the hour, none",
			with(human, func(f *tend.MailFacts) { f.AllAckLimit = 100; f.AllAcksSent = 100 }), tend.OutcomeCreated, 0, false, false,
			"no acknowledgement: the desk sent its 100 this hour"},
		{"below the desk's share, acknowledged",
			with(human, func(f *tend.MailFacts) { f.AllAckLimit = 100; f.AllAcksSent = 99 }), tend.OutcomeCreated, 0, false, true, ""},
		{"spam flagged upstream opens a ticket, unacknowledged",
			with(human, func(f *tend.MailFacts) { f.SpamFlagged = true }), tend.OutcomeCreated, 0, false, false,
			"marked spam by the upstream filter; not acknowledged"},
		{"a sender without an address to write to is not acknowledged",
			with(human, func(f *tend.MailFacts) { f.NoReplyAddress = true; f.AckLimit = 0 }), tend.OutcomeCreated, 0, false, false,
			"no address to reply to; not acknowledged"},
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

func TestDecideMailTrust(t *testing.T) {
	open := func() *tend.ThreadCandidate { return &tend.ThreadCandidate{TicketID: 10, Status: tend.StatusOpen} }
	closed := &tend.ThreadCandidate{TicketID: 12, Status: tend.StatusClosed}
	for _, c := range []struct {
		name         string
		facts        tend.MailFacts
		participants bool
		quote, spam  bool
	}{
		{"a new ticket's copies become participants", tend.MailFacts{}, true, true, false},
		{"the customer's answer by Message-ID adds its copies",
			tend.MailFacts{SenderKnown: true, Thread: tend.Threading{ByMessageID: open()}}, true, false, false},
		{"a participant's answer by reply address adds its copies",
			tend.MailFacts{SenderKnown: true, Thread: tend.Threading{ByReplyAddress: open()}}, true, false, false},
		{"a stranger's answer by Message-ID joins, but only suggests its copies",
			tend.MailFacts{Thread: tend.Threading{ByMessageID: open()}}, false, false, false},
		{"a stranger's mail to the reply address likewise",
			tend.MailFacts{Thread: tend.Threading{ByReplyAddress: open()}}, false, false, false},
		{"by the number in the subject alone, copies are only suggested, even from the customer",
			tend.MailFacts{SenderKnown: true, Thread: tend.Threading{BySubjectNumber: open()}}, false, false, false},
		{"the number in the subject and a Message-ID of ours, from the customer: trusted",
			tend.MailFacts{SenderKnown: true, Thread: tend.Threading{ByMessageID: open(), BySubjectNumber: open()}}, true, false, false},
		{"the customer's address failing DMARC brings no one, whatever it threads by",
			tend.MailFacts{SenderKnown: true, Auth: tend.AuthFailure{DMARC: true}, Thread: tend.Threading{ByMessageID: open()}}, false, false, false},
		{"a follow-up by the number in the subject suggests too",
			tend.MailFacts{SenderKnown: true, Thread: tend.Threading{BySubjectNumber: closed}}, false, true, false},
		{"a sender failing SPF gets no quoted subject", tend.MailFacts{Auth: tend.AuthFailure{SPF: true}}, true, false, false},
		{"failing DMARC, the number in the subject threads nothing, and the new ticket takes no copies",
			tend.MailFacts{SenderKnown: true, Auth: tend.AuthFailure{DMARC: true}, Thread: tend.Threading{BySubjectNumber: open()}}, false, false, false},
		{"spam goes to the Spam view", tend.MailFacts{SpamFlagged: true}, true, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := c.facts
			f.Kind, f.AckLimit = tend.MailHuman, 3
			d := tend.DecideMail(f)
			if d.Participants != c.participants || (d.Outcome == tend.OutcomeCreated && d.QuoteSubject != c.quote) || d.Spam != c.spam {
				t.Errorf("DecideMail = %s participants %v quote %v spam %v; want participants %v quote %v spam %v",
					d.Outcome, d.Participants, d.QuoteSubject, d.Spam, c.participants, c.quote, c.spam)
			}
		})
	}
}

func TestPlanParticipants(t *testing.T) {
	addresses := func(n int) []tend.MailAddress {
		out := make([]tend.MailAddress, n)
		for i := range out {
			out[i].Email = fmt.Sprintf("p%d@example.com", i)
		}
		return out
	}
	for _, c := range []struct {
		name                 string
		copied, existing     int
		trusted              bool
		wantAdd, wantSuggest int
	}{
		{"a few copies all join", 3, 0, true, 3, 0},
		{"nothing copied", 0, 5, true, 0, 0},
		{"ten from one mail at most", 5000, 0, true, 10, 4990},
		{"exactly ten", 10, 0, true, 10, 0},
		{"the ticket's cap of 25 counts what it has", 10, 20, true, 5, 5},
		{"a full ticket takes none", 3, 25, true, 0, 3},
		{"over the cap already (set by an agent), none", 3, 30, true, 0, 3},
		{"untrusted mail only suggests", 3, 0, false, 0, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			copied := addresses(c.copied)
			add, suggest := tend.PlanParticipants(copied, c.existing, c.trusted)
			if len(add) != c.wantAdd || len(suggest) != c.wantSuggest {
				t.Fatalf("PlanParticipants = %d added, %d suggested; want %d, %d", len(add), len(suggest), c.wantAdd, c.wantSuggest)
			}
			if len(add) > 0 && add[0] != copied[0] || len(suggest) > 0 && suggest[len(suggest)-1] != copied[len(copied)-1] {
				t.Error("the order of the mail is not kept")
			}
		})
	}
}
