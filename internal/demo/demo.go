// Package demo fills an empty database with a small, realistic help desk,
// so that a newcomer sees Tend at work at once.
//
// Everything goes through the same services the web and API use, acting
// as the person who would really have done it, at its time in the past
// walks through the last two months: the demo obeys every rule real data
// does, and its history reads like a real one.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tendhq/tend"
)

// Password signs in every demo agent.
const Password = "tend-demo-password"

// Services are the services the demo is created through, so that demo data
// obeys every rule real data does.
type Services struct {
	Agents        tend.AgentService
	Teams         tend.TeamService
	Organizations tend.OrganizationService
	Customers     tend.CustomerService
	Tickets       tend.TicketService
	Settings      tend.SettingsService
	// Mailboxes, when set, gets the demo's support address, so that mail
	// sent to Tend's SMTP listener opens tickets at once.
	Mailboxes tend.MailboxService
	// Macros, when set, gets the demo's canned replies.
	Macros tend.MacroService
	// Fields, when set, gets the demo's custom ticket fields.
	Fields tend.FieldService
}

// ErrNotEmpty is returned by Seed for a database that holds a help desk
// other than the demo. It is a plain error, not a tend.Error: it ends up
// on the command line, so it reads as a sentence.
var ErrNotEmpty = errors.New("--demo needs an empty database, and the data folder or database already holds a help desk; " +
	"start with an empty --data folder")

// SignIn is a demo account.
type SignIn struct {
	Name  string
	Email string
	Role  tend.Role
}

// signIns returns the demo accounts, admin first.
func signIns() []SignIn {
	out := make([]SignIn, len(staff))
	for i, m := range staff {
		out[i] = SignIn{Name: m.name, Email: m.email, Role: m.role}
	}
	return out
}

// Seed fills an empty database with the demo help desk and returns the demo
// sign-ins. On a database it seeded before, it only returns the sign-ins;
// on any other database that holds data, it returns ErrNotEmpty.
func Seed(ctx context.Context, s Services) ([]SignIn, error) {
	seeded, err := checkEmpty(ctx, s)
	if err != nil {
		return nil, err
	}
	if seeded {
		return signIns(), nil
	}

	now := time.Now()
	d, err := setUp(ctx, s, now.Add(-setUpAge))
	if err != nil {
		return nil, err
	}
	if err := run(ctx, s, plan(d, now)); err != nil {
		return nil, err
	}
	if s.Macros != nil {
		if err := createMacros(ctx, s, d); err != nil {
			return nil, err
		}
	}
	if s.Fields != nil {
		if err := createFields(ctx, s, d); err != nil {
			return nil, err
		}
	}
	if s.Mailboxes != nil {
		// Added after the history, whose replies went out long ago.
		teamID := d.teams[support].id
		if _, err := s.Mailboxes.CreateMailbox(d.admin.as(ctx), &tend.MailboxCreate{Address: SupportAddress, Name: deskName,
			TeamID: &teamID}); err != nil {
			return nil, fmt.Errorf("create the support address: %w", err)
		}
	}
	// Naming the desk comes last: it marks the demo as complete.
	if _, err := s.Settings.UpdateSettings(d.admin.as(ctx), &tend.Settings{Name: deskName}); err != nil {
		return nil, fmt.Errorf("name the help desk: %w", err)
	}
	return signIns(), nil
}

// SupportAddress is the demo's support address: mail to it over SMTP
// opens a ticket for the Support team.
const SupportAddress = "support@demo.example"

// deskName is the demo help desk's name, set when seeding finishes.
const deskName = company + " Support"

// ErrInterrupted is returned by Seed for a demo that an earlier run began
// but did not finish.
var ErrInterrupted = errors.New("an earlier --demo run stopped before the demo was complete; start again with an empty --data folder")

// setUpAge is how long before now the demo help desk opened: a little
// before its oldest ticket.
const setUpAge = 62 * 24 * time.Hour

// checkEmpty reports whether the demo is there already, and refuses a
// database that holds anything else: seeding would mix invented tickets
// into someone's real help desk.
func checkEmpty(ctx context.Context, s Services) (seeded bool, err error) {
	sys := tend.SystemContext(ctx)
	admins, _, err := s.Agents.FindAgents(sys, tend.AgentFilter{Email: staff[0].email, Limit: 1})
	if err != nil {
		return false, fmt.Errorf("look for the demo: %w", err)
	}
	if len(admins) > 0 {
		st, err := s.Settings.FindSettings(sys)
		if err != nil {
			return false, fmt.Errorf("look for the demo: %w", err)
		}
		if st.Name != deskName {
			return false, ErrInterrupted
		}
		return true, nil
	}
	agents, _, err := s.Agents.FindAgents(sys, tend.AgentFilter{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("look for agents: %w", err)
	}
	tickets, _, err := s.Tickets.FindTickets(sys, tend.TicketFilter{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("look for tickets: %w", err)
	}
	if len(agents) > 0 || len(tickets) > 0 {
		return false, ErrNotEmpty
	}
	return false, nil
}
