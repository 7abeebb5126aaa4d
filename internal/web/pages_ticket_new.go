package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// An agent opens a ticket for a customer: chosen by search or added by
// address and name, by a call, a visit at the desk (the message is what
// the customer said, recorded as theirs and not mailed), or a mail to
// them (the message is the agent's, sent from the mailbox chosen).

// newTicketForm is the new ticket form's values, as typed.
type newTicketForm struct {
	// Key makes a double submission open one ticket.
	Key string
	// CustomerID is the customer chosen by search; CustomerLabel shows
	// them. Name and Email add a customer instead (or find one by the
	// address).
	CustomerID    int64
	CustomerLabel string
	Name, Email   string
	Channel       string // phone, walk_in or email
	MailboxID     int64
	Subject, Body string
	Priority      string
	TeamID        int64
	Tags          string
	Fields        map[string]string // problems by field
	// Values are the custom fields' values by key.
	Values map[string]string
}

type newTicketPage struct {
	basePage
	Form       newTicketForm
	Mailboxes  []*tend.Mailbox
	Teams      []*tend.Team
	Priorities []tend.Priority
	Channels   []newTicketChannel
	// CustomFields are the desk's own fields, which the form offers.
	CustomFields []*tend.Field
	Error        string
}

// newTicketChannel is one way a ticket can come in, as the form offers it.
type newTicketChannel struct {
	Value, Label, Hint string
}

var newTicketChannels = []newTicketChannel{
	{"phone", "Phone call", "Write what the caller said; it is recorded as theirs, and not mailed."},
	{"walk_in", "Walk-in", "Write what the visitor said; it is recorded as theirs, and not mailed."},
	{"email", "Email to the customer", "Write your message; it is mailed to them from the mailbox you choose, as your first reply."},
}

// newTicketFields are the fields the form shows problems beside.
var newTicketFields = []string{"customer_id", "customer", "customer.email", "customer.name", "channel", "mailbox_id",
	"subject", "body", "priority", "team_id", "tags"}

// ticketNewForm serves GET /tickets/new; ?customer_id= chooses the
// customer beforehand (from their profile).
func (s *Server) ticketNewForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	form := newTicketForm{Key: rand.Text(), Channel: string(tend.ChannelPhone), Priority: string(tend.PriorityNormal)}
	if id, err := strconv.ParseInt(r.URL.Query().Get("customer_id"), 10, 64); err == nil && id > 0 {
		form.CustomerID = id
	}
	s.renderNewTicket(w, r, ctx, agent, http.StatusOK, &newTicketPage{Form: form})
}

// ticketCreate serves POST /tickets/new: it opens the ticket and goes to
// it, or shows the form again with what was typed and what is wrong.
func (s *Server) ticketCreate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	form, c, err := readNewTicket(r)
	if err == nil {
		var t *tend.Ticket
		if t, err = s.Tickets.CreateTicket(ctx, c); err == nil {
			http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.Number, 10), http.StatusSeeOther)
			return
		}
	}
	if status := httpStatus(err); status >= 500 {
		s.Logger.Error("new ticket form", "err", err)
	}
	if usedKey(err) {
		// Back at a form that opened a ticket, and changed: this is
		// another ticket, if sent again.
		form.Key = rand.Text()
		err = tend.Errorf(tend.ECONFLICT, "This form has opened a ticket already. To open another with what is below, send it again.")
	}
	form.Fields = tend.ErrorFields(err)
	if p, ok := form.Fields["customer"]; ok {
		form.Fields["customer_id"] = p
	}
	shown := newTicketFields
	for name := range form.Fields {
		if strings.HasPrefix(name, customFieldPrefix) {
			shown = append(slices.Clip(shown), name)
		}
	}
	page := &newTicketPage{Form: form, Error: formProblem(err, shown...)}
	s.renderNewTicket(w, r, ctx, agent, httpStatus(err), page)
}

// usedKey reports whether err refused the form's key, which opened a
// ticket with other values.
func usedKey(err error) bool {
	return tend.ErrorCode(err) == tend.ECONFLICT && strings.HasPrefix(tend.ErrorMessage(err), "Idempotency-Key ")
}

// readNewTicket reads the form into its values and the ticket to open.
func readNewTicket(r *http.Request) (newTicketForm, *tend.TicketCreate, error) {
	ids := newFormIDs(r)
	form := newTicketForm{Key: r.PostFormValue("key"), CustomerID: ids.one("customer_id", "a customer"),
		Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Channel: r.PostFormValue("channel"),
		MailboxID: ids.one("mailbox_id", "a mailbox"), Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"),
		Priority: r.PostFormValue("priority"), TeamID: ids.one("team_id", "a team"), Tags: r.PostFormValue("tags"),
		Values: map[string]string{}}
	for name := range r.PostForm {
		if key, ok := strings.CutPrefix(name, customFieldPrefix); ok && key != "" {
			form.Values[key] = r.PostForm.Get(name)
		}
	}
	if err := ids.err(); err != nil {
		return form, nil, err
	}
	c := &tend.TicketCreate{Subject: form.Subject, Body: form.Body, Priority: tend.Priority(form.Priority),
		Channel: tend.Channel(form.Channel), Tags: splitList(form.Tags)}
	for key, v := range form.Values {
		if strings.TrimSpace(v) != "" {
			if c.Fields == nil {
				c.Fields = tend.FieldValues{}
			}
			c.Fields[key] = v
		}
	}
	if form.Key != "" {
		c.IdempotencyKey = "new-ticket-form:" + form.Key
	}
	if form.CustomerID != 0 {
		c.CustomerID = &form.CustomerID
	} else {
		c.Customer = tend.CustomerRef{Email: form.Email, Name: form.Name}
	}
	if form.TeamID != 0 {
		c.TeamID = &form.TeamID
	}
	switch c.Channel {
	case tend.ChannelPhone, tend.ChannelWalkIn:
	case tend.ChannelEmail:
		if form.MailboxID == 0 {
			return form, nil, tend.FieldError(tend.EINVALID, "mailbox_id", "choose the mailbox to send the mail from")
		}
		c.MailboxID = &form.MailboxID
	default:
		return form, nil, tend.FieldError(tend.EINVALID, "channel", "choose how the customer reached you: a phone call, a walk-in, or an email to them")
	}
	return form, c, nil
}

func (s *Server) renderNewTicket(w http.ResponseWriter, r *http.Request, ctx context.Context, agent *tend.Agent, status int, page *newTicketPage) {
	page.basePage = s.base(w, r, "New ticket", agent)
	page.Priorities, page.Channels = tend.Priorities, newTicketChannels
	var err error
	if page.Mailboxes, err = s.Mailboxes.FindMailboxes(ctx); err == nil {
		page.Teams, err = s.Teams.FindTeams(ctx)
	}
	if err == nil {
		page.CustomFields, err = s.Fields.FindFields(ctx)
	}
	if err == nil && page.Form.CustomerID != 0 {
		var c *tend.Customer
		if c, err = s.Customers.FindCustomerByID(ctx, page.Form.CustomerID); err == nil {
			page.Form.CustomerLabel = customerLabel(c)
		} else if tend.ErrorCode(err) == tend.ENOTFOUND {
			page.Form.CustomerLabel, err = "Customer "+strconv.FormatInt(page.Form.CustomerID, 10), nil
		}
	}
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, status, "ticket_new", page)
}

// customerLabel names a customer with their first address, as the picker
// lists them: "Bob Stone <bob@example.com>".
func customerLabel(c *tend.Customer) string {
	name := customerName(c)
	if len(c.Emails) > 0 && name != c.Emails[0] {
		return name + " <" + c.Emails[0] + ">"
	}
	return name
}

// customerSuggestion is one customer the picker offers.
type customerSuggestion struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
}

// customerSuggest serves GET /customers/suggest?q=: the first customers
// whose name or address matches, for the new ticket form's picker.
func (s *Server) customerSuggest(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		s.writeError(w, r, tend.Errorf(tend.EUNAUTHORIZED, "Sign in first."))
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	out := []customerSuggestion{}
	if q != "" {
		list, _, err := s.Customers.FindCustomers(agentContext(r.Context(), agent), tend.CustomerFilter{Q: q, Limit: 8})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, c := range list {
			out = append(out, customerSuggestion{ID: c.ID, Label: customerLabel(c)})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, http.StatusOK, out)
}

// markTaken names, on the first message of a ticket opened for a call or
// a visit, the agent who wrote it down: the message is the customer's, in
// the agent's words.
func (s *Server) markTaken(ctx context.Context, t *tend.Ticket, page *ticketPage) error {
	if (t.Channel != tend.ChannelPhone && t.Channel != tend.ChannelWalkIn) || len(page.Messages) == 0 {
		return nil
	}
	events, _, err := s.Tickets.FindTicketEvents(ctx, t.ID, "", 1)
	if err != nil || len(events) == 0 {
		return err
	}
	e := events[0]
	c, ok := e.Data.(tend.TicketCreated)
	if !ok || e.ActorType != tend.AuthorAgent || e.ActorID == nil {
		return nil
	}
	for i := range page.Messages {
		if page.Messages[i].ID == c.MessageID {
			how := "on the phone"
			if t.Channel == tend.ChannelWalkIn {
				how = "at the desk"
			}
			page.Messages[i].TakenBy = "taken " + how + " by " + page.staff.agentName(*e.ActorID)
		}
	}
	return nil
}
