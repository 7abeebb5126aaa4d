package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// The admin's mail settings: support addresses, how each receives mail,
// and the mail that could not be delivered.

type mailPage struct {
	basePage
	Mailboxes  []*tend.Mailbox
	Teams      []*tend.Team
	Form       mailboxForm
	Quarantine []quarantined
	Recent     []*tend.InboundRecord
	Notice     string
	Error      string
	// ErrorTicket is the number of the ticket a refused form's mail is
	// in already, shown as a link beside the error.
	ErrorTicket int64
}

// quarantined is a quarantined mail with what its detail means for an
// admin, when the detail alone is technical.
type quarantined struct {
	*tend.InboundRecord
	Advice string
}

// mailboxForm is the add and edit form's values.
type mailboxForm struct {
	ID                               int64
	Address, Name                    string
	TeamID                           int64
	IMAPHost, IMAPSecurity, IMAPUser string
	IMAPAuth, IMAPFolder, IMAPDone   string
	IMAPPort                         string
	HasIMAP                          bool
	// Signature and Acknowledgement are the mailbox's texts, set on its
	// own page.
	Signature, Acknowledgement string
	Fields                     map[string]string // problems by field
}

// Placeholders lists what the mailbox's texts may write as {{name}}.
func (mailboxForm) Placeholders() []string { return tend.Placeholders }

var mailNotices = map[string]string{
	"created": "The address was added.",
	"saved":   "The address was saved.",
	"retried": "The mail was run through again; its outcome is below.",
	"taken":   "The mail was taken as from a person; its outcome is below.",
}

func (s *Server) mailSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Mail")
	if !ok {
		return
	}
	page := mailPage{basePage: s.base(w, r, "Mail", agent), Notice: mailNotices[r.URL.Query().Get("done")],
		Form: mailboxForm{IMAPPort: "993", IMAPSecurity: "tls", IMAPAuth: "password", IMAPFolder: "INBOX"}}
	s.renderMail(w, ctx, http.StatusOK, &page)
}

// renderMail fills in the lists of the mail page and renders it.
func (s *Server) renderMail(w http.ResponseWriter, ctx context.Context, status int, page *mailPage) {
	var err error
	if page.Mailboxes, err = s.Mailboxes.FindMailboxes(ctx); err == nil {
		if page.Teams, err = s.Teams.FindTeams(ctx); err == nil {
			failed := tend.OutcomeFailed
			var list []*tend.InboundRecord
			if list, _, err = s.Inbound.FindInbound(ctx, tend.InboundFilter{Outcome: &failed, Limit: 100}); err == nil {
				page.Quarantine = make([]quarantined, len(list))
				for i, rec := range list {
					page.Quarantine[i] = quarantined{rec, quarantineAdvice(rec.Detail)}
				}
				page.Recent, _, err = s.Inbound.FindInbound(ctx, tend.InboundFilter{Limit: 25})
			}
		}
	}
	if err != nil {
		s.Logger.Error("mail settings page", "err", err)
		page.Error = tend.ErrorMessage(err)
		status = http.StatusInternalServerError
	}
	s.render(w, status, "mail", page)
}

func (s *Server) mailboxEditForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Mail address")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var m *tend.Mailbox
	if err == nil {
		m, err = s.Mailboxes.FindMailboxByID(ctx, id)
	}
	if err != nil {
		s.render(w, http.StatusNotFound, "message", messagePage{basePage: s.base(w, r, "Mail address", agent),
			Message: "There is no such mail address."})
		return
	}
	teams, _ := s.Teams.FindTeams(ctx)
	s.render(w, http.StatusOK, "mailbox", mailPage{basePage: s.base(w, r, m.Address, agent), Teams: teams, Form: formOf(m)})
}

func formOf(m *tend.Mailbox) mailboxForm {
	f := mailboxForm{ID: m.ID, Address: m.Address, Name: m.Name, IMAPPort: "993", IMAPSecurity: "tls",
		IMAPAuth: "password", IMAPFolder: "INBOX", Signature: m.Signature, Acknowledgement: m.Acknowledgement}
	if m.TeamID != nil {
		f.TeamID = *m.TeamID
	}
	if a := m.IMAP; a != nil {
		f.HasIMAP = true
		f.IMAPHost, f.IMAPPort, f.IMAPSecurity, f.IMAPUser = a.Host, strconv.Itoa(a.Port), a.Security, a.Username
		f.IMAPAuth, f.IMAPFolder, f.IMAPDone = a.Auth, a.Folder, a.DoneFolder
	}
	return f
}

// readMailboxForm reads the posted form. An empty IMAP host means the
// address receives over SMTP only.
func readMailboxForm(r *http.Request) (mailboxForm, *tend.IMAPInput, string) {
	f := mailboxForm{
		Address: strings.TrimSpace(r.PostFormValue("address")), Name: strings.TrimSpace(r.PostFormValue("name")),
		IMAPHost: strings.TrimSpace(r.PostFormValue("imap_host")), IMAPPort: strings.TrimSpace(r.PostFormValue("imap_port")),
		IMAPSecurity: r.PostFormValue("imap_security"), IMAPUser: strings.TrimSpace(r.PostFormValue("imap_username")),
		IMAPAuth: r.PostFormValue("imap_auth"), IMAPFolder: strings.TrimSpace(r.PostFormValue("imap_folder")),
		IMAPDone: strings.TrimSpace(r.PostFormValue("imap_done_folder")),
	}
	ids := newFormIDs(r)
	f.TeamID = ids.one("team_id", "a team")
	if err := ids.err(); err != nil {
		f.Fields = tend.ErrorFields(err)
		return f, nil, "Nothing was saved: choose a team from the list."
	}
	if f.IMAPHost == "" {
		return f, nil, ""
	}
	port, err := strconv.Atoi(f.IMAPPort)
	if err != nil {
		return f, nil, "The IMAP port must be a number, such as 993."
	}
	return f, &tend.IMAPInput{Host: f.IMAPHost, Port: port, Security: f.IMAPSecurity, Username: f.IMAPUser,
		Auth: f.IMAPAuth, Secret: r.PostFormValue("imap_secret"), Folder: f.IMAPFolder, DoneFolder: f.IMAPDone}, ""
}

func (s *Server) createMailboxForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Mail")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	form, imap, problem := readMailboxForm(r)
	page := mailPage{basePage: s.base(w, r, "Mail", agent), Form: form}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please submit it again."
		s.renderMail(w, ctx, http.StatusForbidden, &page)
		return
	}
	if problem != "" {
		page.Error = problem
		s.renderMail(w, ctx, http.StatusBadRequest, &page)
		return
	}
	in := &tend.MailboxCreate{Address: form.Address, Name: form.Name, IMAP: imap}
	if form.TeamID != 0 {
		in.TeamID = &form.TeamID
	}
	if _, err := s.Mailboxes.CreateMailbox(ctx, in); err != nil {
		page.Error, page.Form.Fields = formProblem(err, "address", "team_id"), tend.ErrorFields(err)
		s.renderMail(w, ctx, statusOf[tend.ErrorCode(err)], &page)
		return
	}
	http.Redirect(w, r, "/settings/mail?done=created", http.StatusSeeOther)
}

func (s *Server) updateMailboxForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Mail address")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, err := pathID(r, "mail address")
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form, imap, problem := readMailboxForm(r)
	form.ID = id
	form.Signature, form.Acknowledgement = r.PostFormValue("signature"), r.PostFormValue("acknowledgement")
	teams, _ := s.Teams.FindTeams(ctx)
	page := mailPage{basePage: s.base(w, r, form.Address, agent), Teams: teams, Form: form}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please submit it again."
		s.render(w, http.StatusForbidden, "mailbox", page)
		return
	}
	if problem != "" {
		page.Error = problem
		s.render(w, http.StatusBadRequest, "mailbox", page)
		return
	}
	if imap == nil {
		imap = &tend.IMAPInput{} // an empty host stops polling
	}
	u := &tend.MailboxUpdate{Address: &form.Address, Name: &form.Name, TeamID: &form.TeamID, IMAP: imap,
		Signature: &form.Signature, Acknowledgement: &form.Acknowledgement}
	if _, err := s.Mailboxes.UpdateMailbox(ctx, id, u); err != nil {
		page.Error, page.Form.Fields = formProblem(err, "address", "team_id", "signature", "acknowledgement"), tend.ErrorFields(err)
		s.render(w, statusOf[tend.ErrorCode(err)], "mailbox", page)
		return
	}
	http.Redirect(w, r, "/settings/mail?done=saved", http.StatusSeeOther)
}

func (s *Server) retryInboundForm(w http.ResponseWriter, r *http.Request) {
	ctx, page, id, ok := s.inboundForm(w, r)
	if !ok {
		return
	}
	if _, err := s.RetryInbound(ctx, id); err != nil {
		page.Error = formProblem(err)
		s.renderMail(w, ctx, statusOf[tend.ErrorCode(err)], page)
		return
	}
	http.Redirect(w, r, "/settings/mail?done=retried#recent", http.StatusSeeOther)
}

// inboundForm reads a form posted about one inbound mail: the admin's
// context, the mail page to show should it fail, and the mail's id. ok is
// false when the page was answered already.
func (s *Server) inboundForm(w http.ResponseWriter, r *http.Request) (context.Context, *mailPage, int64, bool) {
	agent, ctx, ok := s.adminPage(w, r, "Mail")
	if !ok {
		return nil, nil, 0, false
	}
	page := &mailPage{basePage: s.base(w, r, "Mail", agent)}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please submit it again."
		s.renderMail(w, ctx, http.StatusForbidden, page)
		return nil, nil, 0, false
	}
	id, err := pathID(r, "mail")
	if err != nil {
		page.Error = formProblem(err)
		s.renderMail(w, ctx, statusOf[tend.ErrorCode(err)], page)
		return nil, nil, 0, false
	}
	return ctx, page, id, true
}

// takeInboundForm serves POST /settings/mail/inbound/{id}/ticket: an admin
// makes a ticket of a quarantined mail by hand, and sees the ticket.
func (s *Server) takeInboundForm(w http.ResponseWriter, r *http.Request) {
	ctx, page, id, ok := s.inboundForm(w, r)
	if !ok {
		return
	}
	rec, err := s.Quarantine.TakeAsTicket(ctx, id)
	if err != nil {
		page.Error = formProblem(err)
		if tend.ErrorCode(err) == tend.ECONFLICT {
			// As after a double click: say where the mail went.
			if done, ferr := s.Inbound.FindInboundByID(ctx, id); ferr == nil && done.TicketID != nil {
				if t, terr := s.Tickets.FindTicketByID(ctx, *done.TicketID); terr == nil {
					page.Error = fmt.Sprintf("This mail is no longer in quarantine: it is in ticket #%d.", t.Number)
					page.ErrorTicket = t.Number
				}
			}
		}
		s.renderMail(w, ctx, statusOf[tend.ErrorCode(err)], page)
		return
	}
	if rec.TicketID != nil {
		if t, err := s.Tickets.FindTicketByID(ctx, *rec.TicketID); err == nil {
			http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.Number, 10), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, "/settings/mail?done=taken#recent", http.StatusSeeOther)
}

// inboundRawPage serves GET /settings/mail/inbound/{id}/raw: the mail as
// it arrived, to save as a .eml file.
func (s *Server) inboundRawPage(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Mail")
	if !ok {
		return
	}
	id, err := pathID(r, "mail")
	if err == nil {
		err = s.writeInboundRaw(w, r.WithContext(ctx), id)
	}
	if err != nil {
		s.pageError(w, r, agent, err)
	}
}

// writeInboundRaw answers with inbound mail id as received, as a file to
// save and never a page to show: it is a stranger's, and may hold HTML.
// Nothing is written when it returns an error.
func (s *Server) writeInboundRaw(w http.ResponseWriter, r *http.Request, id int64) error {
	_, f, err := s.Quarantine.Raw(r.Context(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inbound-%d.eml"`, id))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}

// quarantineAdvice says in plain words what to do about a mail kept for
// detail, which may be an error a program wrote; "" when the detail says
// it well enough.
func quarantineAdvice(detail string) string {
	for _, a := range quarantineAdvices {
		if strings.HasPrefix(detail, a.prefix) {
			return a.advice
		}
	}
	return ""
}

// quarantineAdvices are the details of the quarantine that need words,
// by how they begin: mailin.Read and the store write them.
var quarantineAdvices = []struct{ prefix, advice string }{
	{"The mail could not be read", "Not a mail Tend can read: download it to see what arrived, and make a ticket of it if it needs an answer."},
	{"The sender's address", "Tend cannot tell whom to answer: make a ticket of it to read it, and answer by other means."},
	{"attachments:", "A file in it is over the size limit: raise the limit (tend serve --max-attachment-size) and retry, " +
		"or make a ticket of it without the file."},
}

// quarantineCount says how much mail is quarantined, for the settings
// page: "" when none is (or it cannot be known), "100+" past a page.
func (s *Server) quarantineCount(ctx context.Context) string {
	failed := tend.OutcomeFailed
	list, next, err := s.Inbound.FindInbound(ctx, tend.InboundFilter{Outcome: &failed, Limit: 100})
	switch {
	case err != nil:
		s.Logger.Error("count quarantined mail", "err", err)
		return ""
	case next != "":
		return "100+ mails in quarantine"
	case len(list) == 1:
		return "1 mail in quarantine"
	case len(list) > 1:
		return strconv.Itoa(len(list)) + " mails in quarantine"
	}
	return ""
}
