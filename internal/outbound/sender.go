package outbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
)

// Store is what sending needs of the database.
type Store interface {
	FindOutbound(ctx context.Context, id int64) (*tend.OutboundMail, error)
	MarkSent(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, reason string, final bool) error
}

// Sender is the River worker that sends one outbound mail.
type Sender struct {
	river.WorkerDefaults[tend.SendMail]
	Store     Store
	Content   func(sha256 string) (io.ReadCloser, error)
	Transport Transport
	Logger    *slog.Logger
	// Retry is how long to wait after each failed attempt; nil is
	// RetrySchedule.
	Retry []time.Duration
}

// Work sends the mail. A mail already sent is not sent again: River may
// run a job twice when Tend stops between sending and recording it. A
// permanent failure, or the last attempt, gives up and says so on the
// ticket; anything else is retried with backoff.
func (s *Sender) Work(ctx context.Context, job *river.Job[tend.SendMail]) error {
	o, err := s.Store.FindOutbound(ctx, job.Args.OutboundID)
	if tend.ErrorCode(err) == tend.ENOTFOUND {
		return river.JobCancel(err)
	} else if err != nil {
		return err
	}
	if o.Status != "queued" {
		return nil
	}
	Write(o)
	data, err := Compose(o, s.Content)
	if err != nil {
		return s.fail(ctx, o, job, &PermanentError{Err: err})
	}
	from, to := envelope(o)
	if err := s.Transport.Send(ctx, from, to, o.MailMessageID, data); err != nil {
		return s.fail(ctx, o, job, err)
	}
	s.Logger.Info("mail sent", "outbound_id", o.ID, "kind", o.Kind, "to", o.To.Email, "message_id", o.MailMessageID)
	return s.Store.MarkSent(ctx, o.ID)
}

// RetrySchedule is how long to wait after each failed attempt, as mail
// servers do: soon at first, for a passing hiccup, then ever more rarely,
// for about a day and a half in all before giving up.
var RetrySchedule = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	3 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour, 12 * time.Hour}

// NextRetry implements river.Worker.
func (s *Sender) NextRetry(job *river.Job[tend.SendMail]) time.Time {
	schedule := s.Retry
	if schedule == nil {
		schedule = RetrySchedule
	}
	return time.Now().Add(schedule[min(max(job.Attempt-1, 0), len(schedule)-1)])
}

func (s *Sender) fail(ctx context.Context, o *tend.OutboundMail, job *river.Job[tend.SendMail], err error) error {
	var perm *PermanentError
	final := errors.As(err, &perm) || job.Attempt >= job.MaxAttempts
	s.Logger.Warn("mail not sent", "outbound_id", o.ID, "attempt", job.Attempt, "final", final, "err", err)
	if markErr := s.Store.MarkFailed(ctx, o.ID, err.Error(), final); markErr != nil {
		return markErr
	}
	if final {
		return river.JobCancel(err)
	}
	return err
}

// NotificationSender is the River worker that mails one notification to
// its agent. A retry writes the same mail (its Message-ID is the
// notification's), so the outbox folder keeps one; a relay that took the
// mail before Tend stopped may be given it again.
type NotificationSender struct {
	river.WorkerDefaults[tend.NotificationMail]
	Store     tend.NotificationMailStore
	Transport Transport
	Logger    *slog.Logger
}

// Work sends the mail; with nothing to send (no support address, the
// agent deactivated) the job ends.
func (s *NotificationSender) Work(ctx context.Context, job *river.Job[tend.NotificationMail]) error {
	o, err := s.Store.FindNotificationMail(ctx, job.Args.NotificationID)
	if err := sendAlone(ctx, s.Transport, o, err); err != nil {
		return err
	}
	s.Logger.Info("notification mailed", "notification_id", o.ID, "to", o.To.Email)
	return nil
}

// sendAlone hands o, a mail to one person about no ticket's conversation
// (a notification, an invitation), to the transport, found with err. A
// mail that is gone, cannot be written or is refused for good ends the
// job; anything else is tried again.
func sendAlone(ctx context.Context, t Transport, o *tend.OutboundMail, err error) error {
	if tend.ErrorCode(err) == tend.ENOTFOUND {
		return river.JobCancel(err)
	} else if err != nil {
		return err
	}
	data, err := Compose(o, nil)
	if err != nil {
		return river.JobCancel(err)
	}
	if err := t.Send(ctx, o.ReturnPath, []string{o.To.Email}, o.MailMessageID, data); err != nil {
		var perm *PermanentError
		if errors.As(err, &perm) {
			return river.JobCancel(err)
		}
		return err
	}
	return nil
}

// InvitationSender is the River worker that mails an invitation's link
// to its agent. A retry writes the same mail (its Message-ID and date are
// the invitation's); once the transport has it, the secret kept for it is
// forgotten.
type InvitationSender struct {
	river.WorkerDefaults[tend.InvitationMail]
	Store     tend.InvitationMailStore
	Transport Transport
	Logger    *slog.Logger
	// BaseURL, if set, is what the link starts with (tend serve
	// --base-url); else the address under Settings → General.
	BaseURL string
}

// Work sends the mail; with nothing to send (the invitation mailed, spent,
// replaced or expired, the agent deactivated, no mailbox) the job ends.
func (s *InvitationSender) Work(ctx context.Context, job *river.Job[tend.InvitationMail]) error {
	o, err := s.Store.FindInvitationMail(ctx, job.Args.Hash, s.BaseURL)
	if err := sendAlone(ctx, s.Transport, o, err); err != nil {
		return err
	}
	s.Logger.Info("invitation mailed", "agent_id", o.ID, "to", o.To.Email)
	return s.Store.MarkInvitationMailed(ctx, job.Args.Hash)
}
