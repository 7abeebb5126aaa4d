package demo

import (
	"context"
	"fmt"

	"github.com/tendhq/tend"
	"golang.org/x/sync/errgroup"
)

// run carries out the steps, each at its own time and as the person who
// takes it. Tickets are created one after another, so that their numbers
// follow their dates; then each ticket's story plays out in order, several
// tickets at once, which the database's concurrency makes much faster.
func run(ctx context.Context, s Services, steps []*step) error {
	stories := map[*ticketPlan][]*step{}
	var order []*ticketPlan
	for _, st := range steps {
		if st.create != nil {
			if err := st.do(ctx, s); err != nil {
				return fmt.Errorf("ticket %q: %w", st.ticket.subject, err)
			}
			order = append(order, st.ticket)
			continue
		}
		stories[st.ticket] = append(stories[st.ticket], st)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, t := range order {
		g.Go(func() error {
			for _, st := range stories[t] {
				if err := st.do(gctx, s); err != nil {
					return fmt.Errorf("ticket %q: %w", t.subject, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func (st *step) do(ctx context.Context, s Services) error {
	t := st.ticket
	ctx = tend.NewContextWithTime(st.actor(ctx), st.at)
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
