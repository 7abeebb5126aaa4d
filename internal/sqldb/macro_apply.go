package sqldb

import (
	"context"
	"errors"

	"github.com/tendhq/tend"
)

// placeholderValues gathers what the placeholders stand for on ticket t,
// written by agentID (0: nobody in particular).
func placeholderValues(ctx context.Context, q *Tx, t *tend.Ticket, agentID int64) (tend.PlaceholderValues, error) {
	v := tend.PlaceholderValues{TicketNumber: t.Number, TicketSubject: t.Subject}
	err := q.queryRow(ctx, `SELECT `+customerName+`, c.first_name FROM customers c WHERE c.id = $1`, t.CustomerID).
		Scan(&v.CustomerName, &v.CustomerFirstName)
	if err != nil && !errors.Is(err, errNoRows) {
		return v, err
	}
	if t.OwnerID != nil {
		if err := q.queryRow(ctx, `SELECT name FROM agents WHERE id = $1`, *t.OwnerID).Scan(&v.OwnerName); err != nil && !errors.Is(err, errNoRows) {
			return v, err
		}
	}
	if agentID != 0 {
		if err := q.queryRow(ctx, `SELECT name FROM agents WHERE id = $1`, agentID).Scan(&v.AgentName); err != nil && !errors.Is(err, errNoRows) {
			return v, err
		}
	}
	return v, nil
}

// ApplyMacro renders a macro the caller may use for a ticket. With
// a.Insert it only counts the macro used and returns the text for the
// composer; otherwise it sends the reply (a.Body, or the macro's text)
// and applies the actions, in one change whose history entries share one
// change id. The reply is mailed as any staff reply is.
func (s *MacroService) ApplyMacro(ctx context.Context, ticketID, macroID int64, a *tend.MacroApply) (*tend.MacroResult, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	reqHash := requestHash(struct {
		TicketID, MacroID int64
		Apply             *tend.MacroApply
	}{ticketID, macroID, a})
	var res *tend.MacroResult
	var ch *change
	err = s.db.write(ctx, func(tx *Tx) error {
		m, err := findVisibleMacro(ctx, tx, p, macroID)
		if err != nil {
			return err
		}
		if a.IdempotencyKey != "" && !a.Insert {
			priorTicket, prior, err := claimIdempotencyKey(ctx, tx, p, a.IdempotencyKey, reqHash)
			if err != nil {
				return err
			} else if priorTicket != 0 {
				res, err = s.priorResult(ctx, tx, m, priorTicket, prior)
				return err
			}
		}
		if ch, err = changeTicket(ctx, tx, p, ticketID, s.Tickets.Outbox); err != nil {
			return err
		}
		v, err := placeholderValues(ctx, tx, ch.t, p.AgentID)
		if err != nil {
			return err
		}
		res = &tend.MacroResult{Macro: m, Body: tend.RenderPlaceholders(m.Body, v),
			Note: tend.RenderPlaceholders(m.Actions.Note, v), Actions: m.Actions}
		if a.Insert || a.Body == nil {
			if _, err := tx.exec(ctx, `UPDATE macros SET usage_count = usage_count + 1 WHERE id = $1`, m.ID); err != nil {
				return err
			}
			res.Macro.UsageCount++
		}
		if a.Insert {
			ch = nil // nothing changes
			return nil
		}
		if a.Body != nil {
			res.Body = tend.RenderPlaceholders(*a.Body, v)
		}
		if err := s.applyChange(ctx, tx, ch, res, a); err != nil {
			return err
		}
		if err := ch.commit(ctx); err != nil {
			return err
		}
		res.Ticket = ch.t
		if a.IdempotencyKey != "" {
			var msgID int64
			if res.Reply != nil {
				msgID = res.Reply.ID
			} else if res.NoteMessage != nil {
				msgID = res.NoteMessage.ID
			}
			return recordIdempotencyKey(ctx, tx, p, a.IdempotencyKey, ch.t.ID, msgID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ch != nil {
		s.Tickets.notify(ch.notices...)
	}
	return res, nil
}

// applyChange adds the macro's reply and note and applies its actions to
// the locked ticket.
func (s *MacroService) applyChange(ctx context.Context, tx *Tx, ch *change, res *tend.MacroResult, a *tend.MacroApply) error {
	// With a reply, the status moves with it; without one, on its own.
	if err := applyMacroActions(ctx, ch, res.Actions, res.Body == ""); err != nil {
		return err
	}
	if res.Body != "" {
		if a.SeenMessageID != nil && ch.p.AgentID != 0 {
			if err := checkSeen(ctx, tx, ch.t, *a.SeenMessageID); err != nil {
				return err
			}
		}
		msg, err := s.Tickets.prepareMessage(res.Body, "", nil, false)
		if err != nil {
			return err
		}
		msg.kind = tend.KindReply
		staffAuthor(msg, ch.p)
		if res.Reply, err = ch.addMessage(ctx, msg, res.Actions.Status, ""); err != nil {
			return err
		}
	}
	var err error
	res.NoteMessage, err = s.Tickets.addMacroNote(ctx, ch, res.Note)
	return err
}

// applyMacroActions applies a macro's changes to the ticket's fields, its
// status only withStatus (otherwise it moves with the macro's message).
func applyMacroActions(ctx context.Context, ch *change, act tend.MacroActions, withStatus bool) error {
	u := &tend.TicketUpdate{Priority: act.Priority, AddTags: act.AddTags, RemoveTags: act.RemoveTags, TeamID: act.TeamID}
	if withStatus {
		u.Status = act.Status
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Empty() {
		return nil
	}
	return ch.update(ctx, u)
}

// addMacroNote adds a macro's internal note, its placeholders filled, as
// written by the caller; nil when the macro has none.
func (s *TicketService) addMacroNote(ctx context.Context, ch *change, note string) (*tend.Message, error) {
	if note == "" {
		return nil, nil
	}
	msg, err := s.prepareMessage(note, "", nil, false)
	if err != nil {
		return nil, err
	}
	msg.kind = tend.KindNote
	staffAuthor(msg, ch.p)
	return ch.addMessage(ctx, msg, nil, "")
}

// staffAuthor makes p the author of msg: their agent, or the system for
// a token that acts for nobody.
func staffAuthor(msg *newMessage, p tend.Principal) {
	if p.AgentID != 0 {
		msg.authorType, msg.authorID = tend.AuthorAgent, &p.AgentID
	} else {
		msg.authorType = tend.AuthorSystem
	}
}

// composerMacro applies, within an agent's message, the actions of the
// macro the composer inserted into it: every field but the status, which
// it returns for the message to carry unless the agent chose one, and
// the macro's note, added after the message by the returned func.
func (s *TicketService) composerMacro(ctx context.Context, tx *Tx, ch *change, macroID int64, status *tend.Status, kind tend.MessageKind) (*tend.Status, func() error, error) {
	if !ch.p.IsStaff() {
		return nil, nil, tend.Errorf(tend.EFORBIDDEN, "Only staff use macros.")
	}
	m, err := findVisibleMacro(ctx, tx, ch.p, macroID)
	if err != nil {
		return nil, nil, err
	}
	if err := applyMacroActions(ctx, ch, m.Actions, false); err != nil {
		return nil, nil, err
	}
	// A macro's status goes with a reply to the customer: written into
	// an internal note, it would solve a ticket nobody answered.
	if status == nil && kind == tend.KindReply {
		status = m.Actions.Status
	}
	addNote := func() error {
		if m.Actions.Note == "" {
			return nil
		}
		v, err := placeholderValues(ctx, tx, ch.t, ch.p.AgentID)
		if err != nil {
			return err
		}
		_, err = s.addMacroNote(ctx, ch, tend.RenderPlaceholders(m.Actions.Note, v))
		return err
	}
	return status, addNote, nil
}

// priorResult answers a retried request with what the first one did.
func (s *MacroService) priorResult(ctx context.Context, tx *Tx, m *tend.Macro, ticketID, messageID int64) (*tend.MacroResult, error) {
	t, err := findTicket(ctx, tx, "t.id = $1", ticketID)
	if err != nil {
		return nil, err
	}
	res := &tend.MacroResult{Macro: m, Actions: m.Actions, Ticket: t}
	if messageID != 0 {
		msg, err := findMessage(ctx, tx, messageID)
		if err != nil {
			return nil, err
		}
		if msg.Kind == tend.KindReply {
			res.Reply, res.Body = msg, msg.Body
		} else {
			res.NoteMessage, res.Note = msg, msg.Body
		}
	}
	return res, nil
}
