package web

import (
	"fmt"
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

// describeEvent writes what an event did, naming agents and teams.
func describeEvent(e *tend.Event, st *staff) eventView {
	v := eventView{At: e.CreatedAt, Actor: "Tend"}
	switch e.ActorType {
	case tend.AuthorAgent:
		v.Actor = st.agentNameOr(e.ActorID, "someone")
	case tend.AuthorCustomer:
		v.Actor = "The customer"
	}
	v.Text = describeChange(e.Data, st)
	return v
}

// describeChange says what a history payload records, after its actor:
// "changed the priority from Normal to High".
func describeChange(data tend.EventData, st *staff) string {
	switch d := data.(type) {
	case tend.TicketCreated:
		return "opened the ticket"
	case tend.StatusChanged:
		return "changed the status from " + label(d.From) + " to " + label(d.To)
	case tend.PriorityChanged:
		return "changed the priority from " + label(d.From) + " to " + label(d.To)
	case tend.OwnerChanged:
		if d.To == nil {
			return "took " + st.agentNameOr(d.From, "its owner") + " off it"
		}
		if d.From == nil {
			return "gave it to " + st.agentNameOr(d.To, "nobody")
		}
		return "gave it to " + st.agentNameOr(d.To, "nobody") + ", from " + st.agentNameOr(d.From, "nobody")
	case tend.TeamChanged:
		return "moved it to " + st.teamNameOr(d.To, "no team") + ", from " + st.teamNameOr(d.From, "no team")
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
		return fmt.Sprintf("moved it with its customer, merged into customer %d", d.IntoID)
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
		s := "noted that mail to the customer bounced"
		if d.Permanent {
			s = "noted that mail to the customer bounced for good"
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
		return fmt.Sprintf("added %d %s copied on the mail to the conversation", n, either(n, "person", "people"))
	case tend.FollowUpCreated:
		return fmt.Sprintf("opened #%d, since mail answered this closed ticket", d.Number)
	case tend.UnknownEvent:
		return label(string(d.Kind))
	}
	return label(string(data.EventKind()))
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
