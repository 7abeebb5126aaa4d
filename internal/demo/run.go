package demo

import (
	"context"
	"fmt"

	"github.com/tendhq/tend"
)

// run carries out the steps in order, each at its own time and as the
// person who takes it.
func run(ctx context.Context, s Services, clk *clock, steps []*step) error {
	for _, st := range steps {
		clk.at = st.at
		if err := st.do(ctx, s); err != nil {
			return fmt.Errorf("ticket %q: %w", st.ticket.subject, err)
		}
	}
	return nil
}

func (st *step) do(ctx context.Context, s Services) error {
	t := st.ticket
	ctx = st.actor(ctx)
	switch {
	case st.create != nil:
		created, err := s.Tickets.CreateTicket(ctx, st.create)
		if err != nil {
			return err
		}
		t.id, t.customerID = created.ID, created.CustomerID
		return nil
	case st.msg != nil:
		_, err := s.Tickets.AddMessage(ctx, t.id, st.msg)
		return err
	}
	_, err := s.Tickets.UpdateTicket(ctx, t.id, st.update)
	return err
}

// actor returns ctx acting as whoever takes the step.
func (st *step) actor(ctx context.Context) context.Context {
	switch {
	case st.by != nil:
		return st.by.as(ctx)
	case st.create != nil:
		return tend.SystemContext(ctx)
	}
	return tend.NewContextWithPrincipal(ctx, tend.Principal{CustomerID: st.ticket.customerID})
}
