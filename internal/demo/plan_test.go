package demo

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
)

// testDesk returns a desk as set-up would create it, without a database.
func testDesk() *desk {
	agents := map[string]*agent{}
	for i, m := range staff {
		agents[m.email] = &agent{id: int64(i + 1), name: m.name, first: firstName(m.name), role: m.role}
	}
	d := &desk{teams: map[teamKey]*team{}, customers: people()}
	for i, spec := range teams {
		t, _ := newTeam(spec, agents)
		t.id = int64(i + 1)
		d.teams[spec.key] = t
	}
	return d
}

// describe renders steps with their dates relative to now, to compare plans.
func describe(steps []*step, now time.Time) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		by := "customer"
		if s.by != nil {
			by = s.by.name
		}
		line := fmt.Sprintf("%v %q by %s: ", now.Sub(s.at), s.ticket.subject, by)
		switch {
		case s.create != nil:
			line += fmt.Sprintf("create %s %s %v %q", s.create.Customer.Email, s.create.Priority, s.create.Tags, s.create.Body)
		case s.msg != nil:
			line += fmt.Sprintf("%s %v %q", s.msg.Kind, deref(s.msg.Status), s.msg.Body)
		default:
			line += fmt.Sprintf("update %v %v %v %v", deref(s.update.Status), deref(s.update.OwnerID), deref(s.update.TeamID), deref(s.update.Priority))
		}
		out[i] = line
	}
	return out
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPlanIsTheSameEveryTime(t *testing.T) {
	now := time.Now()
	a, b := describe(plan(testDesk(), now), now), describe(plan(testDesk(), now.Add(time.Hour)), now.Add(time.Hour))
	if len(a) != len(b) {
		t.Fatalf("plans have %d and %d steps", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
}

func TestPlanTellsConsistentStories(t *testing.T) {
	now := time.Now()
	steps := plan(testDesk(), now)
	last := map[*ticketPlan]time.Time{}
	messages := map[*ticketPlan]int{}
	var writes int
	for i, s := range steps {
		if s.at.After(now) || s.at.Before(now.Add(-setUpAge)) {
			t.Errorf("step %d of %q happens at %v, outside the last two months", i, s.ticket.subject, s.at)
		}
		if prev, ok := last[s.ticket]; ok && !s.at.After(prev) {
			t.Errorf("step %d of %q at %v is not after the step before it at %v", i, s.ticket.subject, s.at, prev)
		} else if !ok && s.create == nil {
			t.Errorf("step %d of %q comes before its ticket is created", i, s.ticket.subject)
		}
		last[s.ticket] = s.at
		if s.create != nil || s.msg != nil {
			messages[s.ticket]++
		}
		writes++
	}
	if len(last) != ticketCount {
		t.Errorf("%d tickets, want %d", len(last), ticketCount)
	}
	for tp, n := range messages {
		if n > maxMessages {
			t.Errorf("%q has %d messages, want at most %d", tp.subject, n, maxMessages)
		}
		if tp.status != tend.StatusNew && tp.filed == nil {
			t.Errorf("%q ends %s without a team", tp.subject, tp.status)
		}
	}
	t.Logf("%d steps for %d tickets", writes, len(last))
}

func TestPlanUsesEveryone(t *testing.T) {
	d := testDesk()
	steps := plan(d, time.Now())
	scenarios := map[*scenario]bool{}
	for _, s := range steps {
		scenarios[s.ticket.sc] = true
	}
	if n := len(supportScenarios) + len(billingScenarios) + len(technicalScenarios); len(scenarios) != n {
		t.Errorf("%d of %d scenarios told", len(scenarios), n)
	}
	for _, c := range d.customers {
		if c.tickets == 0 {
			t.Errorf("customer %s has no ticket", c.name)
		}
	}
}

// placeholder matches a {word} left in a text that was meant to be filled.
var placeholder = regexp.MustCompile(`\{[A-Za-z_]+\}`)

func TestPlanFillsEveryPlaceholder(t *testing.T) {
	for _, s := range plan(testDesk(), time.Now()) {
		texts := map[string]string{"plan subject": s.ticket.subject}
		var files []*tend.AttachmentInput
		switch {
		case s.create != nil:
			texts["subject"], texts["opening"], files = s.create.Subject, s.create.Body, s.create.Attachments
		case s.msg != nil:
			texts[string(s.msg.Kind)], files = s.msg.Body, s.msg.Attachments
		}
		for _, f := range files {
			texts[f.Name] = string(f.Data)
		}
		for what, text := range texts {
			if m := placeholder.FindString(text); m != "" {
				t.Errorf("%s of %q leaves %s unfilled: %q", what, s.ticket.subject, m, text)
			}
		}
	}
}

// TestEveryTextFillsItsPlaceholders covers the texts the fixed seed of
// TestPlanFillsEveryPlaceholder happens not to pick.
func TestEveryTextFillsItsPlaceholders(t *testing.T) {
	d := testDesk()
	p := &planner{rng: rand.New(rand.NewPCG(1, 2)), d: d}
	var business *customer
	for _, c := range d.customers {
		if c.org != nil {
			business = c
			break
		}
	}
	tp := &ticketPlan{customer: business, team: d.teams[support], owner: d.teams[support].workers[0]}
	words := p.words(tp)
	check := func(what string, texts ...string) {
		t.Helper()
		for _, text := range texts {
			if m := placeholder.FindString(words.Replace(text)); m != "" {
				t.Errorf("%s leaves %s unfilled: %q", what, m, text)
			}
		}
	}
	for _, list := range [][]scenario{supportScenarios, billingScenarios, technicalScenarios} {
		for _, sc := range list {
			texts := append(slices.Clone(sc.subjects), sc.opening, sc.ask, sc.answer, sc.hold, sc.note, sc.fix, sc.reopen, sc.refix)
			for _, f := range []*file{sc.attach, sc.guide} {
				if f != nil {
					texts = append(texts, f.name, f.body)
				}
			}
			check(fmt.Sprintf("scenario %q", sc.subjects[0]), texts...)
			if !sc.business && len(sc.orgs) == 0 {
				for _, text := range texts {
					if strings.Contains(text, "{org}") {
						t.Errorf("scenario %q says {org}, but households ask it too: %q", sc.subjects[0], text)
					}
				}
			}
		}
	}
	check("a shared phrase", slices.Concat(acks, chases, accountNotes, urgentNotes, moveNotes)...)
	// Greetings and sign-offs are not filled at all.
	for _, text := range slices.Concat(greetings, signOffs, agentSignOffs) {
		if m := placeholder.FindString(text); m != "" {
			t.Errorf("greeting or sign-off %q says %s, which nothing fills", text, m)
		}
	}
}
