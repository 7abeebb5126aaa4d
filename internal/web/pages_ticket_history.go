package web

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// eventView is a history entry as people read it.
type eventView struct {
	At    time.Time
	Actor string
	Text  string
}

// people names who a ticket's history speaks of: staff and teams, and
// the customers it names by id.
type people struct {
	*staff
	customers map[int64]*tend.Customer
	// customerID is the ticket's customer: "the customer"; anyone else who
	// wrote (someone copied on its mail) is named.
	customerID int64
	// fields are the custom fields' labels by id.
	fields map[int64]string
	// policies are the service-level policies' names by id.
	policies map[int64]string
	// zone is where the reader reads times; nil is UTC.
	zone *time.Location
}

// customerName names the customer with id.
func (p people) customerName(id int64) string {
	if c := p.customers[id]; c != nil {
		return customerName(c)
	}
	return "customer " + strconv.FormatInt(id, 10)
}

// describeEvent writes what an event did, naming people and teams.
func describeEvent(e *tend.Event, p people) eventView {
	v := eventView{At: e.CreatedAt, Actor: "Tend"}
	switch {
	case e.ActorType == tend.AuthorAgent:
		v.Actor = p.agentNameOr(e.ActorID, "someone")
	case e.ActorType == tend.AuthorCustomer && e.ActorID != nil && *e.ActorID != p.customerID:
		v.Actor = p.customerName(*e.ActorID)
	case e.ActorType == tend.AuthorCustomer:
		v.Actor = "The customer"
	}
	v.Text = describeChange(e, p)
	return v
}

// describeChange says what a history entry records, after its actor:
// "changed the priority from Normal to High".
func describeChange(e *tend.Event, p people) string {
	st := p.staff
	switch d := e.Data.(type) {
	case tend.TicketCreated:
		return describeOpening(e, d, p)
	case tend.StatusChanged:
		return "changed the status from " + label(d.From) + " to " + label(d.To)
	case tend.PriorityChanged:
		return "changed the priority from " + label(d.From) + " to " + label(d.To)
	case tend.OwnerChanged:
		if d.From == nil && d.To != nil && e.ActorID != nil && *e.ActorID == *d.To && e.ActorType == tend.AuthorAgent {
			return "took it"
		}
		if d.To == nil {
			return "took " + st.agentNameOr(d.From, "its owner") + " off it"
		}
		if d.From == nil {
			return "gave it to " + st.agentNameOr(d.To, "nobody")
		}
		return "handed it from " + st.agentNameOr(d.From, "nobody") + " to " + st.agentNameOr(d.To, "nobody")
	case tend.TeamChanged:
		switch {
		case d.To == nil:
			return "moved it out of " + st.teamNameOr(d.From, "its team")
		case d.From == nil:
			return "moved it to " + st.teamNameOr(d.To, "no team")
		}
		return "moved it from " + st.teamNameOr(d.From, "no team") + " to " + st.teamNameOr(d.To, "no team")
	case tend.TagsChanged:
		var parts []string
		if len(d.Added) > 0 {
			parts = append(parts, "added the "+either(len(d.Added), "tag", "tags")+" "+strings.Join(d.Added, ", "))
		}
		if len(d.Removed) > 0 {
			parts = append(parts, "removed the "+either(len(d.Removed), "tag", "tags")+" "+strings.Join(d.Removed, ", "))
		}
		if len(parts) == 0 {
			return "left the tags as they were"
		}
		return strings.Join(parts, " and ")
	case tend.SubjectChanged:
		return "changed the subject from " + strconv.Quote(d.From) + " to " + strconv.Quote(d.To)
	case tend.CustomerMerged:
		return fmt.Sprintf("merged its customer, %s, into %s", p.customerName(d.FromID), p.customerName(d.IntoID))
	case tend.MessageAdded:
		what := "a message"
		switch d.Kind {
		case tend.KindReply:
			what = "a reply"
		case tend.KindNote:
			what = "an internal note"
		}
		if d.Channel == tend.ChannelEmail {
			return "wrote " + what + " by email"
		}
		return "added " + what
	case tend.Reopened:
		if d.ReopenCount > 1 {
			return fmt.Sprintf("reopened it (%s)", ordinalTime(d.ReopenCount))
		}
		return "reopened it"
	case tend.Bounced:
		s := "noted that mail about this ticket bounced"
		if d.Permanent {
			s = "noted that mail about this ticket bounced for good"
		}
		if d.Reason != "" {
			s += ": " + d.Reason
		}
		return s
	case tend.AutoReplied:
		if d.Reason != "" {
			return "received an automatic reply, not answered: " + d.Reason
		}
		return "received an automatic reply, not answered"
	case tend.DeliveryFailed:
		if d.Reason != "" {
			return "gave up sending a mail: " + d.Reason
		}
		return "gave up sending a mail"
	case tend.ParticipantsAdded:
		n := d.People()
		if d.MessageID == nil && len(d.Added) == 0 {
			return fmt.Sprintf("copied %d %s on this ticket", n, either(n, "more person", "more people"))
		}
		return fmt.Sprintf("added %d %s copied on the mail to the conversation", n, either(n, "person", "people"))
	case tend.FollowUpCreated:
		return fmt.Sprintf("opened #%d, since mail answered this closed ticket", d.Number)
	case tend.ParticipantsSuggested:
		why := fmt.Sprintf("over the limit of %d from one mail and %d in all", tend.MaxParticipantsFromMail, tend.MaxParticipants)
		if d.Unverified {
			why = "the mail joined by the ticket number in its subject, which anyone can type"
		}
		return fmt.Sprintf("did not add %d %s copied on the mail to the conversation (%s); an agent may add them",
			d.Count, either(d.Count, "person", "people"), why)
	case tend.ParticipantRemoved:
		return fmt.Sprintf("took %d %s out of the conversation", d.Count, either(d.Count, "person", "people"))
	case tend.SpamMarked:
		switch {
		case d.Spam && d.ByFilter:
			return "put this ticket in Spam, as the upstream mail filter marked it"
		case d.Spam && d.SenderBlocked:
			return "marked this ticket spam and blocked its sender"
		case d.Spam:
			return "marked this ticket spam"
		}
		return "marked this ticket not spam"
	case tend.TicketMerged:
		return fmt.Sprintf("merged this ticket into #%d, with its %d %s", d.IntoNumber, d.Messages, either(d.Messages, "message", "messages"))
	case tend.TicketMergedIn:
		return fmt.Sprintf("merged #%d into this ticket, with its %d %s", d.FromNumber, d.Messages, either(d.Messages, "message", "messages"))
	case tend.TicketLinked:
		return fmt.Sprintf("linked #%d as a related ticket", d.Number)
	case tend.TicketUnlinked:
		return fmt.Sprintf("removed the link to #%d", d.Number)
	case tend.FieldChanged:
		name := cmp.Or(p.fields[d.FieldID], d.Key)
		switch {
		case d.From == "":
			return fmt.Sprintf("set %s to %q", name, d.To)
		case d.To == "":
			return fmt.Sprintf("cleared %s (it was %q)", name, d.From)
		}
		return fmt.Sprintf("changed %s from %q to %q", name, d.From, d.To)
	case tend.SLAWarning:
		return fmt.Sprintf("warned that the %s target is at risk (due %s)", d.Target, p.dueTime(d.DueAt, e.CreatedAt))
	case tend.SLABreached:
		return fmt.Sprintf("recorded that the %s target was breached (it was due %s)", d.Target, p.dueTime(d.DueAt, e.CreatedAt))
	case tend.SLARecomputed:
		s := "laid out the deadlines again under " + policyWords(p.policies, d.PolicyID, d.Policy)
		if d.FromPolicyID != nil && *d.FromPolicyID != d.PolicyID {
			s += ", in place of " + policyWords(p.policies, *d.FromPolicyID, d.FromPolicy)
		}
		if d.Reason != "" {
			s += " (" + d.Reason + ")"
		}
		return s
	case tend.UnknownEvent:
		return label(string(d.Kind))
	}
	return label(string(e.Data.EventKind()))
}

// dueTime writes a deadline an entry at at names, in the reader's zone:
// the time alone on the entry's own day, "3 Dec 10:00" within its year.
func (p people) dueTime(due, at time.Time) string {
	loc := cmp.Or(p.zone, time.UTC)
	due, at = due.In(loc), at.In(loc)
	switch {
	case due.YearDay() == at.YearDay() && due.Year() == at.Year():
		return due.Format("15:04")
	case due.Year() == at.Year():
		return due.Format("2 Jan 15:04")
	}
	return due.Format("2 Jan 2006 15:04")
}

// policyWords names a policy in a sentence: "policy Gold", or "policy
// #3" when it is not known.
func policyWords(policies map[int64]string, id int64, recorded string) string {
	if name, ok := policies[id]; ok {
		return "policy " + name
	}
	if recorded != "" {
		return "policy " + recorded + ", deleted since"
	}
	return "a policy deleted since"
}

// either chooses the word for n things.
func either(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ordinalTime writes "2nd time", "3rd time".
func ordinalTime(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix + " time"
}

// describeOpening says how a ticket began when an agent opened it for a
// customer: "opened the ticket for a phone call from Bob Stone".
func describeOpening(e *tend.Event, d tend.TicketCreated, p people) string {
	if d.CustomerID == 0 {
		return "opened the ticket"
	}
	who := p.customerName(d.CustomerID)
	if e.ActorType == tend.AuthorSystem && d.Channel == tend.ChannelEmail {
		return "opened the ticket from mail by " + who
	}
	if e.ActorType != tend.AuthorAgent {
		return "opened the ticket"
	}
	switch {
	case d.MailboxID != nil:
		return "opened the ticket by mail to " + who
	case d.Channel == tend.ChannelPhone:
		return "opened the ticket for a phone call from " + who
	case d.Channel == tend.ChannelWalkIn:
		return "opened the ticket for a walk-in visit from " + who
	}
	return "opened the ticket"
}

// peopleOf reads the customers events name, besides the ticket's own.
func (s *Server) peopleOf(ctx context.Context, st *staff, customerID int64, events []*tend.Event) (people, error) {
	var ids []int64
	for _, e := range events {
		if e.ActorType == tend.AuthorCustomer && e.ActorID != nil && *e.ActorID != customerID {
			ids = append(ids, *e.ActorID)
		}
		if m, ok := e.Data.(tend.CustomerMerged); ok {
			ids = append(ids, m.FromID, m.IntoID)
		}
		if c, ok := e.Data.(tend.TicketCreated); ok && e.ActorType == tend.AuthorAgent && c.CustomerID != 0 {
			ids = append(ids, c.CustomerID) // named in "opened it for a phone call from ..."
		}
	}
	p := people{staff: st, customers: map[int64]*tend.Customer{}, customerID: customerID}
	if slices.ContainsFunc(events, func(e *tend.Event) bool { return e.Kind == tend.EventFieldChanged }) {
		fields, err := s.Fields.FindFields(ctx)
		if err != nil {
			return p, err
		}
		p.fields = map[int64]string{}
		for _, f := range fields {
			p.fields[f.ID] = f.Label
		}
	}
	if len(ids) == 0 {
		return p, nil
	}
	slices.Sort(ids)
	found, err := s.Customers.FindCustomersByIDs(ctx, slices.Compact(ids))
	for _, c := range found {
		p.customers[c.ID] = c
	}
	return p, err
}

// agentNameOr names the agent with id, or says none when id is nil.
func (st *staff) agentNameOr(id *int64, none string) string {
	if id == nil {
		return none
	}
	return st.agentName(*id)
}

// teamNameOr names the team with id, or says none when id is nil.
func (st *staff) teamNameOr(id *int64, none string) string {
	if id == nil {
		return none
	}
	if t := st.team[*id]; t != nil {
		return t.Name
	}
	return "team " + strconv.FormatInt(*id, 10)
}
