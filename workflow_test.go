package tend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestApplyMessage(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	agent := tend.Principal{AgentID: 7, Role: tend.RoleAgent}
	customer := tend.Principal{CustomerID: 3}
	pending := tend.StatusPending
	for _, tc := range []struct {
		name        string
		from        tend.Status
		p           tend.Principal
		author      tend.AuthorType
		kind        tend.MessageKind
		status      *tend.Status
		want        tend.Status
		reopens     int
		firstReply  bool
		owner       bool
		wantConflit bool
	}{
		{"customer writes again on a new ticket", tend.StatusNew, customer, tend.AuthorCustomer, tend.KindReply, nil, tend.StatusNew, 0, false, false, false},
		{"customer answers while we wait on them", tend.StatusPending, customer, tend.AuthorCustomer, tend.KindReply, nil, tend.StatusOpen, 0, false, false, false},
		{"customer reply reopens a solved ticket", tend.StatusSolved, customer, tend.AuthorCustomer, tend.KindReply, nil, tend.StatusOpen, 1, false, false, false},
		{"customer reply to a closed ticket", tend.StatusClosed, customer, tend.AuthorCustomer, tend.KindReply, nil, tend.StatusClosed, 0, false, false, true},
		{"first agent reply opens and assigns", tend.StatusNew, agent, tend.AuthorAgent, tend.KindReply, nil, tend.StatusOpen, 0, true, true, false},
		{"agent note leaves a new ticket new", tend.StatusNew, agent, tend.AuthorAgent, tend.KindNote, nil, tend.StatusNew, 0, false, false, false},
		{"send and set pending", tend.StatusNew, agent, tend.AuthorAgent, tend.KindReply, &pending, tend.StatusPending, 0, true, true, false},
		{"agent reply while pending stays pending", tend.StatusPending, agent, tend.AuthorAgent, tend.KindReply, nil, tend.StatusPending, 0, true, false, false},
		{"note on a closed ticket is fine", tend.StatusClosed, agent, tend.AuthorAgent, tend.KindNote, nil, tend.StatusClosed, 0, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := &tend.Ticket{Number: 1042, Status: tc.from, Version: 4}
			_, err := tk.ApplyMessage(tc.p, tc.author, tc.kind, tc.status, now)
			if tc.wantConflit {
				if tend.ErrorCode(err) != tend.ECONFLICT {
					t.Fatalf("err = %v, want conflict", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status != tc.want || tk.ReopenCount != tc.reopens || (tk.FirstRespondedAt != nil) != tc.firstReply ||
				(tk.OwnerID != nil) != tc.owner || tk.Version != 5 || !tk.UpdatedAt.Equal(now) {
				t.Errorf("ticket = %+v", tk)
			}
		})
	}
}

func TestStatusTransitions(t *testing.T) {
	p := tend.Principal{AgentID: 1, Role: tend.RoleAgent}
	for from, allowed := range map[tend.Status][]tend.Status{
		tend.StatusNew:     {tend.StatusOpen, tend.StatusPending, tend.StatusOnHold, tend.StatusSolved},
		tend.StatusOpen:    {tend.StatusPending, tend.StatusOnHold, tend.StatusSolved},
		tend.StatusPending: {tend.StatusOpen, tend.StatusOnHold, tend.StatusSolved},
		tend.StatusOnHold:  {tend.StatusOpen, tend.StatusPending, tend.StatusSolved},
		tend.StatusSolved:  {tend.StatusOpen, tend.StatusClosed},
		tend.StatusClosed:  {},
	} {
		for _, to := range tend.Statuses {
			if to == from {
				continue
			}
			tk := &tend.Ticket{Status: from}
			_, err := tk.ApplyUpdate(p, &tend.TicketUpdate{Status: &to}, time.Now())
			ok := false
			for _, a := range allowed {
				ok = ok || a == to
			}
			if ok && err != nil {
				t.Errorf("%s -> %s refused: %v", from, to, err)
			}
			if !ok && tend.ErrorCode(err) != tend.ECONFLICT {
				t.Errorf("%s -> %s allowed (err %v)", from, to, err)
			}
		}
	}
}

func TestApplyUpdateRecordsEachChange(t *testing.T) {
	owner := int64(9)
	tk := &tend.Ticket{Status: tend.StatusOpen, Priority: tend.PriorityNormal, OwnerID: &owner, Tags: []string{"a", "b"}, Version: 1}
	u := &tend.TicketUpdate{Priority: ptr(tend.PriorityUrgent), TeamID: ptr(int64(2)), AddTags: []string{"c"}, RemoveTags: []string{"a"},
		OwnerID: ptr(int64(9)), Subject: ptr("")}
	u.Subject = nil
	changes, err := tk.ApplyUpdate(tend.Principal{AgentID: 1, Role: tend.RoleLead}, u, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []tend.EventKind
	for _, c := range changes {
		kinds = append(kinds, c.EventKind())
	}
	want := []tend.EventKind{tend.EventPriorityChanged, tend.EventTeamChanged, tend.EventTagsChanged}
	if len(kinds) != len(want) {
		t.Fatalf("changes = %v, want %v (same owner is no change)", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("changes = %v, want %v", kinds, want)
		}
	}
	if got := tk.Tags; len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Errorf("tags = %v", got)
	}
	if tk.Version != 2 {
		t.Errorf("version = %d", tk.Version)
	}
	none, _ := tk.ApplyUpdate(tend.Principal{AgentID: 1}, &tend.TicketUpdate{Priority: ptr(tend.PriorityUrgent)}, time.Now())
	if len(none) != 0 || tk.Version != 2 {
		t.Errorf("a no-op update recorded %v, version %d", none, tk.Version)
	}
}

func ptr[T any](v T) *T { return &v }

// Taking a ticket (giving it an owner) triages it: a new ticket opens. An
// explicit status still wins, and a ticket past new keeps its status.
func TestGivingAnOwnerOpensANewTicket(t *testing.T) {
	me := tend.Principal{AgentID: 4, Role: tend.RoleAgent}
	pending, closed := tend.StatusPending, tend.StatusClosed
	for _, c := range []struct {
		name   string
		from   tend.Status
		update tend.TicketUpdate
		want   tend.Status
		events []tend.EventKind
	}{
		{"take a new ticket", tend.StatusNew, tend.TicketUpdate{OwnerID: ptr(int64(4))}, tend.StatusOpen,
			[]tend.EventKind{tend.EventOwnerChanged, tend.EventStatusChanged}},
		{"give a new ticket to someone else", tend.StatusNew, tend.TicketUpdate{OwnerID: ptr(int64(9))}, tend.StatusOpen,
			[]tend.EventKind{tend.EventOwnerChanged, tend.EventStatusChanged}},
		{"take it and say pending", tend.StatusNew, tend.TicketUpdate{OwnerID: ptr(int64(4)), Status: &pending}, tend.StatusPending,
			[]tend.EventKind{tend.EventOwnerChanged, tend.EventStatusChanged}},
		{"take a pending ticket", tend.StatusPending, tend.TicketUpdate{OwnerID: ptr(int64(4))}, tend.StatusPending,
			[]tend.EventKind{tend.EventOwnerChanged}},
		{"a priority alone leaves it new", tend.StatusNew, tend.TicketUpdate{Priority: ptr(tend.PriorityHigh)}, tend.StatusNew,
			[]tend.EventKind{tend.EventPriorityChanged}},
		{"close a solved ticket, no owner change", tend.StatusSolved, tend.TicketUpdate{Status: &closed}, tend.StatusClosed,
			[]tend.EventKind{tend.EventStatusChanged}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := &tend.Ticket{Number: 7, Status: c.from, Priority: tend.PriorityNormal, Tags: []string{}, Version: 1}
			changes, err := tk.ApplyUpdate(me, &c.update, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var kinds []tend.EventKind
			for _, ch := range changes {
				kinds = append(kinds, ch.EventKind())
			}
			if tk.Status != c.want || len(kinds) != len(c.events) {
				t.Fatalf("status %s, changes %v; want %s, %v", tk.Status, kinds, c.want, c.events)
			}
			for i := range kinds {
				if kinds[i] != c.events[i] {
					t.Fatalf("changes %v, want %v", kinds, c.events)
				}
			}
		})
	}
}

// The refusal of a status move is said in words, naming what is allowed.
func TestTransitionRefusalInWords(t *testing.T) {
	tk := &tend.Ticket{Number: 1302, Status: tend.StatusPending}
	_, err := tk.ApplyUpdate(tend.Principal{AgentID: 1}, &tend.TicketUpdate{Status: ptr(tend.StatusNew)}, time.Now())
	want := "Ticket #1302 is pending, so it cannot become new; it can become open, on hold or solved."
	if tend.ErrorCode(err) != tend.ECONFLICT || tend.ErrorMessage(err) != want {
		t.Errorf("refusal = %v %q, want %q", tend.ErrorCode(err), tend.ErrorMessage(err), want)
	}
}

// A new ticket that has an owner already (from before owners opened
// tickets, or set back to new) stays new when it is handed over or its
// owner named again: only taking it, its first owner, opens it.
func TestHandingOverANewTicketLeavesItNew(t *testing.T) {
	for _, to := range []int64{9, 5} {
		tk := &tend.Ticket{Number: 7, Status: tend.StatusNew, OwnerID: ptr(int64(5)), Tags: []string{}, Version: 1}
		changes, err := tk.ApplyUpdate(tend.Principal{AgentID: 1, Role: tend.RoleAdmin}, &tend.TicketUpdate{OwnerID: &to}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if to == 5 {
			want = 0
		}
		if tk.Status != tend.StatusNew || len(changes) != want {
			t.Errorf("owner 5 to %d: status %s, %d changes; want new and %d", to, tk.Status, len(changes), want)
		}
	}
}

func TestApplySpam(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name         string
		from         tend.Status
		spam         bool // already marked
		mark         bool
		want         tend.Status
		systemMoves  []string
		wantConflict bool
	}{
		{"a new ticket is solved and closed", tend.StatusNew, false, true, tend.StatusClosed, []string{"new→solved", "solved→closed"}, false},
		{"an open one too", tend.StatusOpen, false, true, tend.StatusClosed, []string{"open→solved", "solved→closed"}, false},
		{"a solved one is closed", tend.StatusSolved, false, true, tend.StatusClosed, []string{"solved→closed"}, false},
		{"a closed one stays closed", tend.StatusClosed, false, true, tend.StatusClosed, nil, false},
		{"not spam: the filter's new ticket goes to the queue as it is", tend.StatusNew, true, false, tend.StatusNew, nil, false},
		{"not spam: a closed one stays closed", tend.StatusClosed, true, false, tend.StatusClosed, nil, false},
		{"spam twice", tend.StatusClosed, true, true, tend.StatusClosed, nil, true},
		{"not spam twice", tend.StatusOpen, false, false, tend.StatusOpen, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := &tend.Ticket{Number: 1042, Status: c.from, Spam: c.spam, Version: 3}
			system, marked, err := tk.ApplySpam(c.mark, true, now)
			if c.wantConflict {
				if tend.ErrorCode(err) != tend.ECONFLICT || tk.Version != 3 {
					t.Fatalf("err %v, version %d; want a conflict and nothing changed", err, tk.Version)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var moves []string
			for _, e := range system {
				if s, ok := e.(tend.StatusChanged); ok {
					moves = append(moves, string(s.From)+"→"+string(s.To))
				}
			}
			if tk.Status != c.want || tk.Spam != c.mark || strings.Join(moves, " ") != strings.Join(c.systemMoves, " ") || tk.Version != 4 {
				t.Errorf("status %s spam %v moves %v version %d; want %s %v %v 4", tk.Status, tk.Spam, moves, tk.Version, c.want, c.mark, c.systemMoves)
			}
			if len(marked) != 1 || marked[0] != (tend.SpamMarked{Spam: c.mark, SenderBlocked: c.mark}) {
				t.Errorf("marked %#v", marked)
			}
			if c.mark && c.from != tend.StatusClosed && tk.OwnerID != nil {
				t.Error("a system move gave the ticket an owner")
			}
		})
	}
}

func TestApplyMerge(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	merged := int64(40)
	for _, tc := range []struct {
		name      string
		dup, into tend.Ticket
		moves     []tend.Status // the system's status moves on the duplicate
		code      string
	}{
		{"an open duplicate is solved, then closed", tend.Ticket{ID: 1, Status: tend.StatusOpen}, tend.Ticket{ID: 2, Status: tend.StatusOpen},
			[]tend.Status{tend.StatusSolved, tend.StatusClosed}, ""},
		{"a solved one only closed", tend.Ticket{ID: 1, Status: tend.StatusSolved}, tend.Ticket{ID: 2, Status: tend.StatusPending},
			[]tend.Status{tend.StatusClosed}, ""},
		{"a closed one stays as it is", tend.Ticket{ID: 1, Status: tend.StatusClosed}, tend.Ticket{ID: 2, Status: tend.StatusNew},
			nil, ""},
		{"into a solved ticket", tend.Ticket{ID: 1, Status: tend.StatusNew}, tend.Ticket{ID: 2, Status: tend.StatusSolved},
			[]tend.Status{tend.StatusSolved, tend.StatusClosed}, ""},
		{"into itself", tend.Ticket{ID: 1, Status: tend.StatusOpen}, tend.Ticket{ID: 1, Status: tend.StatusOpen}, nil, tend.EINVALID},
		{"into a closed ticket", tend.Ticket{ID: 1, Status: tend.StatusOpen}, tend.Ticket{ID: 2, Status: tend.StatusClosed}, nil, tend.ECONFLICT},
		{"into a ticket merged itself", tend.Ticket{ID: 1, Status: tend.StatusOpen}, tend.Ticket{ID: 2, Status: tend.StatusClosed, MergedIntoID: &merged},
			nil, tend.ECONFLICT},
		{"a duplicate merged already", tend.Ticket{ID: 1, Status: tend.StatusClosed, MergedIntoID: &merged}, tend.Ticket{ID: 2, Status: tend.StatusOpen},
			nil, tend.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dup, into := tc.dup, tc.into
			system, err := dup.ApplyMerge(&into, now)
			if tend.ErrorCode(err) != tc.code && (err != nil || tc.code != "") {
				t.Fatalf("error %v, want %q", err, tc.code)
			}
			if tc.code != "" {
				if dup.MergedIntoID != tc.dup.MergedIntoID || dup.Status != tc.dup.Status {
					t.Errorf("a refused merge changed the duplicate: %+v", dup)
				}
				return
			}
			var moves []tend.Status
			for _, d := range system {
				if c, ok := d.(tend.StatusChanged); ok {
					moves = append(moves, c.To)
				}
			}
			if strings.Join(statusNames(moves), ",") != strings.Join(statusNames(tc.moves), ",") {
				t.Errorf("moves %v, want %v", moves, tc.moves)
			}
			if dup.MergedIntoID == nil || *dup.MergedIntoID != into.ID || dup.Status != tend.StatusClosed || dup.OwnerID != nil {
				t.Errorf("duplicate after the merge: %+v", dup)
			}
		})
	}
}

func statusNames(s []tend.Status) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

func TestMergeInto(t *testing.T) {
	chain := map[int64]int64{1: 2, 2: 3, 5: 6, 6: 5, 7: 8, 8: 9, 9: 10}
	merged := func(id int64) (*int64, error) {
		if next, ok := chain[id]; ok {
			return &next, nil
		}
		return nil, nil
	}
	for _, tc := range []struct {
		id, want int64
		limit    int
	}{
		{4, 4, 20}, // never merged
		{1, 3, 20}, // merged twice, one after the other
		{5, 6, 20}, // a loop ends where it stands
		{7, 9, 2},  // a chain past the limit ends at the limit
	} {
		if got, err := tend.MergeInto(tc.id, merged, tc.limit); err != nil || got != tc.want {
			t.Errorf("MergeInto(%d) = %d, %v; want %d", tc.id, got, err, tc.want)
		}
	}
}
