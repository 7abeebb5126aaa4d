package sqldb

import (
	"context"
	"strconv"
	"time"

	"github.com/tendhq/tend"
)

// AutoClose is the durable job that closes a solved ticket the customer
// did not answer: queued by the change that solved it, due the
// configured days later. A ticket reopened, or solved again, since is
// left alone; the job of the later solve closes it.
type AutoClose struct {
	TicketID int64     `json:"ticket_id"`
	SolvedAt time.Time `json:"solved_at"`
	At       time.Time `json:"at"`
}

// Kind names the job for the queue.
func (AutoClose) Kind() string { return "auto_close" }

// RunAt is when the job is due.
func (j AutoClose) RunAt() time.Time { return j.At }

// autoCloseDays reads how long a solved ticket waits to be closed.
func autoCloseDays(ctx context.Context, q *Tx) (int, error) {
	v, err := getSetting(ctx, q, "auto_close_days")
	if err != nil || v == "" {
		return tend.DefaultAutoCloseDays, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return tend.DefaultAutoCloseDays, nil
	}
	return n, nil
}

// scheduleAutoClose queues the closing of a ticket this change solved.
func (c *change) scheduleAutoClose(ctx context.Context) error {
	tx, t := c.tx, c.t
	if tx.db.Jobs == nil || t.Status != tend.StatusSolved || c.loaded.Status == tend.StatusSolved || t.SolvedAt == nil {
		return nil
	}
	days, err := autoCloseDays(ctx, tx)
	if err != nil {
		return err
	}
	return tx.db.Jobs.Enqueue(ctx, tx, AutoClose{TicketID: t.ID, SolvedAt: *t.SolvedAt, At: t.SolvedAt.AddDate(0, 0, days)})
}

// CloseSolved closes ticket id, as Tend, if it is still solved since
// solvedAt; it returns how long to wait when that moment has not yet come
// by the database's clock.
func (s *TicketService) CloseSolved(ctx context.Context, id int64, solvedAt, at time.Time) (wait time.Duration, err error) {
	var notices []tend.TicketChange
	err = s.db.write(ctx, func(tx *Tx) error {
		wait = 0
		c, err := changeTicket(ctx, tx, tend.Principal{System: true}, id, nil)
		if err != nil {
			return err
		}
		if c.t.Status != tend.StatusSolved || c.t.SolvedAt == nil || !c.t.SolvedAt.Equal(solvedAt) {
			return nil
		}
		if tx.now.Before(at) {
			wait = at.Sub(tx.now)
			return nil
		}
		closed := tend.StatusClosed
		if err := c.update(ctx, &tend.TicketUpdate{Status: &closed}); err != nil {
			return err
		}
		if err := c.commit(ctx); err != nil {
			return err
		}
		notices = c.notices
		return nil
	})
	if err == nil {
		s.notify(notices...)
	}
	return wait, err
}
