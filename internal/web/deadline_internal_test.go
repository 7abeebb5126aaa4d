package web

import (
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestSpanWords(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "under a minute"},
		{45 * time.Second, "under a minute"},
		{-45 * time.Second, "under a minute"},
		{time.Minute, "1 min"},
		{90 * time.Second, "1 min"},
		{14 * time.Minute, "14 min"},
		{-14 * time.Minute, "14 min"},
		{59*time.Minute + 59*time.Second, "59 min"},
		{time.Hour, "1 h"},
		{2*time.Hour + 10*time.Minute, "2 h 10 min"},
		{23*time.Hour + 59*time.Minute, "23 h 59 min"},
		{24 * time.Hour, "1 day"},
		{24*time.Hour + 59*time.Minute, "1 day"},
		{25 * time.Hour, "1 day 1 h"},
		{3*24*time.Hour + 4*time.Hour + 30*time.Minute, "3 days 4 h"},
		{40 * 24 * time.Hour, "40 days"},
	} {
		if got := spanWords(c.d); got != c.want {
			t.Errorf("spanWords(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

// Each target reads as where it stands: due, at risk, breached (recorded
// or not yet), met, met late, paused.
func TestDeadlineOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, c := range []struct {
		name   string
		target tend.SLATarget
		state  string
		text   string
	}{
		{"due", tend.SLATarget{Kind: tend.TargetFirstResponse, DueAt: at(130 * time.Minute), WarnAt: at(time.Hour)}, "due", "due in 2 h 10 min"},
		{"at risk", tend.SLATarget{Kind: tend.TargetFirstResponse, DueAt: at(20 * time.Minute), WarnAt: at(-time.Minute)}, "risk", "due in 20 min"},
		{"past, not recorded", tend.SLATarget{Kind: tend.TargetResolution, DueAt: at(-14 * time.Minute), WarnAt: at(-time.Hour)}, "breached", "breached 14 min ago"},
		{"breached", tend.SLATarget{Kind: tend.TargetResolution, DueAt: at(-3 * time.Hour), BreachedAt: at(-3 * time.Hour)}, "breached", "breached 3 h ago"},
		{"met", tend.SLATarget{Kind: tend.TargetNextResponse, DueAt: at(time.Hour), MetAt: at(-time.Minute)}, "met", "met"},
		{"met late", tend.SLATarget{Kind: tend.TargetNextResponse, DueAt: at(-time.Hour), BreachedAt: at(-time.Hour), MetAt: at(-40 * time.Minute)}, "late", "met 20 min late"},
		{"paused", tend.SLATarget{Kind: tend.TargetResolution}, "paused", "paused"},
		{"breached, then ended by solving", tend.SLATarget{Kind: tend.TargetFirstResponse, DueAt: at(-3 * time.Hour), BreachedAt: at(-3 * time.Hour), Ended: true}, "breached", "breached"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := deadlineOf(c.target, now, true)
			if v.State != c.state || v.Text() != c.text {
				t.Errorf("got %s %q, want %s %q", v.State, v.Text(), c.state, c.text)
			}
			if v.Label != c.target.Kind.Label() {
				t.Errorf("label %q", v.Label)
			}
		})
	}
}

// A list shows a ticket's earliest unmet breach before its next
// deadline, and nothing for a ticket without either.
func TestNextDeadline(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, c := range []struct {
		name string
		sla  *tend.TicketSLA
		want string
	}{
		{"none", nil, ""},
		{"all met", &tend.TicketSLA{Targets: []tend.SLATarget{{Kind: tend.TargetFirstResponse, MetAt: at(-time.Hour)}}}, ""},
		{"soonest", &tend.TicketSLA{Targets: []tend.SLATarget{
			{Kind: tend.TargetFirstResponse, DueAt: at(3 * time.Hour)},
			{Kind: tend.TargetResolution, DueAt: at(5 * time.Minute)}}}, "Resolution due in 5 min"},
		{"breach first", &tend.TicketSLA{Targets: []tend.SLATarget{
			{Kind: tend.TargetNextResponse, DueAt: at(time.Minute)},
			{Kind: tend.TargetFirstResponse, DueAt: at(-5 * time.Minute), BreachedAt: at(-5 * time.Minute)},
			{Kind: tend.TargetResolution, DueAt: at(-2 * time.Minute)}}}, "First response late 5 min"},
		{"met late is done", &tend.TicketSLA{Targets: []tend.SLATarget{
			{Kind: tend.TargetFirstResponse, BreachedAt: at(-5 * time.Minute), MetAt: at(-time.Minute)}}}, ""},
		{"a breach ended by solving is past", &tend.TicketSLA{Targets: []tend.SLATarget{
			{Kind: tend.TargetFirstResponse, DueAt: at(-time.Hour), BreachedAt: at(-time.Hour), Ended: true},
			{Kind: tend.TargetNextResponse, DueAt: at(20 * time.Minute)}}}, "Next response due in 20 min"},
		{"paused: said, not a dash", &tend.TicketSLA{Paused: true, Targets: []tend.SLATarget{{Kind: tend.TargetResolution}}}, " paused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if v := nextDeadline(c.sla, now); v != nil {
				got = v.Label + " " + v.Text()
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
