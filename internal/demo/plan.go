package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// ticketPlan is one demo ticket: who asks what, who handles it, and where
// it ends. The ids are filled in when the ticket is created.
type ticketPlan struct {
	sc       *scenario
	status   tend.Status
	customer *customer
	team     *team // whose queue it belongs in
	filed    *team // where it arrived: nil while untriaged, or the wrong queue
	owner    *agent
	subject  string
	priority tend.Priority
	channel  tend.Channel
	tags     []string
	words    *strings.Replacer

	id, customerID int64
}

// step is one thing that happens to a ticket at one moment: its creation,
// a message, or a change. by is nil where the customer acts, or Tend's
// intake creates the ticket.
type step struct {
	at     time.Time
	ticket *ticketPlan
	by     *agent
	create *tend.TicketCreate
	msg    *tend.MessageCreate
	update *tend.TicketUpdate
}

// ticketCount is how many tickets the demo holds, and statusShare how
// they end: a queue with work at every stage, most of it answered.
const ticketCount = 300

var statusShare = []struct {
	status tend.Status
	share  float64
}{
	{tend.StatusNew, 0.15}, {tend.StatusOpen, 0.25}, {tend.StatusPending, 0.15},
	{tend.StatusOnHold, 0.10}, {tend.StatusSolved, 0.25}, {tend.StatusClosed, 0.10},
}

// ageDays bounds how long ago a ticket ending in each status was opened:
// new tickets arrived lately, closed ones weeks ago.
var ageDays = map[tend.Status][2]float64{
	tend.StatusNew:     {0.02, 2.5},
	tend.StatusOpen:    {0.2, 9},
	tend.StatusPending: {0.3, 12},
	tend.StatusOnHold:  {1, 20},
	tend.StatusSolved:  {2, 45},
	tend.StatusClosed:  {9, 59},
}

// flows are the stories that end in each status, as moves (see beat).
var flows = map[tend.Status][]string{
	tend.StatusNew:     {"", "", "chase"},
	tend.StatusOpen:    {"ack", "ask answer", "ack note", "fix reopen", "ask answer note", "assign ack"},
	tend.StatusPending: {"ask", "ask", "note ask", "ack ask"},
	tend.StatusOnHold:  {"hold note", "ask answer hold note", "note hold"},
	tend.StatusSolved: {"fix", "fix", "fix", "ask answer fix", "fix reopen refix", "hold note fix",
		"ask answer hold note fix", "ack ask answer fix"},
	tend.StatusClosed: {"fix close", "fix close", "fix close", "ask answer fix close", "fix reopen refix close",
		"hold note fix close"},
}

// maxMessages caps a conversation, so that a ticket reads at a glance.
const maxMessages = 6

type planner struct {
	rng       *rand.Rand
	d         *desk
	now       time.Time
	scenarios []*scenario
	used      map[*scenario]int
}

// plan writes the demo's history as steps in the order they happen. It
// draws from a fixed seed, so the demo is the same every time; only the
// dates move with now.
func plan(d *desk, now time.Time) []*step {
	p := &planner{rng: rand.New(rand.NewPCG(1, 2)), d: d, now: now, used: map[*scenario]int{}}
	for _, list := range [][]scenario{supportScenarios, billingScenarios, technicalScenarios} {
		for i := range list {
			p.scenarios = append(p.scenarios, &list[i])
		}
	}
	var steps []*step
	for _, status := range p.statuses() {
		steps = append(steps, p.ticket(status)...)
	}
	slices.SortStableFunc(steps, func(a, b *step) int { return a.at.Compare(b.at) })
	return steps
}

// statuses returns the final status of every ticket, shuffled.
func (p *planner) statuses() []tend.Status {
	var out []tend.Status
	for _, s := range statusShare {
		for range int(s.share*ticketCount + 0.5) {
			out = append(out, s.status)
		}
	}
	p.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// ticket plans one ticket that ends in status.
func (p *planner) ticket(status tend.Status) []*step {
	sc := p.scenario(status)
	t := &ticketPlan{sc: sc, status: status, customer: p.customer(sc), team: p.d.teams[sc.team],
		subject: pick(p.rng, sc.subjects), priority: sc.priority, tags: sc.tags}
	t.owner = p.owner(t.team)
	t.channel = p.channel(status)
	if o := t.customer.org; o != nil && o.tier == tend.TierPriority {
		t.tags = append(slices.Clone(t.tags), "priority-account")
		if t.priority == tend.PriorityNormal && p.rng.IntN(2) == 0 {
			t.priority = tend.PriorityHigh
		}
	}
	t.words = p.words(t)
	t.subject = t.words.Replace(t.subject)
	t.filed = t.team
	switch {
	case status == tend.StatusNew && p.rng.Float64() < 0.35:
		t.filed = nil // not triaged yet
	case status != tend.StatusNew && sc.team == billing && !t.taken() && p.rng.Float64() < 0.2:
		t.filed = p.d.teams[support] // customers often take a bill for a general question
	}
	return p.schedule(t, p.story(t, p.flow(status, sc)))
}

// words returns what fills the placeholders of t's texts (see scenario).
// Every text a ticket shows, its subject included, goes through it.
func (p *planner) words(t *ticketPlan) *strings.Replacer {
	org := ""
	if t.customer.org != nil {
		org = t.customer.org.name
	}
	return strings.NewReplacer("{first}", t.customer.first(), "{name}", t.customer.name, "{org}", org,
		"{agent}", t.owner.first, "{lead}", t.team.lead.first,
		"{order}", fmt.Sprintf("HC-%06d", 210000+p.rng.IntN(60000)),
		"{serial}", fmt.Sprintf("HX%02d-%05d", 20+p.rng.IntN(6), p.rng.IntN(100000)))
}

// scenario picks a request that can end in status, preferring the less
// told of two, so that all are told about equally often.
func (p *planner) scenario(status tend.Status) *scenario {
	var fit []*scenario
	for _, sc := range p.scenarios {
		if (status != tend.StatusOnHold || sc.hold != "") && (sc.limit == 0 || p.used[sc] < sc.limit) {
			fit = append(fit, sc)
		}
	}
	a, b := pick(p.rng, fit), pick(p.rng, fit)
	if p.used[b] < p.used[a] {
		a = b
	}
	p.used[a]++
	return a
}

// flow picks a story the scenario can tell.
func (p *planner) flow(status tend.Status, sc *scenario) []string {
	var fit []string
	for _, f := range flows[status] {
		if (sc.hold == "" && strings.Contains(f, "hold")) || (sc.reopen == "" && strings.Contains(f, "reopen")) {
			continue
		}
		fit = append(fit, f)
	}
	return strings.Fields(pick(p.rng, fit))
}

// customer picks who may ask sc. Half the time it is someone who has
// asked least so far, so that every customer appears; otherwise anyone,
// so that some ask often.
func (p *planner) customer(sc *scenario) *customer {
	var pool []*customer
	for _, c := range p.d.customers {
		if sc.asks(c) {
			pool = append(pool, c)
		}
	}
	if p.rng.IntN(2) == 0 {
		least := slices.MinFunc(pool, func(a, b *customer) int { return a.tickets - b.tickets }).tickets
		pool = slices.DeleteFunc(pool, func(c *customer) bool { return c.tickets > least })
	}
	c := pick(p.rng, pool)
	c.tickets++
	return c
}

// owner picks who handles a ticket; leads take fewer than agents.
func (p *planner) owner(t *team) *agent {
	var pool []*agent
	for _, a := range t.workers {
		pool = append(pool, a)
		if a.role == tend.RoleAgent {
			pool = append(pool, a)
		}
	}
	return pick(p.rng, pool)
}

// channel picks how a ticket arrived. New tickets came in unattended, not
// by a call or chat someone took.
func (p *planner) channel(status tend.Status) tend.Channel {
	r := p.rng.Float64()
	switch {
	case r < 0.48:
		return tend.ChannelEmail
	case r < 0.68:
		return tend.ChannelWeb
	case r < 0.82 || status == tend.StatusNew:
		return tend.ChannelPortal
	case r < 0.93:
		return tend.ChannelChat
	}
	return tend.ChannelPhone
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// between returns a random duration in [lo, hi).
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}
