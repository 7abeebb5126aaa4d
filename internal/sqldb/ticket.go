package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// TicketService implements tend.TicketService.
type TicketService struct {
	db *DB

	// Blobs keeps attachment content.
	Blobs BlobStore
	// MaxAttachmentSize is the largest attachment accepted, in bytes.
	MaxAttachmentSize int64
	// Notify, when set, hears of each change after it is committed.
	Notify func(tend.TicketChange)
	// Outbox, when set, mails staff replies to the ticket's customer.
	Outbox *Outbox
}

// BlobStore keeps file content by its SHA-256.
type BlobStore interface {
	Put(data []byte) (sum string, err error)
}

// NewTicketService returns the ticket service of db, keeping attachments
// in blobs.
func NewTicketService(db *DB, blobs BlobStore) *TicketService {
	return &TicketService{db: db, Blobs: blobs, MaxAttachmentSize: tend.DefaultMaxAttachmentSize}
}

var _ tend.TicketService = (*TicketService)(nil)

const ticketColumns = `t.id, t.number, t.subject, t.status, t.priority, t.channel, t.customer_id, t.organization_id,
	t.owner_id, t.team_id, t.tags, t.reopen_count, t.version, t.created_at, t.updated_at,
	t.first_responded_at, t.solved_at, t.closed_at, t.mailbox_id, t.previous_ticket_id, t.spam, t.merged_into_id, ts.sla, ts.timer_at`

// ticketFrom is the tickets, t, with their service levels, ts.
const ticketFrom = `tickets t LEFT JOIN ticket_sla ts ON ts.ticket_id = t.id`

func scanTicket(r row) (*tend.Ticket, error) {
	t := &tend.Ticket{}
	return t, scanTicketInto(r, t)
}

// scanTicketInto reads ticketColumns into t, and the columns after them
// into more.
func scanTicketInto(r row, t *tend.Ticket, more ...any) error {
	var status, priority, channel, tags string
	var sla *string
	var timerAt *time.Time
	err := r.Scan(append([]any{&t.ID, &t.Number, &t.Subject, &status, &priority, &channel, &t.CustomerID, &t.OrganizationID,
		&t.OwnerID, &t.TeamID, &tags, &t.ReopenCount, &t.Version, &t.CreatedAt, &t.UpdatedAt,
		&t.FirstRespondedAt, &t.SolvedAt, &t.ClosedAt, &t.MailboxID, &t.PreviousTicketID, &t.Spam, &t.MergedIntoID, &sla, &timerAt}, more...)...)
	if err != nil {
		return err
	}
	t.Status, t.Priority, t.Channel = tend.Status(status), tend.Priority(priority), tend.Channel(channel)
	t.Tags = strings.Fields(tags)
	if t.SLA, err = scanSLA(sla); t.SLA != nil {
		t.SLA.TimerAt = timerAt
	}
	return err
}

// canSee reports whether p may see t: staff see every ticket, a customer
// only their own.
func canSee(p tend.Principal, t *tend.Ticket) bool {
	return p.IsStaff() || (p.IsCustomer() && t.CustomerID == p.CustomerID)
}

// ticketNotFound says the id was read as an id: a ticket's number (#1042)
// given in its place is another ticket's id, or none.
func ticketNotFound(id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "Ticket with id %d does not exist.", id)
}

// FindTicketByID returns the ticket with its messages; a customer sees no
// internal notes.
func (s *TicketService) FindTicketByID(ctx context.Context, id int64) (*tend.Ticket, error) {
	return s.findWhole(ctx, "t.id = $1", id, func() error { return ticketNotFound(id) })
}

// FindTicketByNumber returns the ticket people call #number, with its
// messages.
func (s *TicketService) FindTicketByNumber(ctx context.Context, number int64) (*tend.Ticket, error) {
	return s.findWhole(ctx, "t.number = $1", number, func() error {
		return tend.Errorf(tend.ENOTFOUND, "Ticket #%d does not exist.", number)
	})
}

// findWhole reads one ticket with its messages and participants, if the
// caller may see it.
func (s *TicketService) findWhole(ctx context.Context, where string, key int64, notFound func() error) (*tend.Ticket, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	var t *tend.Ticket
	err = s.db.read(ctx, func(q *Tx) error {
		t, err = findTicket(ctx, q, where, key)
		if errors.Is(err, errNoRows) || (err == nil && !canSee(p, t)) {
			return notFound()
		} else if err != nil {
			return err
		}
		if t.Messages, err = findMessages(ctx, q, t.ID, p.IsStaff()); err != nil {
			return err
		}
		if t.Participants, err = findParticipants(ctx, q, t.ID); err != nil {
			return err
		}
		if p.IsStaff() {
			if err := loadFieldValues(ctx, q, t); err != nil {
				return err
			}
			t.Links, err = findLinks(ctx, q, t.ID)
		} else {
			t.SLA = nil // the desk's own promises and warning points
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func findTicket(ctx context.Context, q *Tx, where string, args ...any) (*tend.Ticket, error) {
	return scanTicket(q.queryRow(ctx, `SELECT `+ticketColumns+` FROM `+ticketFrom+` WHERE `+where, args...))
}

// lockTicket reads a ticket for change, holding it until the transaction
// ends so that concurrent changes apply one after the other.
func lockTicket(ctx context.Context, tx *Tx, id int64) (*tend.Ticket, error) {
	if tx.batch != nil {
		if t, ok := tx.batch.tickets[id]; ok {
			return t, nil
		}
	}
	t, err := findTicket(ctx, tx, "t.id = $1"+tx.db.forUpdateOf("t"), id)
	if errors.Is(err, errNoRows) {
		return nil, ticketNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("lock ticket: %w", err)
	}
	return t, nil
}

// readableFilter checks and normalises f for the caller, whom it returns:
// a customer's filter covers their own tickets only.
func readableFilter(ctx context.Context, db *DB, f *tend.TicketFilter) (tend.Principal, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return p, err
	}
	f.Normalize()
	if err := f.Validate(); err != nil {
		return p, err
	}
	if p.IsCustomer() {
		f.CustomerID = &p.CustomerID
		if len(f.Fields) > 0 {
			return p, tend.Errorf(tend.EINVALID, "Customers cannot filter by the desk's own fields.")
		}
	}
	f.Fields, err = db.storedFieldFilter(ctx, f.Fields)
	return p, err
}

// FindTickets returns one page of tickets that match f, and the cursor of
// the next page. A customer sees only their own tickets.
func (s *TicketService) FindTickets(ctx context.Context, f tend.TicketFilter) ([]*tend.Ticket, string, error) {
	p, err := readableFilter(ctx, s.db, &f)
	if err != nil {
		return nil, "", err
	}
	byUpdate, byDue := f.Sort.Key() == "updated_at", f.Sort.Key() == "due_at"
	keyed := sortKeys[f.Sort.Key()] != ""
	var after *cursor
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, byUpdate)
		switch {
		case keyed:
			c, err = parseKeyedCursor(f.Cursor)
		case byDue:
			c, err = parseDueCursor(f.Cursor)
		}
		if err != nil {
			return nil, "", err
		}
		after = &c
	}
	limit := pageSize(f.Limit)
	query, a, err := s.ticketListQuery(p, f, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	var list []keyedTicket
	err = s.db.read(ctx, func(q *Tx) (err error) {
		scan := func(r row) (keyedTicket, error) { t, err := scanTicket(r); return keyedTicket{t: t}, err }
		switch {
		case keyed:
			scan = scanKeyedTicket
		case byDue:
			scan = scanDueTicket
		}
		if list, err = queryAll(ctx, q, scan, query, a...); err != nil {
			return err
		}
		if !p.IsStaff() {
			for _, k := range list {
				k.t.SLA = nil
			}
			return nil
		}
		tickets := make([]*tend.Ticket, len(list))
		for i, k := range list {
			tickets[i] = k.t
		}
		return loadFieldValues(ctx, q, tickets...)
	})
	if err != nil {
		return nil, "", fmt.Errorf("find tickets: %w", err)
	}
	list, next := pageOf(list, limit, func(k keyedTicket) cursor {
		switch {
		case keyed:
			return cursor{id: k.t.ID, key: k.key, keyed: true}
		case byDue:
			return dueCursor(k)
		case byUpdate:
			return cursor{at: k.t.UpdatedAt, id: k.t.ID}
		}
		return cursor{id: k.t.ID}
	})
	tickets := make([]*tend.Ticket, len(list))
	for i, k := range list {
		tickets[i] = k.t
	}
	return tickets, next, nil
}

// sortKeys are the keys, other than times and ids, that lists are
// ordered by, as text: a priority's rank as one digit, the owner's or
// team's name (empty for none), which each engine orders by its own
// collation, the same in ORDER BY as in the cursor's comparison. The
// names come from the joins of ticketListQuery.
var sortKeys = map[string]string{
	"priority": `CASE t.priority WHEN 'low' THEN '1' WHEN 'normal' THEN '2' WHEN 'high' THEN '3' WHEN 'urgent' THEN '4' ELSE '0' END`,
	"owner":    `COALESCE(so.name, '')`,
	"team":     `COALESCE(st.name, '')`,
}

// keyedTicket is a ticket of a list with the key it is ordered by: key,
// or for the next deadline due (nil for none).
type keyedTicket struct {
	t   *tend.Ticket
	key string
	due *time.Time
}

// scanKeyedTicket reads ticketColumns followed by sort_key.
func scanKeyedTicket(r row) (keyedTicket, error) {
	k := keyedTicket{t: &tend.Ticket{}}
	err := scanTicketInto(r, k.t, &k.key)
	return k, err
}

// ticketWhere returns the conditions of f other than its statuses. With
// countAll, spam is not left out (CountTickets takes it away after).
func (s *TicketService) ticketWhere(p tend.Principal, f tend.TicketFilter, countAll bool) (args, []string, error) {
	var a args
	var where []string
	if f.Priority != nil {
		where = append(where, "t.priority = "+a.add(string(*f.Priority)))
	}
	if f.OwnerID != nil {
		if *f.OwnerID == 0 {
			where = append(where, "t.owner_id IS NULL")
		} else {
			where = append(where, "t.owner_id = "+a.add(*f.OwnerID))
		}
	}
	if f.TeamID != nil {
		if *f.TeamID == 0 {
			where = append(where, "t.team_id IS NULL")
		} else {
			where = append(where, "t.team_id = "+a.add(*f.TeamID))
		}
	}
	if f.CustomerID != nil {
		where = append(where, "t.customer_id = "+a.add(*f.CustomerID))
	}
	if f.OrganizationID != nil {
		where = append(where, "t.organization_id = "+a.add(*f.OrganizationID))
	}
	if f.Channel != nil {
		where = append(where, "t.channel = "+a.add(string(*f.Channel)))
	}
	if f.Number != nil {
		where = append(where, "t.number = "+a.add(*f.Number))
	}
	if f.Tag != "" {
		where = append(where, "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = "+a.add(f.Tag)+")")
	}
	where = append(where, fieldWhere(&a, f.Fields)...)
	if f.AtRisk {
		// risk_at is when the ticket is or becomes at risk, so time alone
		// brings a ticket in, before its timer records the warning.
		where = append(where, "t.id IN (SELECT ticket_id FROM ticket_sla WHERE risk_at <= "+a.add(s.db.now())+")")
	}
	if f.HolderID != nil {
		h := a.add(*f.HolderID)
		where = append(where, "(t.owner_id = "+h+" OR t.team_id IN (SELECT team_id FROM team_members WHERE agent_id = "+h+"))")
	}
	// Spam is kept out of every list but the Spam view's; a ticket asked
	// for by its number is found whatever it is.
	switch {
	case f.Spam:
		_, spam := s.db.spamOnly() // in words its partial index matches
		where = append(where, spam)
	case f.Number == nil && !countAll:
		where = append(where, "t.spam = "+a.add(false))
	}
	if f.Q != "" {
		terms, err := tend.ParseSearch(f.Q)
		if err != nil {
			return nil, nil, err
		}
		where = append(where, "t.id IN ("+s.db.matchingTicketIDs(&a, terms, p.IsStaff())+")")
	}

	return a, where, nil
}

// CountTickets returns how many tickets match f, ignoring its cursor,
// sort and limit. Without spam: all that match, less the spam among them,
// so that the count reads the same indexes alone as before spam existed
// (the spam's partial index is small) rather than every ticket's row.
func (s *TicketService) CountTickets(ctx context.Context, f tend.TicketFilter) (int, error) {
	p, err := readableFilter(ctx, s.db, &f)
	if err != nil {
		return 0, err
	}
	a, where, err := s.ticketWhere(p, f, true)
	if err != nil {
		return 0, err
	}
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = a.add(string(st))
		}
		where = append(where, "t.status IN ("+strings.Join(in, ", ")+")")
	}
	count := func(q *Tx, from string, where []string) (n int, err error) {
		query := `SELECT COUNT(*) FROM ` + from
		if len(where) > 0 {
			query += ` WHERE ` + strings.Join(where, " AND ")
		}
		return n, q.queryRow(ctx, query, a...).Scan(&n)
	}
	var n int
	err = s.db.read(ctx, func(q *Tx) error {
		from, spam := s.db.spamOnly()
		if f.Spam {
			n, err = count(q, from, where)
			return err
		}
		var err error
		if n, err = count(q, "tickets t", where); err != nil || f.Number != nil {
			return err
		}
		nSpam, err := count(q, from, append(where, spam))
		n -= nSpam
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// ticketListQuery builds the SELECT for a page of tickets. With several
// statuses it reads each status's index in order and merges the results,
// because one scan over "status IN (...)" must sort every match before it
// can return the first page.
func (s *TicketService) ticketListQuery(p tend.Principal, f tend.TicketFilter, after *cursor, limit int) (string, args, error) {
	a, where, err := s.ticketWhere(p, f, false)
	if err != nil {
		return "", nil, err
	}

	order, cmp, desc := "t.updated_at, t.id", ">", ""
	key, byDue := sortKeys[f.Sort.Key()], f.Sort.Key() == "due_at"
	switch {
	case f.Sort.Key() == "created_at":
		order = "t.id"
	case key != "":
		order = key + ", t.id"
	}
	if f.Sort.Descending() {
		cmp, desc = "<", " DESC"
	}
	switch {
	case after == nil:
	case byDue:
		where = append(where, dueAfter(&a, *after, cmp))
	case after.keyed:
		where = append(where, "("+key+", t.id) "+cmp+" ("+a.add(after.key)+", "+a.add(after.id)+")")
	case after.at.IsZero():
		where = append(where, "t.id "+cmp+" "+a.add(after.id))
	default:
		where = append(where, "(t.updated_at, t.id) "+cmp+" ("+a.add(after.at)+", "+a.add(after.id)+")")
	}
	orderBy := " ORDER BY " + strings.ReplaceAll(order, ", t.", desc+", t.") + desc
	if byDue {
		orderBy = dueOrder("ts.due_at", "t.id", desc)
	}
	lim := a.add(limit)

	from, outer := ` FROM `+ticketFrom, strings.ReplaceAll(orderBy, "t.", "")
	switch f.Sort.Key() {
	case "owner":
		from += ` LEFT JOIN agents so ON so.id = t.owner_id`
	case "team":
		from += ` LEFT JOIN teams st ON st.id = t.team_id`
	}
	columns := ticketColumns
	switch {
	case key != "":
		columns += `, ` + key + ` AS sort_key`
		outer = " ORDER BY sort_key" + desc + ", id" + desc
	case byDue:
		columns += `, ts.due_at AS sort_due, ` + dueNone("ts.due_at") + ` AS sort_none`
		outer = " ORDER BY sort_none, sort_due" + desc + ", id" + desc
	}
	branch := func(extra string) string {
		w := append([]string{"1 = 1"}, where...)
		if extra != "" {
			w = append(w, extra)
		}
		return `SELECT ` + columns + from + ` WHERE ` + strings.Join(w, " AND ") + orderBy + ` LIMIT ` + lim
	}
	switch len(f.Statuses) {
	case 0:
		return branch(""), a, nil
	case 1:
		return branch("t.status = " + a.add(string(f.Statuses[0]))), a, nil
	}
	parts := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		parts[i] = fmt.Sprintf("SELECT * FROM (%s) s%d", branch("t.status = "+a.add(string(st))), i)
	}
	return strings.Join(parts, " UNION ALL ") + outer + ` LIMIT ` + lim, a, nil
}

// FindTicketEvents returns the ticket's history, oldest first. Only staff
// read it.
func (s *TicketService) FindTicketEvents(ctx context.Context, ticketID int64, cur string, limit int) ([]*tend.Event, string, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, "", err
	}
	var a args
	where := "ticket_id = " + a.add(ticketID)
	if cur != "" {
		c, err := parseCursor(cur, false)
		if err != nil {
			return nil, "", err
		}
		where += " AND id > " + a.add(c.id)
	}
	limit = pageSize(limit)
	var events []*tend.Event
	err := s.db.read(ctx, func(q *Tx) (err error) {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE id = $1`, ticketID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return ticketNotFound(ticketID)
		}
		events, err = queryAll(ctx, q, scanEvent, `SELECT id, ticket_id, kind, actor_type, actor_id, data, created_at, change_id
			FROM ticket_events WHERE `+where+` ORDER BY id LIMIT `+a.add(limit+1), a...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	events, next := pageOf(events, limit, func(e *tend.Event) cursor { return cursor{id: e.ID} })
	return events, next, nil
}

func scanEvent(r row) (*tend.Event, error) {
	e := &tend.Event{}
	var kind, actorType, data string
	if err := r.Scan(&e.ID, &e.TicketID, &kind, &actorType, &e.ActorID, &data, &e.CreatedAt, &e.ChangeID); err != nil {
		return nil, err
	}
	e.Kind, e.ActorType = tend.EventKind(kind), tend.AuthorType(actorType)
	// A payload that does not fit its kind reads as tend.UnknownEvent; the
	// rest of the history still reads.
	e.Data, _ = tend.DecodeEventData(e.Kind, []byte(data))
	return e, nil
}
