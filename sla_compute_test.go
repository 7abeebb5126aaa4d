package tend

import (
	"testing"
	"time"

	"github.com/tendhq/tend/internal/calendar"
)

// t0 is a Monday, 09:00 UTC.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func ptr[T any](v T) *T { return &v }

// history builds a ticket's history; each step is at a minute after t0.
type step struct {
	min  int
	data EventData
	by   AuthorType // the actor; agent when empty
}

func historyOf(steps ...step) []*Event {
	var out []*Event
	for _, s := range steps {
		by := s.by
		if by == "" {
			by = AuthorAgent
		}
		out = append(out, &Event{Kind: s.data.EventKind(), ActorType: by, Data: s.data, CreatedAt: at(s.min)})
	}
	return out
}

var (
	opened        = TicketCreated{Status: StatusNew, Priority: PriorityNormal}
	customerWrote = MessageAdded{Kind: KindReply, AuthorType: AuthorCustomer}
	agentReplied  = MessageAdded{Kind: KindReply, AuthorType: AuthorAgent}
	agentNoted    = MessageAdded{Kind: KindNote, AuthorType: AuthorAgent}
)

func status(from, to Status) StatusChanged { return StatusChanged{From: from, To: to} }

func policyOf(t Targets) *SLAPolicy {
	return &SLAPolicy{ID: 7, CalendarID: 1, Targets: t, Default: true}
}

var always = calendar.Schedule{{Calendar: calendar.Always()}}

// office is Monday to Friday, 09:00 to 17:00 UTC.
func office() calendar.Schedule {
	var hours []calendar.Interval
	for d := time.Monday; d <= time.Friday; d++ {
		hours = append(hours, calendar.Interval{Weekday: d, Start: 9 * 60, End: 17 * 60})
	}
	return calendar.Schedule{{Calendar: calendar.Calendar{Location: time.UTC, Hours: hours}}}
}

func TestComputeSLA(t *testing.T) {
	type want struct {
		kind             TargetKind
		due, met, breach *time.Time
		cycle            int
		ended            bool
	}
	tests := []struct {
		name     string
		targets  Targets
		schedule calendar.Schedule
		history  []step
		now      int
		paused   bool
		want     []want
		record   []EventData
	}{{
		name:    "a new ticket's first response runs from its creation",
		targets: Targets{FirstResponse: ptr(60), Resolution: ptr(480)},
		history: []step{{0, opened, AuthorCustomer}},
		now:     10,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}, {kind: TargetResolution, due: ptr(at(480)), cycle: 1}},
	}, {
		name:    "a public reply from staff meets the first response; a note does not",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {10, agentNoted, ""}, {30, agentReplied, ""}},
		now:     40,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(30)), cycle: 1}},
	}, {
		name:    "a reply from Tend itself meets nothing",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {10, agentReplied, AuthorSystem}},
		now:     20,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}},
	}, {
		name:    "met after the deadline is breached, recorded by the change that met it",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {90, agentReplied, ""}},
		now:     90,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(90)), breach: ptr(at(60)), cycle: 1}},
		record:  []EventData{SLABreached{Target: TargetFirstResponse, Cycle: 1, DueAt: at(60)}},
	}, {
		name:    "met exactly at the deadline is on time",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {60, agentReplied, ""}},
		now:     60,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(60)), cycle: 1}},
	}, {
		name:    "a deadline passed unmet is a breach to record",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}},
		now:     61,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), breach: ptr(at(60)), cycle: 1}},
		record:  []EventData{SLABreached{Target: TargetFirstResponse, Cycle: 1, DueAt: at(60)}},
	}, {
		name:    "a breach recorded is not recorded again, and stays when met later",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {61, SLABreached{Target: TargetFirstResponse, Cycle: 1, DueAt: at(60)}, AuthorSystem},
			{120, agentReplied, ""}},
		now:  120,
		want: []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(120)), breach: ptr(at(60)), cycle: 1}},
	}, {
		name:    "a recorded breach stays when a kinder policy applies",
		targets: Targets{FirstResponse: ptr(600)},
		history: []step{{0, opened, AuthorCustomer}, {61, SLABreached{Target: TargetFirstResponse, Cycle: 1, DueAt: at(60)}, AuthorSystem}},
		now:     70,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), breach: ptr(at(60)), cycle: 1}},
	}, {
		name:    "at the warning point a warning is recorded, once",
		targets: Targets{FirstResponse: ptr(100)},
		history: []step{{0, opened, AuthorCustomer}},
		now:     75,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(100)), cycle: 1}},
		record:  []EventData{SLAWarning{Target: TargetFirstResponse, Cycle: 1, DueAt: at(100)}},
	}, {
		name:    "a warning recorded is not recorded again",
		targets: Targets{FirstResponse: ptr(100)},
		history: []step{{0, opened, AuthorCustomer}, {75, SLAWarning{Target: TargetFirstResponse, Cycle: 1, DueAt: at(100)}, AuthorSystem}},
		now:     80,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(100)), cycle: 1}},
	}, {
		name:    "pending pauses every clock, and the customer's reply resumes it",
		targets: Targets{FirstResponse: ptr(60), Resolution: ptr(480)},
		history: []step{{0, opened, AuthorCustomer}, {10, status(StatusNew, StatusPending), ""},
			{100, customerWrote, AuthorSystem}, {100, status(StatusPending, StatusOpen), AuthorSystem}},
		now:  110,
		want: []want{{kind: TargetFirstResponse, due: ptr(at(150)), cycle: 1}, {kind: TargetResolution, due: ptr(at(570)), cycle: 1}},
	}, {
		name:    "while pending no deadline is shown and nothing breaches",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {10, status(StatusNew, StatusPending), ""}},
		now:     500,
		paused:  true,
		want:    []want{{kind: TargetFirstResponse, cycle: 1}},
	}, {
		name:    "on hold does not pause: we are the ones waiting",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {10, status(StatusNew, StatusOnHold), ""}},
		now:     20,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}},
	}, {
		name:    "a customer message after the answer starts the next response",
		targets: Targets{FirstResponse: ptr(60), NextResponse: ptr(30)},
		history: []step{{0, opened, AuthorCustomer}, {20, agentReplied, ""}, {50, customerWrote, AuthorSystem}, {55, customerWrote, AuthorSystem}},
		now:     60,
		want: []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(20)), cycle: 1},
			{kind: TargetNextResponse, due: ptr(at(80)), cycle: 1}},
	}, {
		name:    "a customer message before the first answer starts no next response",
		targets: Targets{FirstResponse: ptr(60), NextResponse: ptr(30)},
		history: []step{{0, opened, AuthorCustomer}, {5, customerWrote, AuthorSystem}},
		now:     10,
		want:    []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}},
	}, {
		name:    "each answered message is a cycle of its own",
		targets: Targets{NextResponse: ptr(30)},
		history: []step{{0, opened, AuthorCustomer}, {10, agentReplied, ""}, {20, customerWrote, AuthorSystem},
			{30, agentReplied, ""}, {40, customerWrote, AuthorSystem}},
		now:  41,
		want: []want{{kind: TargetNextResponse, due: ptr(at(70)), cycle: 2}},
	}, {
		name:    "periodic updates restart at each public reply while the ticket waits on us",
		targets: Targets{PeriodicUpdate: ptr(120)},
		history: []step{{0, opened, AuthorCustomer}, {100, agentReplied, ""}},
		now:     110,
		want:    []want{{kind: TargetPeriodicUpdate, due: ptr(at(220)), cycle: 2}},
	}, {
		name:    "solving meets the resolution and stops every other target",
		targets: Targets{FirstResponse: ptr(60), PeriodicUpdate: ptr(120), Resolution: ptr(480)},
		history: []step{{0, opened, AuthorCustomer}, {30, agentReplied, ""}, {40, status(StatusNew, StatusSolved), ""}},
		now:     1000,
		want: []want{{kind: TargetFirstResponse, due: ptr(at(60)), met: ptr(at(30)), cycle: 1},
			{kind: TargetResolution, due: ptr(at(480)), met: ptr(at(40)), cycle: 1}},
	}, {
		name:    "a reopen resumes the resolution with the business time used, and starts a next response",
		targets: Targets{NextResponse: ptr(30), Resolution: ptr(480)},
		history: []step{{0, opened, AuthorCustomer}, {100, status(StatusNew, StatusSolved), ""},
			{1000, customerWrote, AuthorSystem}, {1000, status(StatusSolved, StatusOpen), AuthorSystem}},
		now: 1010,
		want: []want{{kind: TargetNextResponse, due: ptr(at(1030)), cycle: 1},
			{kind: TargetResolution, due: ptr(at(1380)), cycle: 2}},
	}, {
		name:    "a reopen past the resolution target gets the next response's length as grace, not a breach at once",
		targets: Targets{NextResponse: ptr(30), Resolution: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {100, status(StatusNew, StatusSolved), ""},
			{1000, customerWrote, AuthorSystem}, {1000, status(StatusSolved, StatusOpen), AuthorSystem}},
		now: 1000,
		want: []want{{kind: TargetNextResponse, due: ptr(at(1030)), cycle: 1},
			{kind: TargetResolution, due: ptr(at(1030)), cycle: 2}},
	}, {
		name:    "a reopen after a recorded resolution breach gets grace, counting the time until the breach as used",
		targets: Targets{NextResponse: ptr(2), Resolution: ptr(4)},
		history: []step{{0, opened, AuthorCustomer}, {5, SLABreached{Target: TargetResolution, Cycle: 1, DueAt: at(4)}, AuthorSystem},
			{6, status(StatusNew, StatusSolved), ""}, {8, customerWrote, AuthorSystem}, {8, status(StatusSolved, StatusOpen), AuthorSystem}},
		now: 8,
		want: []want{{kind: TargetNextResponse, due: ptr(at(10)), cycle: 1},
			{kind: TargetResolution, due: ptr(at(10)), cycle: 2}},
	}, {
		name:    "a second round breached and recorded, then solved and reopened, gets grace again",
		targets: Targets{NextResponse: ptr(2), Resolution: ptr(10)},
		history: []step{{0, opened, AuthorCustomer}, {5, status(StatusNew, StatusSolved), ""},
			{20, customerWrote, AuthorSystem}, {20, status(StatusSolved, StatusOpen), AuthorSystem},
			{26, SLABreached{Target: TargetResolution, Cycle: 2, DueAt: at(25)}, AuthorSystem},
			{27, status(StatusOpen, StatusSolved), ""}, {30, customerWrote, AuthorSystem}, {30, status(StatusSolved, StatusOpen), AuthorSystem}},
		now: 30,
		want: []want{{kind: TargetNextResponse, due: ptr(at(32)), cycle: 2},
			{kind: TargetResolution, due: ptr(at(32)), cycle: 3}},
	}, {
		name:    "a breach that solving ended is shown, but asks nothing once the ticket is reopened and answered",
		targets: Targets{FirstResponse: ptr(10), NextResponse: ptr(30)},
		history: []step{{0, opened, AuthorCustomer}, {11, SLABreached{Target: TargetFirstResponse, Cycle: 1, DueAt: at(10)}, AuthorSystem},
			{12, status(StatusNew, StatusSolved), ""}, {20, customerWrote, AuthorSystem}, {20, status(StatusSolved, StatusOpen), AuthorSystem},
			{25, agentReplied, ""}},
		now: 26,
		want: []want{{kind: TargetFirstResponse, due: ptr(at(10)), breach: ptr(at(10)), cycle: 1, ended: true},
			{kind: TargetNextResponse, due: ptr(at(50)), met: ptr(at(25)), cycle: 1}},
	}, {
		name:    "solved and assigned in one change: the assignment is met",
		targets: Targets{Assignment: ptr(15), Resolution: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {20, status(StatusNew, StatusSolved), ""}, {20, OwnerChanged{To: ptr(int64(3))}, ""}},
		now:     20,
		want: []want{{kind: TargetResolution, due: ptr(at(60)), met: ptr(at(20)), cycle: 1},
			{kind: TargetAssignment, due: ptr(at(15)), met: ptr(at(20)), breach: ptr(at(15)), cycle: 1}},
		record: []EventData{SLABreached{Target: TargetAssignment, Cycle: 1, DueAt: at(15)}},
	}, {
		name:    "spam is put away, not resolved",
		targets: Targets{Resolution: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {5, SpamMarked{Spam: true}, ""}, {5, status(StatusNew, StatusSolved), AuthorSystem},
			{5, status(StatusSolved, StatusClosed), AuthorSystem}},
		now:  100,
		want: nil,
	}, {
		name:    "the assignment is met when the ticket has an owner",
		targets: Targets{Assignment: ptr(15)},
		history: []step{{0, opened, AuthorCustomer}, {5, OwnerChanged{To: ptr(int64(3))}, ""}},
		now:     20,
		want:    []want{{kind: TargetAssignment, due: ptr(at(15)), met: ptr(at(5)), cycle: 1}},
	}, {
		name:    "a ticket merged into another ends its targets",
		targets: Targets{FirstResponse: ptr(60)},
		history: []step{{0, opened, AuthorCustomer}, {10, TicketMerged{IntoID: 9}, ""}, {10, status(StatusNew, StatusClosed), ""}},
		now:     500,
		want:    nil,
	}, {
		name:     "a calendar edited after a target was met leaves its deadline as it was",
		targets:  Targets{FirstResponse: ptr(120)},
		schedule: calendar.Schedule{{Calendar: calendar.Always()}, {From: at(100), Calendar: calendar.Calendar{Location: time.UTC}}},
		history:  []step{{0, opened, AuthorCustomer}, {30, agentReplied, ""}},
		now:      200,
		want:     []want{{kind: TargetFirstResponse, due: ptr(at(120)), met: ptr(at(30)), cycle: 1}},
	}, {
		name:     "business minutes: Friday 16:00 plus two hours is Monday 10:00",
		targets:  Targets{FirstResponse: ptr(120)},
		schedule: office(),
		history:  []step{{-3*24*60 + 7*60, opened, AuthorCustomer}}, // Friday 16:00
		now:      -3*24*60 + 7*60 + 1,
		want:     []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}},
	}, {
		name:     "a reply outside hours counts no business time",
		targets:  Targets{FirstResponse: ptr(60)},
		schedule: office(),
		history:  []step{{-2 * 60, opened, AuthorCustomer}}, // Monday 07:00
		now:      -60,
		want:     []want{{kind: TargetFirstResponse, due: ptr(at(60)), cycle: 1}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.schedule
			if s == nil {
				s = always
			}
			res := ComputeSLA(SLAInput{Policy: policyOf(tt.targets), Schedule: s, History: historyOf(tt.history...), Now: at(tt.now), WarnShare: 0.75})
			if res.SLA.PolicyID != 7 {
				t.Errorf("policy = %d, want 7", res.SLA.PolicyID)
			}
			if res.SLA.Paused != tt.paused {
				t.Errorf("paused = %v, want %v", res.SLA.Paused, tt.paused)
			}
			if len(res.SLA.Targets) != len(tt.want) {
				t.Fatalf("targets = %+v, want %d", res.SLA.Targets, len(tt.want))
			}
			for i, w := range tt.want {
				g := res.SLA.Targets[i]
				if g.Kind != w.kind || g.Cycle != w.cycle {
					t.Errorf("target %d = %s cycle %d, want %s cycle %d", i, g.Kind, g.Cycle, w.kind, w.cycle)
				}
				sameTime(t, string(g.Kind)+" due", g.DueAt, w.due)
				sameTime(t, string(g.Kind)+" met", g.MetAt, w.met)
				sameTime(t, string(g.Kind)+" breached", g.BreachedAt, w.breach)
				if g.Ended != w.ended {
					t.Errorf("%s ended = %v, want %v", g.Kind, g.Ended, w.ended)
				}
			}
			if len(res.Record) != len(tt.record) {
				t.Fatalf("record = %+v, want %+v", res.Record, tt.record)
			}
			for i := range tt.record {
				if res.Record[i] != tt.record[i] {
					t.Errorf("record %d = %+v, want %+v", i, res.Record[i], tt.record[i])
				}
			}
		})
	}
}

func sameTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, got, want)
	case !got.Equal(*want):
		t.Errorf("%s = %s, want %s", what, got.UTC().Format(time.DateTime), want.UTC().Format(time.DateTime))
	}
}

func TestChoosePolicy(t *testing.T) {
	team := int64(4)
	vip := &SLAPolicy{ID: 2, Position: 1, Conditions: PolicyConditions{Tiers: []Tier{TierPriority}}}
	urgent := &SLAPolicy{ID: 3, Position: 2, Conditions: PolicyConditions{Priorities: []Priority{PriorityUrgent}, TeamIDs: []int64{team}}}
	tagged := &SLAPolicy{ID: 4, Position: 3, Conditions: PolicyConditions{Tags: []string{"outage", "billing"}, Fields: map[string][]string{"plan": {"Gold"}}}}
	def := &SLAPolicy{ID: 1, Default: true}
	list := []*SLAPolicy{def, tagged, urgent, vip}
	SortPolicies(list)
	if list[0] != vip || list[3] != def {
		t.Fatalf("sorted = %v", list)
	}
	tests := []struct {
		name   string
		ticket Ticket
		tier   Tier
		want   *SLAPolicy
	}{
		{"the first match wins", Ticket{Priority: PriorityUrgent, TeamID: &team}, TierPriority, vip},
		{"every condition must hold", Ticket{Priority: PriorityUrgent}, TierStandard, def},
		{"conditions on priority and team", Ticket{Priority: PriorityUrgent, TeamID: &team}, "", urgent},
		{"one of the tags, and the field's value in any case", Ticket{Tags: []string{"billing"}, Fields: map[string]string{"plan": "gold"}}, "", tagged},
		{"a field without a value does not match", Ticket{Tags: []string{"billing"}}, "", def},
		{"no organization is the standard tier", Ticket{}, "", def},
	}
	for _, tt := range tests {
		if got := ChoosePolicy(list, &tt.ticket, tt.tier); got != tt.want {
			t.Errorf("%s: got policy %d, want %d", tt.name, got.ID, tt.want.ID)
		}
	}
}

// What lists order by and the At risk view finds: a breach not yet met
// comes first, one whose round ended asks nothing.
func TestTicketSLADeadlineAndRisk(t *testing.T) {
	for _, tt := range []struct {
		name           string
		targets        []SLATarget
		deadline, risk *time.Time
	}{
		{"running", []SLATarget{{Kind: TargetFirstResponse, DueAt: ptr(at(60)), WarnAt: ptr(at(45))}}, ptr(at(60)), ptr(at(45))},
		{"breached and unmet", []SLATarget{{Kind: TargetFirstResponse, DueAt: ptr(at(10)), BreachedAt: ptr(at(10))},
			{Kind: TargetResolution, DueAt: ptr(at(480)), WarnAt: ptr(at(360))}}, ptr(at(10)), ptr(at(10))},
		{"breached, then ended by solving", []SLATarget{{Kind: TargetFirstResponse, DueAt: ptr(at(10)), BreachedAt: ptr(at(10)), Ended: true},
			{Kind: TargetNextResponse, DueAt: ptr(at(90)), WarnAt: ptr(at(80))}}, ptr(at(90)), ptr(at(80))},
		{"only an ended breach", []SLATarget{{Kind: TargetFirstResponse, DueAt: ptr(at(10)), BreachedAt: ptr(at(10)), Ended: true}}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &TicketSLA{Targets: tt.targets}
			sameTime(t, "deadline", s.Deadline(), tt.deadline)
			sameTime(t, "risk", s.RiskAt(), tt.risk)
		})
	}
}
