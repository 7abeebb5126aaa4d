package outbound

import (
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
)

func TestThreadHeaders(t *testing.T) {
	in := func(id string) tend.ThreadID { return tend.ThreadID{MessageID: id, Inbound: true} }
	out := func(id string) tend.ThreadID { return tend.ThreadID{MessageID: id} }
	for _, c := range []struct {
		name      string
		thread    []tend.ThreadID // newest first
		inReplyTo string
		refs      []string
	}{
		{"no mail yet", nil, "", nil},
		{"answers the customer's latest mail", []tend.ThreadID{in("c2"), out("t1"), in("c1")}, "c2", []string{"c1", "t1", "c2"}},
		{"our own later mail does not count as answered", []tend.ThreadID{out("t2"), in("c1")}, "c1", []string{"c1", "t2"}},
		{"only our mail: no In-Reply-To", []tend.ThreadID{out("t1")}, "", []string{"t1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			irt, refs := threadHeaders(c.thread)
			if irt != c.inReplyTo || !slices.Equal(refs, c.refs) {
				t.Errorf("threadHeaders = %q, %v; want %q, %v", irt, refs, c.inReplyTo, c.refs)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	ack := &tend.OutboundMail{Kind: "acknowledgement", FromName: "Acme Support", TicketNumber: 42, TicketSubject: "Invoice missing",
		Thread: []tend.ThreadID{{MessageID: "c1", Inbound: true}}}
	Write(ack)
	if !ack.AutoSubmitted || ack.Subject != "[#42] Invoice missing" || !strings.Contains(ack.Text, `“Invoice missing” as ticket #42, and Acme Support`) ||
		ack.InReplyTo != "c1" || ack.FromName != "Acme Support" {
		t.Errorf("acknowledgement = %+v", ack)
	}
	// The subject as written, not in Go's quoting.
	quoted := &tend.OutboundMail{Kind: "acknowledgement", TicketNumber: 7, TicketSubject: `Printer says "paper jam" \ help`}
	if Write(quoted); !strings.Contains(quoted.Text, `“Printer says "paper jam" \ help” as ticket #7`) {
		t.Errorf("acknowledgement text = %q", quoted.Text)
	}
	// Without a subject to quote (a sender who may be forged), none.
	plain := &tend.OutboundMail{Kind: "acknowledgement", TicketNumber: 8}
	if Write(plain); plain.Subject != "[#8] Your request" || strings.Contains(plain.Text, "“") {
		t.Errorf("acknowledgement without the subject = %q, %q", plain.Subject, plain.Text)
	}
	unnamed := &tend.OutboundMail{TicketNumber: 1, TicketSubject: "x"}
	if Write(unnamed); !strings.Contains(unnamed.Text, "our team will answer") {
		t.Errorf("a mailbox without a name: %q", unnamed.Text)
	}
	// The ticket's first mail, to a customer who has not written: no "Re:".
	first := &tend.OutboundMail{Kind: "reply", TicketNumber: 43, TicketSubject: "Your order",
		Reply: &tend.Message{Body: "Your order shipped.", AuthorType: tend.AuthorAgent, AuthorName: "Ana Ortiz"}}
	if Write(first); first.Subject != "Your order [#43]" {
		t.Errorf("a first mail's subject = %q", first.Subject)
	}
	reply := &tend.OutboundMail{Kind: "reply", FromName: "Acme Support", TicketNumber: 42, TicketSubject: "Invoice missing",
		Thread: []tend.ThreadID{{MessageID: "c1", Inbound: true}},
		Reply: &tend.Message{Body: "Here it is.", BodyHTML: "<p>Here it is.</p>", AuthorType: tend.AuthorAgent, AuthorName: "Ana Ortiz",
			Attachments: []*tend.Attachment{{Name: "invoice.pdf"}}}}
	Write(reply)
	if reply.AutoSubmitted || reply.Subject != "Re: Invoice missing [#42]" || reply.Text != "Here it is." || reply.HTML != "<p>Here it is.</p>" ||
		reply.FromName != "Ana Ortiz" || len(reply.Attachments) != 1 {
		t.Errorf("reply = %+v", reply)
	}
}

// A mailbox's own acknowledgement and signature, with their placeholders
// filled; markup in a customer's name stays text in the HTML part, and a
// withheld subject stays withheld.
func TestWriteMailboxTexts(t *testing.T) {
	values := tend.PlaceholderValues{CustomerName: "Mia <b>Wong</b>", TicketNumber: 42, TicketSubject: "Invoice missing", AgentName: "Ana Ortiz"}
	ack := &tend.OutboundMail{Kind: "acknowledgement", TicketNumber: 42, TicketSubject: "Invoice missing", Values: values,
		Acknowledgement: "Dear {{customer.first_name}}, we have #{{ticket.number}} ({{ticket.subject}})."}
	if Write(ack); ack.Text != "Dear Mia, we have #42 (Invoice missing).\n" || !ack.AutoSubmitted {
		t.Errorf("acknowledgement = %q", ack.Text)
	}
	forged := &tend.OutboundMail{Kind: "acknowledgement", TicketNumber: 42, Values: values, Acknowledgement: "About: {{ticket.subject}}."}
	if Write(forged); forged.Text != "About: .\n" {
		t.Errorf("acknowledgement without the subject = %q", forged.Text)
	}
	reply := &tend.OutboundMail{Kind: "reply", TicketNumber: 42, Values: values, Signature: "{{agent.name}} for {{customer.name}}\nAcme",
		Reply: &tend.Message{Body: "Here it is.", BodyHTML: "<p>Here it is.</p>", AuthorType: tend.AuthorAgent, AuthorName: "Ana Ortiz"}}
	Write(reply)
	if reply.Text != "Here it is.\n\n-- \nAna Ortiz for Mia <b>Wong</b>\nAcme" ||
		reply.HTML != "<p>Here it is.</p><p>-- <br>Ana Ortiz for Mia &lt;b&gt;Wong&lt;/b&gt;<br>Acme</p>" {
		t.Errorf("reply with signature = %q / %q", reply.Text, reply.HTML)
	}
}
