package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/tendhq/tend"
)

// Replies and notes sent from the ticket page.

// ticketReply serves POST /tickets/{number}/messages: a reply or a note,
// with attachments, and optionally a new status. When the customer wrote
// again after the page was loaded, it shows the new message first and
// asks to confirm, keeping the draft.
func (s *Server) ticketReply(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	r.Body = http.MaxBytesReader(w, r.Body, 4*s.MaxAttachmentSize+s.MaxBodySize)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.formError(w, r, agent, tend.Errorf(tend.ETOOLARGE, "The attachments are too large: together they may be at most %d MB, each at most %d MB.",
				(4*s.MaxAttachmentSize)>>20, s.MaxAttachmentSize>>20), back)
			return
		}
		s.formError(w, r, agent, tend.Errorf(tend.EINVALID, "The form could not be read: %v", err), back)
		return
	}
	if !checkCSRF(r) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, "Form expired", agent),
			Message: "The form expired. Go back, reload the page and send again; copy your text first."})
		return
	}
	d := draft{Kind: tend.MessageKind(r.PostFormValue("kind")), Body: r.PostFormValue("body"), Status: r.PostFormValue("status"),
		Key: r.PostFormValue("idempotency_key")}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Size > 0 || fh.Filename != "" {
				files = append(files, fh)
			}
		}
	}
	// refuse holds the draft and sends the browser to the ticket page,
	// which shows it again with why it was not sent. A browser cannot
	// refill chosen files, so it says so.
	refuse := func(status int, msg string, problems map[string]string, newSince int64) {
		if d.Macro != nil {
			// The held draft says which macro goes with it, or that it no
			// longer can: a macro deleted since it was inserted (or no
			// longer the agent's to use) is dropped from the draft, and
			// said once, in place of the service's "Macro 7 does not
			// exist" when that was why the reply was refused.
			if m, err := s.Macros.FindMacroByID(ctx, d.Macro.ID); err == nil {
				_, names := s.teamNames(r, agent)
				d.Macro = &insertedMacro{ID: m.ID, Name: m.Name, Does: macroDoes(m.Actions, names)}
			} else {
				d.Macro = nil
				gone := "The macro you inserted has been deleted, so nothing was sent. Send again to send your text without the macro's actions."
				if status == http.StatusNotFound {
					msg, status = gone, http.StatusConflict
				} else {
					msg += " " + gone
				}
			}
		}
		if len(files) > 0 {
			msg += " Attach your files again before you send."
		}
		token := s.held.hold(&heldForm{agentID: agent.ID, number: number, status: status, draft: &d, newSince: newSince,
			err: msg, problems: problems})
		http.Redirect(w, r, back+"?held="+token, http.StatusSeeOther)
	}
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	// The form says the newest message its page showed; the service holds
	// a reply while a customer message after it is unread
	// (tend.CustomerWroteSince). The page that says so shows the new
	// message and carries its id, so sending from it goes through unless
	// the customer wrote yet again. A form that does not say (not from this
	// page) is not held.
	ids := newFormIDs(r)
	seen := ids.one("last_message_id", "a message")
	if err := ids.err(); err != nil {
		refuse(http.StatusBadRequest, "This form does not say which messages its page showed; reload the page and send again.", nil, 0)
		return
	}
	c := &tend.MessageCreate{Kind: d.Kind, Body: d.Body, IdempotencyKey: d.Key}
	if r.PostFormValue("recipients") == "1" {
		// The composer showed the recipients; what was left ticked goes.
		d.To, d.Cc = r.PostFormValue("to"), r.PostForm["cc"]
		if d.Cc == nil {
			d.Cc = []string{}
		}
		if d.Kind == tend.KindReply {
			c.Cc = &d.Cc
			if d.To != "" {
				c.To = &d.To
			}
		}
	}
	if seen > 0 {
		c.SeenMessageID = &seen
	}
	if v := r.PostFormValue("macro_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			refuse(http.StatusBadRequest, "This form names a macro that does not exist; insert the macro again.", nil, 0)
			return
		}
		d.Macro, c.MacroID = &insertedMacro{ID: id}, &id
	}
	if d.Status != "" {
		st := tend.Status(d.Status)
		c.Status = &st
	}
	for _, fh := range files {
		in, err := readUpload(fh, s.MaxAttachmentSize)
		if err != nil {
			refuse(httpStatus(err), tend.ErrorMessage(err), nil, 0)
			return
		}
		c.Attachments = append(c.Attachments, in)
	}
	if _, err := s.Tickets.AddMessage(ctx, t.ID, c); err != nil {
		if tend.ErrorCode(err) == tend.EINTERNAL {
			s.Logger.Error("add message", "ticket", t.ID, "err", err)
		}
		if len(tend.ErrorNewMessages(err)) > 0 {
			refuse(http.StatusConflict, tend.ErrorMessage(err), nil, seen)
			return
		}
		msg, problems := formProblem(err), tend.ErrorFields(err)
		if c.Status != nil && isStatusRefusal(err) {
			if now, e := s.Tickets.FindTicketByNumber(ctx, number); e == nil {
				msg, problems = statusRefusal(now, *c.Status), nil
			}
		}
		refuse(httpStatus(err), msg, problems, 0)
		return
	}
	s.held.drop(r.PostFormValue("held"), agent.ID)
	s.live.setPresence(t.ID, agent, "viewing")
	done := "replied"
	if d.Kind == tend.KindNote {
		done = "noted"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// readUpload reads a file from a form, within max bytes.
func readUpload(fh *multipart.FileHeader, max int64) (*tend.AttachmentInput, error) {
	if fh.Size > max {
		return nil, tend.Errorf(tend.ETOOLARGE, "%s is %d MB; an attachment may be at most %d MB.", fh.Filename, fh.Size>>20, max>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	typ := fh.Header.Get("Content-Type")
	if typ == "" {
		typ = http.DetectContentType(data)
	}
	return &tend.AttachmentInput{Name: fh.Filename, ContentType: typ, Data: data}, nil
}
