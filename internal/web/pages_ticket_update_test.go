package web

import (
	"slices"
	"testing"

	"github.com/tendhq/tend"
)

// What saving the details form does to a ticket someone else may have
// changed since the form's page was loaded.
func TestSideEditMerges(t *testing.T) {
	loaded := map[string]string{"owner_id": "", "team_id": "3", "priority": "normal", "status": "open", "tags": "a, b"}
	ticket := func(change func(*tend.Ticket)) *tend.Ticket {
		team := int64(3)
		tk := &tend.Ticket{TeamID: &team, Priority: tend.PriorityNormal, Status: tend.StatusOpen, Tags: []string{"a", "b"}}
		if change != nil {
			change(tk)
		}
		return tk
	}
	seven := int64(7)
	for _, c := range []struct {
		name   string
		sent   map[string]string
		now    *tend.Ticket
		clash  []string
		update tend.TicketUpdate
	}{
		{"nothing changed", loaded, ticket(nil), nil, tend.TicketUpdate{}},
		{"mine and theirs in different fields", with(loaded, "priority", "high"),
			ticket(func(t *tend.Ticket) { t.Status = tend.StatusPending }), nil, tend.TicketUpdate{Priority: ptrTo(tend.PriorityHigh)}},
		{"both the same field, differently", with(loaded, "priority", "high"),
			ticket(func(t *tend.Ticket) { t.Priority = tend.PriorityUrgent }), []string{"priority"}, tend.TicketUpdate{Priority: ptrTo(tend.PriorityHigh)}},
		{"both the same field, alike", with(loaded, "priority", "high"),
			ticket(func(t *tend.Ticket) { t.Priority = tend.PriorityHigh }), nil, tend.TicketUpdate{Priority: ptrTo(tend.PriorityHigh)}},
		{"tags added and removed beside theirs", with(loaded, "tags", "A, c"),
			ticket(func(t *tend.Ticket) { t.Tags = []string{"a", "b", "z"} }), nil, tend.TicketUpdate{AddTags: []string{"c"}, RemoveTags: []string{"b"}}},
		{"no owner chosen", with(loaded, "owner_id", ""), ticket(func(t *tend.Ticket) { t.OwnerID = &seven }), nil, tend.TicketUpdate{}},
		{"taken by someone else meanwhile", map[string]string{"owner_id": "5"}, ticket(func(t *tend.Ticket) { t.OwnerID = &seven }),
			[]string{"owner_id"}, tend.TicketUpdate{OwnerID: ptrTo(int64(5))}},
		{"team cleared", with(loaded, "team_id", "0"), ticket(nil), nil, tend.TicketUpdate{TeamID: ptrTo(int64(0))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &sideEdit{sent: c.sent, loaded: loaded}
			if got := e.clashes(c.now); !slices.Equal(got, c.clash) {
				t.Errorf("clashes = %v, want %v", got, c.clash)
			}
			got := e.update(c.now)
			if !sameUpdate(got, &c.update) {
				t.Errorf("update = %+v, want %+v", got, c.update)
			}
		})
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

func ptrTo[T any](v T) *T { return &v }

func sameUpdate(a, b *tend.TicketUpdate) bool {
	eq := func(x, y any) bool {
		switch x := x.(type) {
		case *int64:
			y := y.(*int64)
			return (x == nil) == (y == nil) && (x == nil || *x == *y)
		case *tend.Priority:
			y := y.(*tend.Priority)
			return (x == nil) == (y == nil) && (x == nil || *x == *y)
		case *tend.Status:
			y := y.(*tend.Status)
			return (x == nil) == (y == nil) && (x == nil || *x == *y)
		}
		return false
	}
	return eq(a.OwnerID, b.OwnerID) && eq(a.TeamID, b.TeamID) && eq(a.Priority, b.Priority) && eq(a.Status, b.Status) &&
		slices.Equal(a.AddTags, b.AddTags) && slices.Equal(a.RemoveTags, b.RemoveTags) && a.Tags == nil
}
