package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
)

// SLATimer is the River worker that looks at a ticket when a warning
// point or deadline of its service levels comes.
type SLATimer struct {
	river.WorkerDefaults[sqldb.SLATimer]
	Tickets *sqldb.TicketService
}

// Work records what is due; a ticket gone ends the job, and one woken
// early by River waits for its moment.
func (w *SLATimer) Work(ctx context.Context, job *river.Job[sqldb.SLATimer]) error {
	return timerOutcome(w.Tickets.SettleSLA(tend.SystemContext(ctx), job.Args.TicketID, job.Args.At))
}

// timerOutcome is how a timer's job ends: a ticket gone cancels it, an
// error retries it, and a moment not yet come by the database's clock
// snoozes it for the wait.
func timerOutcome(wait time.Duration, err error) error {
	switch {
	case tend.ErrorCode(err) == tend.ENOTFOUND:
		return river.JobCancel(err)
	case err != nil:
		return err
	case wait > 0:
		return river.JobSnooze(wait)
	}
	return nil
}

// SLARecompute is the River worker that lays out again the deadlines of
// every open ticket after a calendar or policy changed.
type SLARecompute struct {
	river.WorkerDefaults[sqldb.SLARecompute]
	Tickets *sqldb.TicketService
	Logger  *slog.Logger
}

func (w *SLARecompute) Work(ctx context.Context, job *river.Job[sqldb.SLARecompute]) error {
	n, err := w.Tickets.RecomputeSLA(tend.SystemContext(ctx), job.Args.Reason, false)
	if err != nil {
		return err
	}
	w.Logger.Info("service-level deadlines laid out again", "tickets", n, "reason", job.Args.Reason)
	return nil
}

// AutoClose is the River worker that closes a solved ticket the
// customer did not answer.
type AutoClose struct {
	river.WorkerDefaults[sqldb.AutoClose]
	Tickets *sqldb.TicketService
}

func (w *AutoClose) Work(ctx context.Context, job *river.Job[sqldb.AutoClose]) error {
	return timerOutcome(w.Tickets.CloseSolved(tend.SystemContext(ctx), job.Args.TicketID, job.Args.SolvedAt, job.Args.At))
}

// SLASweep is the River worker that queues the timer jobs coming within
// the horizon.
type SLASweep struct {
	river.WorkerDefaults[sqldb.SLASweep]
	Tickets *sqldb.TicketService
}

func (w *SLASweep) Work(ctx context.Context, job *river.Job[sqldb.SLASweep]) error {
	_, err := w.Tickets.QueueDueTimers(tend.SystemContext(ctx))
	return err
}

// SLAPeriodic are the periodic jobs of the service-level timers: the
// sweep, at start and every sqldb.SLASweepInterval.
func SLAPeriodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(sqldb.SLASweepInterval),
		func() (river.JobArgs, *river.InsertOpts) { return sqldb.SLASweep{}, nil },
		&river.PeriodicJobOpts{ID: "sla_sweep", RunOnStart: true})}
}

// AddSLAWorkers adds the workers of the timers the change path schedules
// (service levels, closing solved tickets): every queue that runs its
// jobs needs them.
func AddSLAWorkers(workers *river.Workers, tickets *sqldb.TicketService, logger *slog.Logger) {
	river.AddWorker(workers, &SLATimer{Tickets: tickets})
	river.AddWorker(workers, &SLARecompute{Tickets: tickets, Logger: logger})
	river.AddWorker(workers, &AutoClose{Tickets: tickets})
	river.AddWorker(workers, &SLASweep{Tickets: tickets})
}
