package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sanitize"
)

// The ticket page: the conversation, the ticket's details beside it, who
// else has it open, and its attachments.

type ticketPage struct {
	basePage
	Ticket       *tend.Ticket
	Customer     *tend.Customer
	Organization *tend.Organization
	Others       []ticketRow // the customer's other tickets
	// FollowsUp is the closed ticket whose mail this one began as a reply to.
	FollowsUp int64
	Messages  []messageView
	Agents    []*tend.Agent
	Teams     []*tend.Team
	staff     *staff
	OwnerName string
	// OwnerUnlisted is an owner the form does not offer: deactivated, or
	// invited and not yet joined (OwnerInvited).
	OwnerUnlisted, OwnerInvited bool
	// Statuses are the ticket's own and those the workflow lets it
	// become, for its details; Moves only the latter, for a reply.
	Statuses    []tend.Status
	Moves       []tend.Status
	Priorities  []tend.Priority
	Present     []presentAgent // other agents with the ticket open
	Events      []eventView
	EventsNext  string
	ShowHistory bool
	LastID      int64 // the newest message, as the composer saw it
	Draft       draft
	Notice      string
	Error       string
	Problems    map[string]string
	NewSince    int64 // messages after this id are new to the writer
	// Held names the refused reply the page shows again, which sending
	// it forgets.
	Held string
	// Side is the details form; Fields the custom fields it shows.
	Side   *sideForm
	Fields []*tend.Field
	// Recipients are whom a reply is mailed to; Suggested the people mail
	// copied who await an agent.
	Recipients *tend.ReplyRecipients
	Suggested  []*tend.SuggestedParticipant
	// Following says whether the agent follows the ticket.
	Following bool
	// MergedInto is the number of the ticket this duplicate was merged
	// into.
	MergedInto int64
	// SLA is where the ticket stands against its service levels; nil
	// when it has none.
	SLA *slaView
	// policies names the service-level policies by id.
	policies map[int64]string
}

type draft struct {
	Kind   tend.MessageKind
	Body   string
	Status string
	// Key makes sending the same form twice (a double click, a retry
	// after a lost answer) add the message once.
	Key string
	// To and Cc are the reply's recipients as chosen.
	To string
	Cc []string
	// Macro is the one inserted into Body, whose actions go with it.
	Macro *insertedMacro
}

// Copied reports whether the draft copies email.
func (d draft) Copied(email string) bool { return slices.Contains(d.Cc, email) }

// messageView is a message as the conversation shows it.
type messageView struct {
	*tend.Message
	HTML       template.HTML // the sanitised HTML body, if any
	QuotedHTML template.HTML
	Images     []*tend.Attachment
	Files      []*tend.Attachment
	New        bool
	// TakenBy says who wrote down a caller's or a visitor's words, on the
	// message that opened the ticket.
	TakenBy string
}

var ticketNotices = map[string]string{
	"replied":    "Your reply was added.",
	"noted":      "Your note was added.",
	"updated":    "The ticket was updated.",
	"assigned":   "The ticket is yours.",
	"followed":   "You follow this ticket: you hear of its replies and changes.",
	"unfollowed": "You no longer follow this ticket.",
}

// ticketNumber reads {number} from the path.
func ticketNumber(r *http.Request) (int64, bool) {
	return parseTicketNumber(r.PathValue("number"))
}

// parseTicketNumber reads a ticket's number, as 1042 or #1042.
func parseTicketNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	return n, err == nil && n > 0
}

// ticketShow serves GET /tickets/{number}.
func (s *Server) ticketShow(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		s.render(w, http.StatusNotFound, "message", messagePage{basePage: s.base(w, r, "Not found", agent), Message: "There is no such ticket."})
		return
	}
	page, err := s.ticketPageOf(ctx, w, r, agent, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Notice = ticketNotices[r.URL.Query().Get("done")]
	if page.Notice == "" {
		page.Notice = cmp.Or(ticketMailNotices[r.URL.Query().Get("done")], ticketRelatedNotices[r.URL.Query().Get("done")])
	}
	status := http.StatusOK
	if token := r.URL.Query().Get("held"); token != "" {
		if h := s.held.find(token, agent.ID, number); h != nil {
			status = page.showHeld(token, h)
		} else {
			page.Notice = "The form you sent from this page is no longer kept: Tend keeps one that was refused for an hour, and not across a restart."
		}
	}
	if r.URL.Query().Get("history") == "1" {
		page.ShowHistory = true
		events, next, err := s.Tickets.FindTicketEvents(ctx, page.Ticket.ID, r.URL.Query().Get("after"), 200)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		page.EventsNext = next
		named, err := s.peopleOf(ctx, page.staff, page.Ticket.CustomerID, events)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		named.zone, named.policies = page.Zone, page.policies
		for _, e := range events {
			page.Events = append(page.Events, describeEvent(e, named))
		}
	}
	fragment := r.URL.Query().Get("fragment")
	if fragment == "conversation" {
		s.renderFragment(w, "ticket", "conversation", page)
		return
	}
	// A page's refresh of itself (?fragment=page) leaves presence to its
	// heartbeats, which say whether its agent is viewing or typing.
	if fragment == "" {
		s.live.setPresence(page.Ticket.ID, agent, "viewing")
		// Seeing the ticket is reading what was said of it.
		if page.Unread > 0 {
			if n, err := s.Notifications.MarkRead(ctx, &tend.NotificationRead{TicketID: page.Ticket.ID}); err == nil {
				page.Unread = max(0, page.Unread-n)
			}
		}
	}
	page.Present = others(s.live.present(page.Ticket.ID), agent.ID)
	s.render(w, status, "ticket", page)
}

// showHeld puts the refused form h back on the page, with why it was
// refused, and returns the status the page answers with.
func (page *ticketPage) showHeld(token string, h *heldForm) int {
	if h.draft != nil {
		page.Held, page.Error, page.Problems = token, h.err, h.problems
		fresh := page.Draft.Key
		page.Draft, page.NewSince = *h.draft, h.newSince
		if page.Draft.Key == "" {
			page.Draft.Key = fresh
		}
	}
	if h.side != nil {
		page.Side = sideFormOf(page.Ticket, h.side, page.staff, h.err, h.problems, page.Fields)
		// The choice stays on offer, though the workflow may refuse it
		// now: the page says so beside it.
		if st := tend.Status(page.Side.Values["status"]); !slices.Contains(page.Statuses, st) && st.Valid() {
			page.Statuses = append(page.Statuses, st)
		}
	}
	for i := range page.Messages {
		page.Messages[i].New = h.newSince > 0 && page.Messages[i].ID > h.newSince
	}
	return h.status
}

func others(present []presentAgent, me int64) []presentAgent {
	return slices.DeleteFunc(present, func(p presentAgent) bool { return p.ID == me })
}

// ticketPageOf reads what the ticket page shows.
func (s *Server) ticketPageOf(ctx context.Context, w http.ResponseWriter, r *http.Request, agent *tend.Agent, number int64) (*ticketPage, error) {
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	page := &ticketPage{basePage: s.base(w, r, "#"+strconv.FormatInt(t.Number, 10)+" "+t.Subject, agent), Ticket: t,
		Statuses: append([]tend.Status{t.Status}, t.Status.Next()...), Moves: t.Status.Next(), Priorities: tend.Priorities,
		Draft: draft{Kind: tend.KindReply, Key: rand.Text()}}
	slices.SortFunc(page.Statuses, func(a, b tend.Status) int {
		return slices.Index(tend.Statuses, a) - slices.Index(tend.Statuses, b)
	})
	page.Live = "ticket=" + strconv.FormatInt(t.ID, 10)
	if page.Following, err = s.Notifications.Following(ctx, t.ID); err != nil {
		return nil, err
	}
	if page.Customer, err = s.Customers.FindCustomerByID(ctx, t.CustomerID); err != nil {
		return nil, err
	}
	if t.OrganizationID != nil {
		if page.Organization, err = s.Organizations.FindOrganizationByID(ctx, *t.OrganizationID); err != nil && tend.ErrorCode(err) != tend.ENOTFOUND {
			return nil, err
		}
	}
	if page.staff, err = s.staff(ctx); err != nil {
		return nil, err
	}
	page.Agents, page.Teams = page.staff.agents, page.staff.teams
	if page.Fields, err = s.Fields.FindFields(ctx); err != nil {
		return nil, err
	}
	page.Side = sideFormOf(t, nil, page.staff, "", nil, page.Fields)
	if page.policies, err = s.policyNames(ctx); err != nil {
		return nil, err
	}
	page.SLA = slaViewOf(t.SLA, page.policies, s.Clock.Now())
	if t.OwnerID != nil {
		// The owner stays chosen in the form even when they cannot be
		// chosen anew (deactivated), so that saving other fields does not
		// hand the ticket to whoever is listed first.
		owner := page.staff.agent[*t.OwnerID]
		page.OwnerName, page.OwnerUnlisted = page.staff.agentName(*t.OwnerID), owner == nil || !owner.Assignable()
		page.OwnerInvited = owner != nil && owner.Active && owner.Invited
	}
	if t.MergedIntoID != nil {
		if kept, err := s.Tickets.FindTicketByID(ctx, *t.MergedIntoID); err == nil {
			page.MergedInto = kept.Number
		} else if tend.ErrorCode(err) != tend.ENOTFOUND {
			return nil, err
		}
	}
	if t.PreviousTicketID != nil {
		if prev, err := s.Tickets.FindTicketByID(ctx, *t.PreviousTicketID); err == nil {
			page.FollowsUp = prev.Number
		} else if tend.ErrorCode(err) != tend.ENOTFOUND {
			return nil, err
		}
	}
	others, _, err := s.Tickets.FindTickets(ctx, tend.TicketFilter{CustomerID: &t.CustomerID, Limit: 11})
	if err != nil {
		return nil, err
	}
	others = slices.DeleteFunc(others, func(o *tend.Ticket) bool { return o.ID == t.ID })
	if page.Others, err = s.ticketRowsWith(ctx, others[:min(len(others), 10)], page.staff); err != nil {
		return nil, err
	}
	for _, m := range t.Messages {
		page.Messages = append(page.Messages, viewMessage(m))
		page.LastID = max(page.LastID, m.ID)
	}
	if err := s.markTaken(ctx, t, page); err != nil {
		return nil, err
	}
	if page.Recipients, err = s.Tickets.FindReplyRecipients(ctx, t.ID); err != nil {
		return nil, err
	}
	page.Draft.To = page.Recipients.To
	for _, a := range page.Recipients.Cc {
		page.Draft.Cc = append(page.Draft.Cc, a.Email)
	}
	if page.Suggested, err = s.Tickets.FindSuggestedParticipants(ctx, t.ID); err != nil {
		return nil, err
	}
	return page, nil
}

// viewMessage prepares a message for the conversation. BodyHTML was
// sanitised when it was stored, before anything could show it. Inline
// parts of HTML mail are shown where the HTML refers to them (cid:) and
// not listed again.
func viewMessage(m *tend.Message) messageView {
	// Written again, HTML stored before sanitising closed every element
	// and dropped names is mended here.
	body, quoted := sanitize.Fragment(m.BodyHTML), sanitize.Fragment(m.QuotedHTML)
	v := messageView{Message: m}
	for _, a := range m.Attachments {
		if a.ContentID != "" {
			ref := `"cid:` + html.EscapeString(a.ContentID) + `"`
			if strings.Contains(body, ref) || strings.Contains(quoted, ref) {
				src := `"/attachments/` + strconv.FormatInt(a.ID, 10) + `"`
				body, quoted = strings.ReplaceAll(body, ref, src), strings.ReplaceAll(quoted, ref, src)
				continue
			}
		}
		if previewTypes[a.ContentType] {
			v.Images = append(v.Images, a)
		} else {
			v.Files = append(v.Files, a)
		}
	}
	v.HTML, v.QuotedHTML = template.HTML(body), template.HTML(quoted)
	return v
}

// previewTypes are the images shown in the conversation.
var previewTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// ticketPresence serves POST /presence/{ticket} from the ticket page's
// script: state is viewing, typing or left.
func (s *Server) ticketPresence(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	if !checkCSRF(r) {
		http.Error(w, "The page expired; reload it.", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("ticket"), 10, 64)
	if err != nil || id <= 0 {
		// 0 is what list pages follow: presence there would reach them all.
		http.Error(w, "There is no such ticket.", http.StatusNotFound)
		return
	}
	state := r.PostFormValue("state")
	if state != "viewing" && state != "typing" && state != "left" {
		http.Error(w, "state must be viewing, typing or left.", http.StatusBadRequest)
		return
	}
	// Every agent may see every ticket; an id that is no ticket only
	// records presence nobody reads, forgotten within presenceTTL.
	s.live.setPresence(id, agent, state)
	w.WriteHeader(http.StatusNoContent)
}

// attachmentPage serves GET /attachments/{id} to signed-in staff, as the
// API does to tokens.
func (s *Server) attachmentPage(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	s.getAttachment(w, r.WithContext(agentContext(r.Context(), agent)))
}

// statusRefusal says in words why t may not become want. The workflow's
// own message is for the API: it names the field and writes statuses as
// the API does ("status: ticket #12 is pending and can become open,
// on_hold, solved, not new").
func statusRefusal(t *tend.Ticket, want tend.Status) string {
	next := t.Status.Next()
	if len(next) == 0 {
		return fmt.Sprintf("Ticket #%d is %s, and its status cannot change: a new request needs a new ticket.", t.Number, statusWords(t.Status))
	}
	words := make([]string, len(next))
	for i, st := range next {
		words[i] = statusWords(st)
	}
	list := words[0]
	if n := len(words); n > 1 {
		list = strings.Join(words[:n-1], ", ") + " or " + words[n-1]
	}
	return fmt.Sprintf("Ticket #%d is %s now, and a %s ticket can become %s, not %s.", t.Number, statusWords(t.Status),
		statusWords(t.Status), list, statusWords(want))
}

// statusWords writes a status as a sentence says it: on_hold is "on hold".
func statusWords(st tend.Status) string { return strings.ReplaceAll(string(st), "_", " ") }

// isStatusRefusal reports whether err is the workflow refusing a status.
func isStatusRefusal(err error) bool {
	return tend.ErrorCode(err) == tend.ECONFLICT && tend.ErrorFields(err)["status"] != ""
}
