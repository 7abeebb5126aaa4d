package web

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tendhq/tend"
)

// Service levels as pages show them: each target's deadline in words,
// counted from the server's clock ("due in 2 h 10 min", "breached 14 min
// ago"), with the time itself in the reader's zone beside it. The script
// moves the words on as time passes (static/app.js, reword), from the
// moment the part of the page that shows them gives (data-now).

// deadlineView is one target as a page says it: Lead, Span and Tail
// make its words ("due in " "2 h 10 min" ""), Span counting from At to
// now (or back) when Rel.
type deadlineView struct {
	Label string // "First response"
	// State is due, risk (past the warning point), breached, met, late
	// (met after its breach) or paused; pages style by it, and the words
	// say it too.
	State            string
	Lead, Span, Tail string
	At               *time.Time
	// Rel says Span counts between At and now: "in" (At is ahead) or
	// "ago"; empty when Span does not move.
	Rel string
}

// Text is the view's words.
func (v deadlineView) Text() string { return v.Lead + v.Span + v.Tail }

// AtISO is At for the script, to the millisecond.
func (v deadlineView) AtISO() string {
	if v.At == nil {
		return ""
	}
	return isoMilli(*v.At)
}

// NowISO is the moment the view was laid out at, for the script.
func (v *slaView) NowISO() string { return isoMilli(v.Now) }

// isoMilli writes t for the script's Date.parse.
func isoMilli(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// AtRisk reports whether the target is past its warning point, unmet.
func (v deadlineView) AtRisk() bool { return v.State == "risk" }

// Late reports whether the target's deadline passed unmet, or was met
// after it.
func (v deadlineView) Late() bool { return v.State == "breached" || v.State == "late" }

// deadlineOf says where target t stands at now, on a ticket whose clocks
// are paused or not.
func deadlineOf(t tend.SLATarget, now time.Time, paused bool) deadlineView {
	v := deadlineView{Label: t.Kind.Label()}
	due := t.DueAt
	if t.BreachedAt != nil {
		due = t.BreachedAt
	}
	switch {
	case t.MetAt != nil && t.BreachedAt != nil:
		v.State, v.Lead, v.Span, v.Tail, v.At = "late", "met ", spanWords(t.MetAt.Sub(*t.BreachedAt)), " late", t.MetAt
	case t.MetAt != nil:
		v.State, v.Lead, v.At = "met", "met", t.MetAt
	case t.Ended && due != nil:
		// Missed, and then the round ended: the words stop counting.
		v.State, v.Lead, v.At = "breached", "breached", due
	case due == nil && paused:
		v.State, v.Lead = "paused", "paused"
	case due == nil:
		// Its calendar has too little open time for it within years.
		v.State, v.Lead = "never", "no deadline: its calendar is not open long enough"
	case !now.Before(*due):
		// Past its deadline, whether or not the timer has recorded it yet.
		v.State, v.Lead, v.Span, v.Tail, v.At, v.Rel = "breached", "breached ", spanWords(now.Sub(*due)), " ago", due, "ago"
	default:
		v.State, v.Lead, v.Span, v.At, v.Rel = "due", "due in ", spanWords(due.Sub(now)), due, "in"
		if t.AtRisk(now) {
			v.State = "risk"
		}
	}
	return v
}

// slaView is the ticket page's block of service levels.
type slaView struct {
	Now     time.Time
	Paused  bool
	Policy  string // "policy Default"
	Targets []deadlineView
}

// slaViewOf lays out s at now; nil when the ticket has no service levels.
func slaViewOf(s *tend.TicketSLA, policies map[int64]string, now time.Time) *slaView {
	if s == nil {
		return nil
	}
	v := &slaView{Now: now, Paused: s.Paused, Policy: policyWords(policies, s.PolicyID, "")}
	for _, t := range s.Targets {
		v.Targets = append(v.Targets, deadlineOf(t, now, s.Paused))
	}
	return v
}

// nextDeadline is what a list shows of a ticket's service levels: its
// earliest deadline passed and unmet, else its next deadline; nil when
// it has neither.
func nextDeadline(s *tend.TicketSLA, now time.Time) *deadlineView {
	if s == nil {
		return nil
	}
	var late, next *tend.SLATarget
	for i := range s.Targets {
		t := &s.Targets[i]
		due := t.DueAt
		if t.BreachedAt != nil {
			due = t.BreachedAt
		}
		switch {
		case t.MetAt != nil || due == nil || t.Ended:
		case !now.Before(*due):
			if late == nil || due.Before(*late.DueAt) {
				late = &tend.SLATarget{Kind: t.Kind, DueAt: due}
			}
		case next == nil || due.Before(*next.DueAt):
			next = t
		}
	}
	switch {
	case late != nil:
		// A list's column is narrow: "late 2 days 3 h", not "breached 2
		// days 3 h ago"; the mark and the colour say it is a breach.
		v := deadlineOf(*late, now, s.Paused)
		v.Lead, v.Tail = "late ", ""
		return &v
	case next != nil:
		v := deadlineOf(*next, now, s.Paused)
		return &v
	case s.Paused && slices.ContainsFunc(s.Targets, func(t tend.SLATarget) bool { return t.MetAt == nil && t.BreachedAt == nil }):
		return &deadlineView{State: "paused", Lead: "paused"}
	}
	return nil
}

// policyNames reads every service-level policy's name by id.
func (s *Server) policyNames(ctx context.Context) (map[int64]string, error) {
	names := map[int64]string{}
	if s.SLAPolicies == nil {
		return names, nil
	}
	policies, err := s.SLAPolicies.FindSLAPolicies(ctx)
	for _, p := range policies {
		names[p.ID] = p.Name
	}
	return names, err
}

// spanWords writes a length of time as a deadline says it, to the
// minute below: "45 min", "2 h 10 min", "3 days 4 h", and "under a
// minute". The script's spanWords says it the same way.
func spanWords(d time.Duration) string {
	d = d.Abs()
	day := 24 * time.Hour
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d < day:
		s := fmt.Sprintf("%d h", d/time.Hour)
		if m := d % time.Hour / time.Minute; m > 0 {
			s += fmt.Sprintf(" %d min", m)
		}
		return s
	}
	s := plural(int(d/day), "day")
	if h := d % day / time.Hour; h > 0 {
		s += fmt.Sprintf(" %d h", h)
	}
	return s
}
