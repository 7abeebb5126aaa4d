package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// A ticket's history as the ticket page shows it.

// eventView is a history entry as people read it.
type eventView struct {
	At    time.Time
	Actor string
	Text  string
}

// describeEvent writes what an event did, naming agents and teams.
func describeEvent(e *tend.Event, st *staff) eventView {
	agentName := func(id *int64) string {
		if id == nil {
			return "nobody"
		}
		return st.agentName(*id)
	}
	v := eventView{At: e.CreatedAt, Actor: "Tend"}
	switch e.ActorType {
	case tend.AuthorAgent:
		v.Actor = agentName(e.ActorID)
	case tend.AuthorCustomer:
		v.Actor = "The customer"
	}
	var d struct {
		From, To   json.RawMessage
		Kind       string
		Reason     string
		Error      string
		Recipient  string
		Address    string
		Subject    string
		FollowUpID *int64 `json:"ticket_id"`
	}
	json.Unmarshal(e.Data, &d)
	plain := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if e.Kind == tend.EventStatusChanged || e.Kind == tend.EventPriorityChanged {
				return label(s)
			}
			return strconv.Quote(s)
		}
		var n int64
		if json.Unmarshal(raw, &n) == nil {
			return strconv.FormatInt(n, 10)
		}
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			if len(list) == 0 {
				return "none"
			}
			return strings.Join(list, ", ")
		}
		return "none"
	}
	id := func(raw json.RawMessage) *int64 {
		var n int64
		if json.Unmarshal(raw, &n) == nil {
			return &n
		}
		return nil
	}
	switch e.Kind {
	case tend.EventCreated:
		v.Text = "opened the ticket"
	case tend.EventOwnerChanged:
		v.Text = "gave it to " + agentName(id(d.To))
	case tend.EventTeamChanged:
		name := "no team"
		if t := id(d.To); t != nil {
			name = "team " + strconv.FormatInt(*t, 10)
			if tm := st.team[*t]; tm != nil {
				name = tm.Name
			}
		}
		v.Text = "moved it to " + name
	case tend.EventStatusChanged, tend.EventPriorityChanged, tend.EventTagsChanged, tend.EventSubjectChanged:
		what := strings.TrimSuffix(string(e.Kind), "_changed")
		v.Text = "changed the " + what + " from " + plain(d.From) + " to " + plain(d.To)
	case tend.EventMessageAdded:
		v.Text = "added a " + d.Kind
		if d.Kind == "" {
			v.Text = "added a message"
		}
	case tend.EventReopened:
		v.Text = "reopened it"
	default:
		v.Text = label(string(e.Kind))
		if detail := strings.TrimSpace(d.Reason + " " + d.Error); detail != "" {
			v.Text += ": " + detail
		}
	}
	return v
}
