package demo

import (
	"slices"
	"time"

	"github.com/tendhq/tend"
)

// scenario is one kind of request, written once and told many times with
// other people, numbers and endings. Texts, subjects included, may say
// {first} and {name} (the customer), {org} (only where only businesses
// ask), {agent} (the owner), {lead}, {order} and {serial}. Each ending
// reads on from the opening whichever of the others came before it.
type scenario struct {
	team     teamKey
	subjects []string
	priority tend.Priority
	tags     []string
	business bool     // only businesses ask this
	orgs     []string // only these organizations ask this, if set
	limit    int      // told at most this often, if set: some requests come once

	opening string // the customer's first message
	ask     string // the owner asks for what they need
	answer  string // the customer's answer to ask
	hold    string // the owner waits on someone else; "" if this never does
	note    string // internal note by the owner
	fix     string // the reply that solves it
	reopen  string // the customer finds it is not solved; "" if this never happens
	refix   string // the reply to reopen

	attach *file // sent with the opening
	guide  *file // sent with fix
}

// asks reports whether c could be the one asking sc.
func (sc *scenario) asks(c *customer) bool {
	switch {
	case len(sc.orgs) > 0:
		return c.org != nil && slices.Contains(sc.orgs, c.org.name)
	case sc.business:
		return c.org != nil
	}
	return true
}

// file is a small attachment.
type file struct{ name, body string }

func (f *file) input() []*tend.AttachmentInput {
	if f == nil {
		return nil
	}
	return []*tend.AttachmentInput{{Name: f.name, ContentType: "text/plain; charset=utf-8", Data: []byte(f.body)}}
}

// create is a ticket's first step. Calls and chats are logged by the
// agent who took them; mail and forms arrive through Tend's intake.
func (p *planner) create(t *ticketPlan) step {
	c := &tend.TicketCreate{Subject: t.subject, Customer: tend.CustomerRef{Email: t.customer.email, Name: t.customer.name},
		Body: p.opening(t), Priority: t.priority, Channel: t.channel, Tags: t.tags, Attachments: t.sc.attach.input()}
	if t.filed != nil {
		c.TeamID = &t.filed.id
	}
	var by *agent
	if t.taken() {
		by = t.owner
	}
	return step{create: c, by: by}
}

// taken reports whether the ticket began as a call or chat its owner
// took, rather than arriving by itself.
func (t *ticketPlan) taken() bool {
	return t.channel == tend.ChannelPhone || t.channel == tend.ChannelChat
}

// opening dresses the first message for its channel: a chat or a call
// note is bare, mail has a greeting and a signature.
func (p *planner) opening(t *ticketPlan) string {
	body := t.words.Replace(t.sc.opening)
	switch t.channel {
	case tend.ChannelChat, tend.ChannelPhone:
		return body
	}
	sign := pick(p.rng, signOffs) + t.customer.first()
	if o := t.customer.org; o != nil {
		sign = pick(p.rng, signOffs) + t.customer.name + "\n" + o.name
	}
	return pick(p.rng, greetings) + "\n\n" + body + "\n\n" + sign
}

func (p *planner) reply(t *ticketPlan, after time.Duration, text string, status tend.Status, f *file) []beat {
	body := "Hi " + t.customer.first() + ",\n\n" + t.words.Replace(text) + "\n\n" +
		pick(p.rng, agentSignOffs) + t.owner.first + "\n" + company + " Support"
	m := &tend.MessageCreate{Kind: tend.KindReply, Body: body, Attachments: f.input()}
	if status != "" {
		m.Status = &status
	}
	return []beat{{after: after, step: step{by: t.owner, msg: m}}}
}

func (p *planner) fromCustomer(t *ticketPlan, after time.Duration, text string) []beat {
	body := t.words.Replace(text)
	if t.channel != tend.ChannelChat {
		body += "\n\n" + t.customer.first()
	}
	return []beat{{after: after, step: step{msg: &tend.MessageCreate{Kind: tend.KindReply, Body: body}}}}
}

func (p *planner) note(t *ticketPlan, by *agent, after time.Duration, text string) []beat {
	m := &tend.MessageCreate{Kind: tend.KindNote, Body: t.words.Replace(text)}
	return []beat{{after: after, step: step{by: by, msg: m}}}
}

func (p *planner) change(by *agent, after time.Duration, u *tend.TicketUpdate) []beat {
	return []beat{{after: after, step: step{by: by, update: u}}}
}
