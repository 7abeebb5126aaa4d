package demo

import (
	"slices"
	"time"

	"github.com/tendhq/tend"
)

// beat is a step before it has a date: what happens, and how long after
// the one before.
type beat struct {
	after time.Duration
	step  step
}

// story turns moves into beats, after the ticket's creation. The moves
// are:
//
//	ask     the owner asks for what they need (pending)
//	answer  the customer gives it
//	hold    the owner waits on someone else (on hold)
//	note    the owner writes an internal note
//	fix     the owner solves it (solved)
//	reopen  the customer finds it is not solved after all
//	refix   the owner solves it again
//	ack     the owner acknowledges it
//	chase   the customer asks for news
//	assign  the team lead hands it to the owner
//	close   the owner closes it
//
// and, added here: move (the wrong queue's lead passes it on), escalate
// (the lead makes it urgent) and watch (the manager asks to be kept
// posted).
func (p *planner) story(t *ticketPlan, moves []string) []beat {
	if t.status != tend.StatusNew {
		moves = p.extras(t, moves)
	}
	beats := []beat{{step: p.create(t)}}
	prev := ""
	for _, m := range moves {
		beats = append(beats, p.beat(t, m, prev)...)
		prev = m
	}
	return beats
}

// extras adds what happens to some tickets besides the conversation, all
// at triage, before the owner's first answer. The notes it adds count
// towards maxMessages: a ticket with a long conversation goes without.
func (p *planner) extras(t *ticketPlan, moves []string) []string {
	if moves[0] == "assign" && t.owner == t.team.lead {
		moves = moves[1:] // a lead does not hand a ticket to themselves
	}
	at := 0
	if t.filed != t.team {
		if messages(moves) >= maxMessages {
			t.filed = t.team
		} else {
			moves = append([]string{"move"}, moves...)
			at++
		}
	}
	escalated := t.sc.priority == tend.PriorityHigh && t.priority == tend.PriorityHigh && p.rng.Float64() < 0.15
	if escalated {
		moves = slices.Insert(moves, at, "escalate")
		at++
	}
	if (escalated || t.priority == tend.PriorityUrgent || slices.Contains(t.tags, "priority-account")) &&
		p.rng.Float64() < 0.3 && messages(moves) < maxMessages {
		moves = slices.Insert(moves, at, "watch")
	}
	return moves
}

// messages counts the messages a ticket with moves holds, its opening
// included.
func messages(moves []string) int {
	n := 1
	for _, m := range moves {
		switch m {
		case "assign", "escalate", "close":
		default:
			n++
		}
	}
	return n
}

// beat returns what move does, after prev.
func (p *planner) beat(t *ticketPlan, move, prev string) []beat {
	sc, after := t.sc, p.delay(t, move, prev)
	switch move {
	case "ask":
		return p.reply(t, after, sc.ask, tend.StatusPending, nil)
	case "hold":
		return p.reply(t, after, sc.hold, tend.StatusOnHold, nil)
	case "fix":
		return p.reply(t, after, sc.fix, tend.StatusSolved, sc.guide)
	case "refix":
		return p.reply(t, after, sc.refix, tend.StatusSolved, nil)
	case "ack":
		return p.reply(t, after, pick(p.rng, acks), "", nil)
	case "answer":
		return p.fromCustomer(t, after, sc.answer)
	case "reopen":
		return p.fromCustomer(t, after, sc.reopen)
	case "chase":
		return p.fromCustomer(t, after, pick(p.rng, chases))
	case "note":
		return p.note(t, t.owner, after, sc.note)
	case "watch":
		if slices.Contains(t.tags, "priority-account") {
			return p.note(t, t.team.manager, after, pick(p.rng, accountNotes))
		}
		return p.note(t, t.team.manager, after, pick(p.rng, urgentNotes))
	case "assign":
		return p.change(t.team.lead, after, &tend.TicketUpdate{OwnerID: &t.owner.id})
	case "escalate":
		urgent := tend.PriorityUrgent
		return p.change(t.team.lead, after, &tend.TicketUpdate{Priority: &urgent})
	case "close":
		closed := tend.StatusClosed
		return p.change(t.owner, after, &tend.TicketUpdate{Status: &closed})
	case "move":
		note := p.note(t, t.filed.lead, after, pick(p.rng, moveNotes))
		return append(note, p.change(t.filed.lead, time.Minute, &tend.TicketUpdate{TeamID: &t.team.id})...)
	}
	panic("demo: unknown move " + move)
}

// delay returns how long after prev someone gets round to move: staff
// answer within hours (faster when it is urgent), customers within a day
// or two, and third parties take days.
func (p *planner) delay(t *ticketPlan, move, prev string) time.Duration {
	r := p.rng
	switch {
	case move == "note" || move == "watch" || move == "escalate" || move == "move" || move == "assign":
		return between(r, 3*time.Minute, 40*time.Minute)
	case move == "answer":
		return between(r, 30*time.Minute, 30*time.Hour)
	case move == "reopen":
		return between(r, 6*time.Hour, 72*time.Hour)
	case move == "chase":
		return between(r, 3*time.Hour, 20*time.Hour)
	case move == "close":
		return between(r, 48*time.Hour, 120*time.Hour)
	case move == "fix" && (prev == "hold" || prev == "note"):
		return between(r, 24*time.Hour, 96*time.Hour)
	case prev == "" || prev == "move" || prev == "note" || prev == "assign" || prev == "escalate" || prev == "watch":
		return p.response(t)
	}
	return between(r, 20*time.Minute, 6*time.Hour)
}

// response returns how long a ticket waits for its first answer.
func (p *planner) response(t *ticketPlan) time.Duration {
	switch t.priority {
	case tend.PriorityUrgent:
		return between(p.rng, 5*time.Minute, 40*time.Minute)
	case tend.PriorityHigh:
		return between(p.rng, 15*time.Minute, 3*time.Hour)
	case tend.PriorityLow:
		return between(p.rng, 2*time.Hour, 24*time.Hour)
	}
	return between(p.rng, 40*time.Minute, 10*time.Hour)
}

// schedule dates the beats: the ticket opens at a random time in its
// status's age range, and if its story would run past now, the whole
// story is told faster, so that nothing happens in the future.
func (p *planner) schedule(t *ticketPlan, beats []beat) []*step {
	age := ageDays[t.status]
	days := age[0] + p.rng.Float64()*(age[1]-age[0])
	at := p.now.Add(-time.Duration(days * float64(24*time.Hour)))
	var total time.Duration
	for _, b := range beats[1:] {
		total += b.after
	}
	scale := 1.0
	if room := p.now.Sub(at) - time.Duration(len(beats))*time.Minute - 5*time.Minute; total > room {
		scale = float64(room) / float64(total)
	}
	steps := make([]*step, len(beats))
	for i, b := range beats {
		if i > 0 {
			at = at.Add(max(time.Duration(float64(b.after)*scale), time.Minute))
		}
		s := b.step
		s.at, s.ticket = at, t
		steps[i] = &s
	}
	return steps
}
