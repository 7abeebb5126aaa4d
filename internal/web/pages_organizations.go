package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// Organizations: the list, a profile with their customers and tickets,
// and edits.

type organizationListPage struct {
	basePage
	Q           string
	Rows        []*tend.Organization
	Next, First string
}

// organizationList serves GET /organizations?q=...
func (s *Server) organizationList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page := organizationListPage{basePage: s.base(w, r, "Organizations", agent), Q: strings.TrimSpace(q.Get("q"))}
	list, next, err := s.Organizations.FindOrganizations(ctx, tend.OrganizationFilter{Q: page.Q, Cursor: q.Get("cursor")})
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Rows = list
	page.Next, page.First = pageLinks(r.URL, next)
	s.render(w, http.StatusOK, "organizations", page)
}

type organizationPage struct {
	basePage
	Org           *tend.Organization
	Customers     []customerRow
	MoreCustomers bool
	Tickets       []ticketRow
	TicketCount   int
	Notice        string
}

// organizationShow serves GET /organizations/{id}: the organization, its
// first customers and its latest tickets.
func (s *Server) organizationShow(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	o, err := s.pathOrganization(ctx, r)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page := organizationPage{basePage: s.base(w, r, o.Name, agent), Org: o, Notice: organizationNotices[r.URL.Query().Get("done")]}
	customers, next, err := s.Customers.FindCustomers(ctx, tend.CustomerFilter{OrganizationID: &o.ID, Limit: 25})
	for _, c := range customers {
		page.Customers = append(page.Customers, customerRow{Customer: c, Label: customerName(c)})
	}
	page.MoreCustomers = next != ""
	f := tend.TicketFilter{OrganizationID: &o.ID, Limit: 25}
	var list []*tend.Ticket
	if err == nil {
		list, _, err = s.Tickets.FindTickets(ctx, f)
	}
	if err == nil {
		page.Tickets, err = s.ticketRows(ctx, list)
	}
	if err == nil {
		page.TicketCount, err = s.Tickets.CountTickets(ctx, f)
	}
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, http.StatusOK, "organization", page)
}

// organizationForm is the add and edit form's values, as typed.
type organizationForm struct {
	ID                         int64
	Name, Domains, Tier, Notes string
	Fields                     map[string]string // problems by field
}

type organizationEditPage struct {
	basePage
	Form  organizationForm
	Tiers []tend.Tier
	Error string
}

var allTiers = []tend.Tier{tend.TierStandard, tend.TierPriority}

func (s *Server) organizationNewForm(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "organization_edit", organizationEditPage{basePage: s.base(w, r, "New organization", agent),
		Form: organizationForm{Tier: string(tend.TierStandard)}, Tiers: allTiers})
}

// organizationEditForm serves GET /organizations/{id}/edit.
func (s *Server) organizationEditForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	o, err := s.pathOrganization(ctx, r)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form := organizationForm{ID: o.ID, Name: o.Name, Domains: strings.Join(o.Domains, "\n"), Tier: string(o.Tier), Notes: o.Notes}
	s.render(w, http.StatusOK, "organization_edit", organizationEditPage{basePage: s.base(w, r, "Edit "+o.Name, agent),
		Form: form, Tiers: allTiers})
}

func readOrganizationForm(r *http.Request) organizationForm {
	return organizationForm{Name: r.PostFormValue("name"), Domains: r.PostFormValue("domains"), Tier: r.PostFormValue("tier"),
		Notes: r.PostFormValue("notes")}
}

// organizationFormError shows the form again with what was typed and
// what is wrong with it.
func (s *Server) organizationFormError(w http.ResponseWriter, r *http.Request, agent *tend.Agent, form organizationForm, err error) {
	title := "Edit organization"
	if form.ID == 0 {
		title = "New organization"
	}
	if status := httpStatus(err); status >= 500 {
		s.Logger.Error("organization form", "path", r.URL.Path, "err", err)
	}
	form.Fields = tend.ErrorFields(err)
	s.render(w, httpStatus(err), "organization_edit", organizationEditPage{basePage: s.base(w, r, title, agent),
		Form: form, Tiers: allTiers, Error: formProblem(err, "name", "domains", "tier", "notes")})
}

// organizationCreate serves POST /organizations.
func (s *Server) organizationCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, peopleFormLimit)
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	form := readOrganizationForm(r)
	o, err := s.Organizations.CreateOrganization(ctx, &tend.OrganizationCreate{Name: form.Name, Domains: splitList(form.Domains),
		Tier: tend.Tier(form.Tier), Notes: form.Notes})
	if err != nil {
		s.organizationFormError(w, r, agent, form, err)
		return
	}
	http.Redirect(w, r, "/organizations/"+strconv.FormatInt(o.ID, 10)+"?done=created", http.StatusSeeOther)
}

// organizationUpdate serves POST /organizations/{id}: the edit form.
func (s *Server) organizationUpdate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, peopleFormLimit)
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "organization")
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form := readOrganizationForm(r)
	form.ID = id
	domains, tier := splitList(form.Domains), tend.Tier(form.Tier)
	_, err = s.Organizations.UpdateOrganization(ctx, id, &tend.OrganizationUpdate{Name: &form.Name, Domains: &domains, Tier: &tier,
		Notes: &form.Notes})
	if tend.ErrorCode(err) == tend.ENOTFOUND {
		s.pageError(w, r, agent, err)
		return
	} else if err != nil {
		s.organizationFormError(w, r, agent, form, err)
		return
	}
	http.Redirect(w, r, "/organizations/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
}

// pathOrganization reads the organization the path names.
func (s *Server) pathOrganization(ctx context.Context, r *http.Request) (*tend.Organization, error) {
	id, err := pathID(r, "organization")
	if err != nil {
		return nil, err
	}
	return s.Organizations.FindOrganizationByID(ctx, id)
}
