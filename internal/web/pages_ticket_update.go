package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// The ticket page's details: owner, team, priority, status and tags.

// ticketUpdate serves POST /tickets/{number}: owner, team, priority,
// status and tags, refused if the ticket changed since the page was read.
func (s *Server) ticketUpdate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	u, err := readTicketForm(r, t, agent)
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	if u.Empty() {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if _, err := s.Tickets.UpdateTicket(ctx, t.ID, u); err != nil {
		if tend.ErrorCode(err) == tend.ESTALE {
			err = tend.Errorf(tend.ESTALE, "Someone changed this ticket while you had it open. Reload it to see the change, then make yours again.")
		}
		if u.Status != nil && isStatusRefusal(err) {
			if now, e := s.Tickets.FindTicketByNumber(ctx, number); e == nil {
				err = tend.Errorf(tend.ECONFLICT, "%s", statusRefusal(now, *u.Status))
			}
		}
		s.formError(w, r, agent, err, back)
		return
	}
	done := "updated"
	if r.PostFormValue("take") != "" {
		done = "assigned"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// readTicketForm turns the ticket page's controls into an update of what
// changed. "take" assigns the ticket to the agent.
func readTicketForm(r *http.Request, t *tend.Ticket, agent *tend.Agent) (*tend.TicketUpdate, error) {
	u := &tend.TicketUpdate{}
	if v := r.PostFormValue("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, tend.FieldError(tend.EINVALID, "version", "this form does not say which version of the ticket it shows; reload the page and try again")
		}
		u.Version = &n
	}
	if r.PostFormValue("take") != "" {
		u.OwnerID = &agent.ID
		return u, nil
	}
	form := r.PostForm
	if form.Has("status") && tend.Status(form.Get("status")) != t.Status {
		st := tend.Status(form.Get("status"))
		u.Status = &st
	}
	if form.Has("priority") && tend.Priority(form.Get("priority")) != t.Priority {
		p := tend.Priority(form.Get("priority"))
		u.Priority = &p
	}
	ids := newFormIDs(r)
	// No owner chosen ("Nobody yet", or a deactivated owner kept) changes
	// nothing; "No team" (0) clears the team.
	if id := ids.one("owner_id", "an agent"); id != 0 && (t.OwnerID == nil || *t.OwnerID != id) {
		u.OwnerID = &id
	}
	if form.Has("team_id") {
		if id := ids.one("team_id", "a team"); (t.TeamID == nil && id != 0) || (t.TeamID != nil && *t.TeamID != id) {
			u.TeamID = &id
		}
	}
	if err := ids.err(); err != nil {
		return nil, err
	}
	if form.Has("tags") {
		tags := []string{}
		for _, tag := range strings.Split(form.Get("tags"), ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
		if !slices.Equal(normalizedTags(tags), t.Tags) {
			u.Tags = &tags
		}
	}
	return u, nil
}

func normalizedTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = tend.NormalizeTag(t); t != "" {
			out = append(out, t)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}
