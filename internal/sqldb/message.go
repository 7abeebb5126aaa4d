package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sanitize"
)

// customerName is what a customer c is called: their name, or without one
// their first address.
const customerName = `COALESCE(NULLIF(c.name, ''),
	(SELECT e.email FROM customer_emails e WHERE e.customer_id = c.id ORDER BY e.position LIMIT 1), '')`

const messageColumns = `m.id, m.ticket_id, m.kind, m.author_type, COALESCE(m.author_agent_id, m.author_customer_id),
	COALESCE(a.name, ` + customerName + `), m.body_text, m.body_html, m.quoted_text, m.quoted_html,
	m.delivery, m.delivery_error, m.from_raw, m.created_at`

const messageJoins = ` FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id
	LEFT JOIN customers c ON c.id = m.author_customer_id`

func scanMessage(r row) (*tend.Message, error) {
	m := &tend.Message{Attachments: []*tend.Attachment{}}
	var kind, authorType string
	err := r.Scan(&m.ID, &m.TicketID, &kind, &authorType, &m.AuthorID, &m.AuthorName, &m.Body, &m.BodyHTML,
		&m.Quoted, &m.QuotedHTML, &m.Delivery, &m.DeliveryError, &m.FromRaw, &m.CreatedAt)
	m.Kind, m.AuthorType = tend.MessageKind(kind), tend.AuthorType(authorType)
	return m, err
}

// findMessages returns a ticket's messages, oldest first, with their
// attachments; internal notes only if withNotes.
func findMessages(ctx context.Context, q *Tx, ticketID int64, withNotes bool) ([]*tend.Message, error) {
	where := "m.ticket_id = $1"
	if !withNotes {
		where += " AND m.kind = 'reply'"
	}
	messages, err := queryAll(ctx, q, scanMessage, `SELECT `+messageColumns+messageJoins+` WHERE `+where+` ORDER BY m.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("find messages: %w", err)
	}
	attachments, err := queryAll(ctx, q, scanAttachment, `SELECT `+attachmentColumns+` FROM attachments a
		JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("find attachments: %w", err)
	}
	byID := make(map[int64]*tend.Message, len(messages))
	for _, m := range messages {
		byID[m.ID] = m
	}
	for _, a := range attachments {
		if m := byID[a.MessageID]; m != nil { // notes are left out for customers
			m.Attachments = append(m.Attachments, a)
		}
	}
	return messages, nil
}

func findMessage(ctx context.Context, q *Tx, id int64) (*tend.Message, error) {
	m, err := scanMessage(q.queryRow(ctx, `SELECT `+messageColumns+messageJoins+` WHERE m.id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Message", id)
	} else if err != nil {
		return nil, err
	}
	m.Attachments, err = queryAll(ctx, q, scanAttachment, `SELECT `+attachmentColumns+` FROM attachments a
		JOIN messages m ON m.id = a.message_id WHERE a.message_id = $1 ORDER BY a.id`, id)
	return m, err
}

const attachmentColumns = `a.id, a.message_id, m.ticket_id, a.name, a.content_type, a.size, a.sha256, a.content_id`

func scanAttachment(r row) (*tend.Attachment, error) {
	a := &tend.Attachment{}
	err := r.Scan(&a.ID, &a.MessageID, &a.TicketID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID)
	return a, err
}

// newMessage is a message ready to insert: input checked, HTML sanitised,
// attachments stored.
type newMessage struct {
	kind                   tend.MessageKind
	authorType             tend.AuthorType
	authorID               *int64
	body, html             string
	quotedText, quotedHTML string
	fromRaw                string
	attachments            []*tend.Attachment
}

// prepareMessage sanitises the HTML body, derives the text body from it
// when there is none, and stores the attachments once all of them are
// known to fit. It runs before the transaction: it does file I/O and needs
// no lock. A message needs text unless it is mail: mail with only files,
// or HTML that keeps nothing, is still the customer's mail, shown as "(no
// text)".
func (s *TicketService) prepareMessage(body, html string, files []*tend.AttachmentInput, mail bool) (*newMessage, error) {
	m := &newMessage{body: strings.TrimSpace(body)}
	if html != "" {
		m.html = sanitize.HTML(html)
		if m.body == "" {
			// From what was sent: HTML that cannot be kept is "", and its
			// text is then all there is.
			m.body = sanitize.Text(html)
		}
	}
	if m.body == "" && !strings.Contains(m.html, "<img") {
		m.html = "" // an empty box shows nothing; "(no text)" says so
	}
	if m.body == "" && !mail {
		return nil, tend.FieldError(tend.EINVALID, "body", "is required")
	}
	for _, f := range files {
		f.Normalize()
		if int64(len(f.Data)) > s.MaxAttachmentSize {
			return nil, tend.Errorf(tend.ETOOLARGE, "attachments: %s is %s; the limit is %s per file.",
				f.Name, byteSize(int64(len(f.Data))), byteSize(s.MaxAttachmentSize))
		}
	}
	for _, f := range files {
		sum, err := s.Blobs.Put(f.Data)
		if err != nil {
			return nil, fmt.Errorf("store attachment: %w", err)
		}
		m.attachments = append(m.attachments, &tend.Attachment{Name: f.Name, ContentType: f.ContentType,
			Size: int64(len(f.Data)), SHA256: sum, ContentID: f.ContentID})
	}
	return m, nil
}

// sanitizeIfAny sanitises HTML, leaving "" as it is.
func sanitizeIfAny(html string) string {
	if html == "" {
		return ""
	}
	return sanitize.HTML(html)
}

// findParticipants returns the addresses copied on a ticket's mail.
func findParticipants(ctx context.Context, q *Tx, ticketID int64) ([]tend.MailAddress, error) {
	return queryAll(ctx, q, func(r row) (a tend.MailAddress, err error) { return a, r.Scan(&a.Email, &a.Name) },
		`SELECT email, name FROM ticket_participants WHERE ticket_id = $1 ORDER BY email`, ticketID)
}

// insertMessage adds m to a ticket and returns it as read back later.
func insertMessage(ctx context.Context, tx *Tx, ticketID int64, m *newMessage, authorName string) (*tend.Message, error) {
	var agentID, customerID *int64
	switch m.authorType {
	case tend.AuthorAgent:
		agentID = m.authorID
	case tend.AuthorCustomer:
		customerID = m.authorID
	}
	msg := &tend.Message{TicketID: ticketID, Kind: m.kind, AuthorType: m.authorType, AuthorID: m.authorID,
		AuthorName: authorName, Body: m.body, BodyHTML: m.html, Quoted: m.quotedText, QuotedHTML: m.quotedHTML,
		FromRaw: m.fromRaw, CreatedAt: tx.now, Attachments: []*tend.Attachment{}}
	err := tx.queryRow(ctx, `INSERT INTO messages (ticket_id, kind, author_type, author_agent_id, author_customer_id,
		body_text, body_html, quoted_text, quoted_html, from_raw, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`,
		ticketID, string(m.kind), string(m.authorType), agentID, customerID, m.body, m.html, m.quotedText, m.quotedHTML,
		m.fromRaw, tx.now).Scan(&msg.ID)
	if err != nil {
		return nil, fmt.Errorf("insert message: %w", err)
	}
	for _, a := range m.attachments {
		att := *a
		att.MessageID, att.TicketID = msg.ID, ticketID
		err := tx.queryRow(ctx, `INSERT INTO attachments (message_id, sha256, name, content_type, size, content_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, msg.ID, a.SHA256, a.Name, a.ContentType, a.Size, a.ContentID, tx.now).Scan(&att.ID)
		if err != nil {
			return nil, fmt.Errorf("insert attachment: %w", err)
		}
		msg.Attachments = append(msg.Attachments, &att)
	}
	return msg, nil
}

// FindAttachmentByID returns ENOTFOUND unless the caller may see the
// message the attachment belongs to.
func (s *TicketService) FindAttachmentByID(ctx context.Context, id int64) (*tend.Attachment, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	var a *tend.Attachment
	err = s.db.read(ctx, func(q *Tx) error {
		var kind string
		var customerID int64
		a = &tend.Attachment{}
		err := q.queryRow(ctx, `SELECT `+attachmentColumns+`, m.kind, t.customer_id FROM attachments a
			JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id WHERE a.id = $1`, id).
			Scan(&a.ID, &a.MessageID, &a.TicketID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID, &kind, &customerID)
		if errors.Is(err, errNoRows) || (err == nil && !p.IsStaff() && (customerID != p.CustomerID || kind != string(tend.KindReply))) {
			return notFound("Attachment", id)
		}
		return err
	})
	return a, err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
