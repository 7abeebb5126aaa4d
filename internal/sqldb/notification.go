package sqldb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tendhq/tend"
)

// NotificationService keeps agents' notifications and the tickets they
// follow. The notifications themselves are written by the change that
// causes them (notifyChange, from change.commit).
type NotificationService struct {
	db *DB
}

func NewNotificationService(db *DB) *NotificationService { return &NotificationService{db: db} }

var _ tend.NotificationService = (*NotificationService)(nil)

// notifyChange records, in the change's transaction, a notification for
// each agent who hears of it (tend.NoticesFor), and returns whom it told.
func (c *change) notifyChange(ctx context.Context) ([]int64, error) {
	if len(c.entries) == 0 || c.onlyBookkeeping() {
		return nil, nil
	}
	tx, t := c.tx, c.t
	facts := tend.ChangeFacts{Actor: c.p, OwnerBefore: c.loaded.OwnerID, OwnerAfter: t.OwnerID, Notes: c.notes, HandOver: c.handOver}
	customerWrote, slaNews := false, false
	for _, e := range c.entries {
		facts.Events = append(facts.Events, e.data)
		switch d := e.data.(type) {
		case tend.MessageAdded:
			customerWrote = customerWrote || d.AuthorType == tend.AuthorCustomer
		case tend.SLAWarning, tend.SLABreached:
			slaNews = true
		}
	}
	var err error
	if slaNews && t.TeamID != nil {
		if err := tx.queryRow(ctx, `SELECT lead_id FROM teams WHERE id = $1`, *t.TeamID).Scan(&facts.TeamLead); err != nil {
			return nil, fmt.Errorf("team lead: %w", err)
		}
	}
	if facts.Followers, err = queryAll(ctx, tx, scanID, `SELECT agent_id FROM ticket_followers f JOIN agents a ON a.id = f.agent_id
		WHERE f.ticket_id = $1 AND a.active = $2 ORDER BY agent_id`, t.ID, true); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(c.notes, func(n string) bool { return strings.Contains(n, "@") }) {
		facts.Staff, err = queryAll(ctx, tx, func(r row) (m tend.Mentionable, err error) {
			return m, r.Scan(&m.ID, &m.Name, &m.Email)
		}, `SELECT id, name, email FROM agents WHERE active = $1`, true)
		if err != nil {
			return nil, err
		}
	}
	notices := tend.NoticesFor(facts)
	if len(notices) == 0 {
		return nil, nil
	}
	// The one who made the change, as the ticket shows them: the customer
	// when their message came in, else the agent, else Tend.
	var actor string
	switch {
	case customerWrote:
		actor, err = authorName(ctx, tx, tend.AuthorCustomer, &t.CustomerID)
	case c.p.AgentID != 0:
		actor, err = authorName(ctx, tx, tend.AuthorAgent, &c.p.AgentID)
	}
	if err != nil {
		return nil, err
	}
	told := make([]int64, 0, len(notices))
	for _, n := range notices {
		// An agent deactivated since is told nothing.
		var mailed string
		err := tx.queryRow(ctx, `SELECT notify_email FROM agents WHERE id = $1 AND active = $2`, n.AgentID, true).Scan(&mailed)
		if errors.Is(err, errNoRows) {
			continue
		} else if err != nil {
			return nil, err
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO notifications (agent_id, kind, ticket_id, actor, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, n.AgentID, string(n.Kind), t.ID, actor, tx.now).Scan(&id); err != nil {
			return nil, err
		}
		told = append(told, n.AgentID)
		// Mailed in the same transaction, so that it goes once it is told.
		if tend.MailsNotice(facts, n.Kind, parseKinds(mailed)) && tx.db.Jobs != nil {
			if err := tx.db.Jobs.Enqueue(ctx, tx, tend.NotificationMail{NotificationID: id}); err != nil {
				return nil, err
			}
		}
	}
	return told, nil
}

// onlyBookkeeping reports whether the change is Tend laying out
// deadlines again and nothing else, which tells nobody (tend.NoticesFor):
// a recompute of many tickets then asks nothing of the followers.
func (c *change) onlyBookkeeping() bool {
	owner, was := c.t.OwnerID, c.loaded.OwnerID
	if !c.p.System || (owner == nil) != (was == nil) || (owner != nil && *owner != *was) {
		return false
	}
	for _, e := range c.entries {
		if _, ok := e.data.(tend.SLARecomputed); !ok {
			return false
		}
	}
	return true
}

// FindNotificationMail writes the mail of notification id.
func (s *NotificationService) FindNotificationMail(ctx context.Context, id int64) (*tend.OutboundMail, error) {
	var o *tend.OutboundMail
	err := s.db.read(ctx, func(q *Tx) error {
		n, err := scanNotification(q.queryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n
			JOIN tickets t ON t.id = n.ticket_id WHERE n.id = $1`, id))
		if errors.Is(err, errNoRows) {
			return notFound("Notification", id)
		} else if err != nil {
			return err
		}
		var to tend.MailAddress
		var zone string
		if err := q.queryRow(ctx, `SELECT a.name, a.email, a.time_zone FROM notifications n JOIN agents a ON a.id = n.agent_id
			WHERE n.id = $1 AND a.active = $2`, id, true).Scan(&to.Name, &to.Email, &zone); errors.Is(err, errNoRows) {
			return tend.Errorf(tend.ENOTFOUND, "The agent of notification %d is no longer active.", id)
		} else if err != nil {
			return err
		}
		t, err := findTicket(ctx, q, "t.id = $1", n.TicketID)
		if err != nil {
			return err
		}
		mb, err := mailboxFor(ctx, q, t)
		if err != nil {
			return err
		} else if mb == nil {
			return tend.Errorf(tend.ENOTFOUND, "There is no support address to send notification %d from.", id)
		}
		base, err := getSetting(ctx, q, "base_url")
		if err != nil {
			return err
		}
		// A zone the agent chose that no longer loads (a name dropped
		// from the zone database) leaves the time in UTC.
		loc, _ := tend.LoadTimeZone(zone)
		o = tend.NotificationMailOf(n, to, mb, base, loc)
		return nil
	})
	return o, err
}

const notificationColumns = `n.id, n.kind, n.ticket_id, t.number, t.subject, n.actor, n.created_at, n.read_at`

func scanNotification(r row) (*tend.Notification, error) {
	n := &tend.Notification{}
	var kind string
	if err := r.Scan(&n.ID, &kind, &n.TicketID, &n.TicketNumber, &n.TicketSubject, &n.Actor, &n.CreatedAt, &n.ReadAt); err != nil {
		return nil, err
	}
	n.Kind = tend.NotificationKind(kind)
	n.Text = tend.NotificationText(n.Kind, n.Actor, n.TicketNumber)
	return n, nil
}

// FindNotifications returns a page of the caller's notifications, newest
// first, and how many are unread. Notifications of tickets the caller may
// no longer see are left out.
func (s *NotificationService) FindNotifications(ctx context.Context, f tend.NotificationFilter) ([]*tend.Notification, string, int, error) {
	p, err := requireAgent(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	var a args
	where := []string{"n.agent_id = " + a.add(p.AgentID)}
	if f.Unread {
		where = append(where, "n.read_at IS NULL")
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, false)
		if err != nil {
			return nil, "", 0, err
		}
		where = append(where, "n.id < "+a.add(c.id))
	}
	limit := pageSize(f.Limit)
	var list []*tend.Notification
	var unread int
	err = s.db.read(ctx, func(q *Tx) error {
		if list, err = queryAll(ctx, q, scanNotification, `SELECT `+notificationColumns+` FROM notifications n
			JOIN tickets t ON t.id = n.ticket_id WHERE `+strings.Join(where, " AND ")+` ORDER BY n.id DESC LIMIT `+a.add(limit+1), a...); err != nil {
			return err
		}
		unread, err = countUnread(ctx, q, p.AgentID)
		return err
	})
	if err != nil {
		return nil, "", 0, err
	}
	list, next := pageOf(list, limit, func(n *tend.Notification) cursor { return cursor{id: n.ID} })
	return list, next, unread, nil
}

// unreadShown bounds the bell's count: past it, the bell says 99+.
const unreadShown = 100

func countUnread(ctx context.Context, q *Tx, agentID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE agent_id = $1 AND read_at IS NULL LIMIT $2) u`,
		agentID, unreadShown).Scan(&n)
	return n, err
}

// CountUnread returns the caller's unread count, at most 100.
func (s *NotificationService) CountUnread(ctx context.Context) (int, error) {
	p, err := requireAgent(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.read(ctx, func(q *Tx) (err error) {
		n, err = countUnread(ctx, q, p.AgentID)
		return err
	})
	return n, err
}

// MarkRead marks the caller's notifications read.
func (s *NotificationService) MarkRead(ctx context.Context, r *tend.NotificationRead) (int, error) {
	p, err := requireAgent(ctx)
	if err != nil {
		return 0, err
	}
	if !r.All && len(r.IDs) == 0 && r.TicketID == 0 {
		return 0, tend.FieldError(tend.EINVALID, "ids", "name the notifications to mark read, or a ticket_id, or send all: true")
	}
	if len(r.IDs) > tend.MaxPageSize {
		return 0, tend.FieldError(tend.EINVALID, "ids", "at most %d at once; send all: true to mark every one", tend.MaxPageSize)
	}
	if r.TicketID != 0 && !r.All && len(r.IDs) == 0 {
		// Opening a ticket asks this on every view: a read answers it
		// when there is nothing to mark, without a write.
		var unread int
		if err := s.db.read(ctx, func(q *Tx) error {
			return q.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND read_at IS NULL AND ticket_id = $2`,
				p.AgentID, r.TicketID).Scan(&unread)
		}); err != nil || unread == 0 {
			return 0, err
		}
	}
	var n int64
	err = s.db.write(ctx, func(tx *Tx) (err error) {
		var a args
		query := `UPDATE notifications SET read_at = ` + a.add(tx.now) + ` WHERE agent_id = ` + a.add(p.AgentID) + ` AND read_at IS NULL`
		switch {
		case r.All:
		case r.TicketID != 0:
			query += ` AND ticket_id = ` + a.add(r.TicketID)
		default:
			query += ` AND id IN (` + list(&a, r.IDs) + `)`
		}
		n, err = tx.exec(ctx, query, a...)
		return err
	})
	return int(n), err
}

// requireAgent returns the caller, who must be an agent: notifications
// are a person's.
func requireAgent(ctx context.Context) (tend.Principal, error) {
	p, err := tend.RequireStaff(ctx)
	if err == nil && p.AgentID == 0 {
		err = tend.Errorf(tend.EFORBIDDEN, "Notifications are an agent's; this token acts for no agent.")
	}
	return p, err
}

// followable checks that the caller may see the ticket they follow.
func followable(ctx context.Context, q *Tx, p tend.Principal, ticketID int64) error {
	t, err := findTicket(ctx, q, "t.id = $1", ticketID)
	if err != nil || !canSee(p, t) {
		return ticketNotFound(ticketID)
	}
	return nil
}

// Follow makes the caller hear of the ticket's changes.
func (s *NotificationService) Follow(ctx context.Context, ticketID int64) error {
	p, err := requireAgent(ctx)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		if err := followable(ctx, tx, p, ticketID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO ticket_followers (ticket_id, agent_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, ticketID, p.AgentID, tx.now)
		return err
	})
}

// Unfollow stops that.
func (s *NotificationService) Unfollow(ctx context.Context, ticketID int64) error {
	p, err := requireAgent(ctx)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		if err := followable(ctx, tx, p, ticketID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM ticket_followers WHERE ticket_id = $1 AND agent_id = $2`, ticketID, p.AgentID)
		return err
	})
}

// Following reports whether the caller follows the ticket.
func (s *NotificationService) Following(ctx context.Context, ticketID int64) (bool, error) {
	p, err := requireAgent(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = s.db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT COUNT(*) FROM ticket_followers WHERE ticket_id = $1 AND agent_id = $2`, ticketID, p.AgentID).Scan(&n)
	})
	return n > 0, err
}

// NotifyByEmail returns the kinds mailed to the caller.
func (s *NotificationService) NotifyByEmail(ctx context.Context) ([]tend.NotificationKind, error) {
	p, err := requireAgent(ctx)
	if err != nil {
		return nil, err
	}
	var v string
	err = s.db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT notify_email FROM agents WHERE id = $1`, p.AgentID).Scan(&v)
	})
	return parseKinds(v), err
}

func parseKinds(v string) []tend.NotificationKind {
	kinds := []tend.NotificationKind{}
	for _, k := range strings.Split(v, ",") {
		if k := tend.NotificationKind(k); k.Valid() {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// SetNotifyByEmail sets the kinds mailed to the caller.
func (s *NotificationService) SetNotifyByEmail(ctx context.Context, kinds []tend.NotificationKind) error {
	p, err := requireAgent(ctx)
	if err != nil {
		return err
	}
	var keep []string
	for _, k := range tend.NotificationKinds {
		if slices.Contains(kinds, k) {
			keep = append(keep, string(k))
		}
	}
	for _, k := range kinds {
		if !k.Valid() {
			return tend.FieldError(tend.EINVALID, "email", "%q is not a kind of notification; the kinds are assigned, mentioned, customer_replied and changed", k)
		}
	}
	return s.db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE agents SET notify_email = $1 WHERE id = $2`, strings.Join(keep, ","), p.AgentID)
		return err
	})
}
