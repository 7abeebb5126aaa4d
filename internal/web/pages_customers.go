package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// Customers: the list, a profile with their tickets, edits, and merging
// two customers into one.

type customerRow struct {
	*tend.Customer
	Label        string // the name, else the first address
	Addresses    []emailView
	Organization *tend.Organization
}

type customerListPage struct {
	basePage
	Q            string
	Organization *tend.Organization // the list is this organization's customers
	Rows         []customerRow
	Next, First  string
}

// customerList serves GET /customers?q=...&organization=...: a page of
// customers in the order they were added.
func (s *Server) customerList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page := customerListPage{basePage: s.base(w, r, "Customers", agent), Q: strings.TrimSpace(q.Get("q"))}
	f := tend.CustomerFilter{Q: page.Q, Cursor: q.Get("cursor")}
	if v := q.Get("organization"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			page.Organization, err = s.Organizations.FindOrganizationByID(ctx, id)
		}
		if err != nil {
			s.pageError(w, r, agent, tend.Errorf(tend.ENOTFOUND, "There is no such organization."))
			return
		}
		f.OrganizationID = &id
		page.Title = "Customers of " + page.Organization.Name
	}
	list, next, err := s.Customers.FindCustomers(ctx, f)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	orgs := map[int64]*tend.Organization{}
	for _, c := range list {
		row := customerRow{Customer: c, Label: customerName(c), Addresses: emailViews(c)}
		if row.Organization, err = s.organizationOf(ctx, c.OrganizationID, orgs); err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		page.Rows = append(page.Rows, row)
	}
	page.Next, page.First = pageLinks(r.URL, next)
	s.render(w, http.StatusOK, "customers", page)
}

// organizationOf returns the organization id points at (nil for none),
// remembering those it read in seen: a page of customers names few.
func (s *Server) organizationOf(ctx context.Context, id *int64, seen map[int64]*tend.Organization) (*tend.Organization, error) {
	if id == nil {
		return nil, nil
	}
	if o, ok := seen[*id]; ok {
		return o, nil
	}
	o, err := s.Organizations.FindOrganizationByID(ctx, *id)
	if tend.ErrorCode(err) == tend.ENOTFOUND {
		o, err = nil, nil
	}
	seen[*id] = o
	return o, err
}

// emailView is one of a customer's addresses, with its bounce if mail to
// it bounces.
type emailView struct {
	Address string
	Bounce  *tend.Bounce
}

func emailViews(c *tend.Customer) []emailView {
	out := make([]emailView, len(c.Emails))
	for i, e := range c.Emails {
		out[i].Address = e
		for j := range c.Bouncing {
			if c.Bouncing[j].Email == e {
				out[i].Bounce = &c.Bouncing[j]
			}
		}
	}
	return out
}

type customerPage struct {
	basePage
	Customer     *tend.Customer
	Emails       []emailView
	Organization *tend.Organization
	Tickets      []ticketRow
	TicketCount  int
	Notice       string
	// The merge box: what was typed and why it found nobody. Only leads
	// and above merge.
	MergeOther, MergeProblem string
	CanMerge                 bool
}

// customerShow serves GET /customers/{id}.
func (s *Server) customerShow(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "customer")
	if err == nil && s.toSurvivor(w, r, ctx, id) {
		return
	}
	page, err := s.customerPage(w, r, ctx, agent)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Notice = customerNotices[r.URL.Query().Get("done")]
	if merged := r.URL.Query().Get("merged"); page.Notice == "" && merged != "" {
		if _, err := strconv.ParseInt(merged, 10, 64); err == nil {
			page.Notice = "Customer " + merged + " was merged into this one; this is their page now."
		}
	}
	s.render(w, http.StatusOK, "customer", page)
}

// toSurvivor sends the page of a merged customer on to the customer they
// were merged into, and reports whether it did: links to them (from the
// audit log, say) still lead to the person.
func (s *Server) toSurvivor(w http.ResponseWriter, r *http.Request, ctx context.Context, id int64) bool {
	c, err := s.Customers.FindCustomerByID(ctx, id)
	if err != nil || c.MergedIntoID == nil {
		return false
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(*c.MergedIntoID, 10)+"?merged="+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return true
}

// customerPage reads the profile of the customer in the path: who they
// are and their latest tickets.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, ctx context.Context, agent *tend.Agent) (*customerPage, error) {
	id, err := pathID(r, "customer")
	if err != nil {
		return nil, err
	}
	c, err := s.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	page := &customerPage{basePage: s.base(w, r, customerName(c), agent), Customer: c, Emails: emailViews(c),
		CanMerge: principal(agent).Can(tend.PermMergeCustomers)}
	if page.Organization, err = s.organizationOf(ctx, c.OrganizationID, map[int64]*tend.Organization{}); err != nil {
		return nil, err
	}
	f := tend.TicketFilter{CustomerID: &id, Limit: 50}
	list, _, err := s.Tickets.FindTickets(ctx, f)
	if err != nil {
		return nil, err
	}
	if page.Tickets, err = s.ticketRows(ctx, list); err != nil {
		return nil, err
	}
	if page.TicketCount, err = s.Tickets.CountTickets(ctx, f); err != nil {
		return nil, err
	}
	return page, nil
}

// customerName is how pages name a customer: by name, else by address.
func customerName(c *tend.Customer) string {
	if c.Name != "" {
		return c.Name
	}
	if len(c.Emails) > 0 {
		return c.Emails[0]
	}
	return "Customer " + strconv.FormatInt(c.ID, 10)
}

// customerForm is the add and edit form's values, as typed.
type customerForm struct {
	ID                                                            int64
	Name, FirstName, Emails, Phone, Organization, Notes, TimeZone string
	Fields                                                        map[string]string // problems by field
}

type customerEditPage struct {
	basePage
	Form customerForm
	// Organizations are suggestions for the organization box.
	Organizations []*tend.Organization
	Error         string
}

func (s *Server) customerNewForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	s.renderCustomerForm(w, ctx, http.StatusOK, &customerEditPage{basePage: s.base(w, r, "New customer", agent)})
}

// customerEditForm serves GET /customers/{id}/edit.
func (s *Server) customerEditForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "customer")
	if err == nil && s.toSurvivor(w, r, ctx, id) {
		return
	}
	var c *tend.Customer
	if err == nil {
		c, err = s.Customers.FindCustomerByID(ctx, id)
	}
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form := customerForm{ID: c.ID, Name: c.Name, FirstName: c.FirstName, Emails: strings.Join(c.Emails, "\n"), Phone: c.Phone, Notes: c.Notes, TimeZone: c.TimeZone}
	if o, err := s.organizationOf(ctx, c.OrganizationID, map[int64]*tend.Organization{}); err != nil {
		s.pageError(w, r, agent, err)
		return
	} else if o != nil {
		form.Organization = o.Name
	}
	s.renderCustomerForm(w, ctx, http.StatusOK, &customerEditPage{basePage: s.base(w, r, "Edit "+customerName(c), agent), Form: form})
}

// renderCustomerForm adds the organization suggestions and renders the
// form. A help desk has few enough organizations for one page of them to
// be useful; any other is found by its exact name.
func (s *Server) renderCustomerForm(w http.ResponseWriter, ctx context.Context, status int, page *customerEditPage) {
	page.Organizations, _, _ = s.Organizations.FindOrganizations(ctx, tend.OrganizationFilter{Limit: tend.MaxPageSize})
	s.render(w, status, "customer_edit", page)
}

func readCustomerForm(r *http.Request) customerForm {
	return customerForm{Name: r.PostFormValue("name"), FirstName: r.PostFormValue("first_name"), Emails: r.PostFormValue("emails"), Phone: r.PostFormValue("phone"),
		Organization: strings.TrimSpace(r.PostFormValue("organization")), Notes: r.PostFormValue("notes"), TimeZone: r.PostFormValue("time_zone")}
}

// organizationByName returns the id of the organization named name (any
// case); 0 for an empty name.
func (s *Server) organizationByName(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	list, _, err := s.Organizations.FindOrganizations(ctx, tend.OrganizationFilter{Q: name, Limit: tend.MaxPageSize})
	if err != nil {
		return 0, err
	}
	for _, o := range list {
		if tend.FoldName(o.Name) == tend.FoldName(name) {
			return o.ID, nil
		}
	}
	return 0, tend.FieldError(tend.EINVALID, "organization", "no organization is named %q; add it under Organizations first", name)
}

// customerFormError shows the form again with what was typed and what is
// wrong with it, beside each field.
func (s *Server) customerFormError(w http.ResponseWriter, r *http.Request, ctx context.Context, agent *tend.Agent, form customerForm, err error) {
	title := "Edit customer"
	if form.ID == 0 {
		title = "New customer"
	}
	page := &customerEditPage{basePage: s.base(w, r, title, agent), Form: form,
		Error: formProblem(err, "name", "emails", "phone", "organization", "organization_id", "notes", "time_zone")}
	page.Form.Fields = tend.ErrorFields(err)
	if p, ok := page.Form.Fields["organization_id"]; ok {
		page.Form.Fields["organization"] = p
	}
	if status := httpStatus(err); status >= 500 {
		s.Logger.Error("customer form", "path", r.URL.Path, "err", err)
	}
	s.renderCustomerForm(w, ctx, httpStatus(err), page)
}

// customerCreate serves POST /customers.
func (s *Server) customerCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, peopleFormLimit)
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	form := readCustomerForm(r)
	in := &tend.CustomerCreate{Name: form.Name, Emails: splitList(form.Emails), Phone: form.Phone, Notes: form.Notes}
	// An empty organization lets the store pick one by the address's domain.
	orgID, err := s.organizationByName(ctx, form.Organization)
	if err == nil && orgID != 0 {
		in.OrganizationID = &orgID
	}
	var c *tend.Customer
	if err == nil {
		c, err = s.Customers.CreateCustomer(ctx, in)
	}
	if err != nil {
		s.customerFormError(w, r, ctx, agent, form, err)
		return
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(c.ID, 10)+"?done=created", http.StatusSeeOther)
}

// customerUpdate serves POST /customers/{id}: the edit form.
func (s *Server) customerUpdate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, peopleFormLimit)
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "customer")
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form := readCustomerForm(r)
	form.ID = id
	emails := splitList(form.Emails)
	orgID, err := s.organizationByName(ctx, form.Organization)
	if err == nil {
		_, err = s.Customers.UpdateCustomer(ctx, id, &tend.CustomerUpdate{Name: &form.Name, FirstName: &form.FirstName, Emails: &emails, Phone: &form.Phone,
			OrganizationID: &orgID, Notes: &form.Notes, TimeZone: &form.TimeZone})
	}
	if tend.ErrorCode(err) == tend.ENOTFOUND {
		s.pageError(w, r, agent, err)
		return
	} else if err != nil {
		s.customerFormError(w, r, ctx, agent, form, err)
		return
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
}

type customerMergePage struct {
	basePage
	Into, From         *tend.Customer
	IntoName, FromName string
	IntoOrg, FromOrg   *tend.Organization
	AfterOrg           *tend.Organization // the organization of the moved tickets
	Tickets            int                // how many of From's tickets move
	// What Into takes from From because it has none of its own.
	TakesName, TakesPhone, TakesOrg bool
}

// customerMergeConfirm serves GET /customers/{id}/merge?other=...: it
// finds the other customer by id or address and says what merging them
// into this one will move. A miss goes back to the profile with the
// reason beside the box.
func (s *Server) customerMergeConfirm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	page, err := s.customerPage(w, r, ctx, agent)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	if !page.CanMerge {
		s.pageError(w, r, agent, tend.Errorf(tend.EFORBIDDEN, "Only a lead or above merges customers; ask your team's lead."))
		return
	}
	page.MergeOther = strings.TrimSpace(r.URL.Query().Get("other"))
	from, err := s.findMergeSource(ctx, page.MergeOther, page.Customer.ID)
	if err != nil {
		page.MergeProblem = formProblem(err)
		s.render(w, httpStatus(err), "customer", page)
		return
	}
	into := page.Customer
	m := customerMergePage{basePage: s.base(w, r, "Merge "+customerName(from)+" into "+customerName(into), agent),
		Into: into, From: from, IntoName: customerName(into), FromName: customerName(from), IntoOrg: page.Organization,
		TakesName: into.Name == "" && from.Name != "", TakesPhone: into.Phone == "" && from.Phone != "",
		TakesOrg: into.OrganizationID == nil && from.OrganizationID != nil}
	if m.FromOrg, err = s.organizationOf(ctx, from.OrganizationID, map[int64]*tend.Organization{}); err == nil {
		m.Tickets, err = s.Tickets.CountTickets(ctx, tend.TicketFilter{CustomerID: &from.ID})
	}
	if m.AfterOrg = m.IntoOrg; m.AfterOrg == nil {
		m.AfterOrg = m.FromOrg
	}
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, http.StatusOK, "customer_merge", m)
}

// findMergeSource finds the customer typed in the merge box: a number is
// an id, anything with an @ an address.
func (s *Server) findMergeSource(ctx context.Context, other string, intoID int64) (*tend.Customer, error) {
	var c *tend.Customer
	switch id, err := strconv.ParseInt(strings.TrimPrefix(other, "#"), 10, 64); {
	case other == "":
		return nil, tend.Errorf(tend.EINVALID, "Type the id or an address of the customer to merge into this one.")
	case err == nil:
		if c, err = s.Customers.FindCustomerByID(ctx, id); tend.ErrorCode(err) == tend.ENOTFOUND {
			return nil, tend.Errorf(tend.ENOTFOUND, "There is no customer %d.", id)
		} else if err != nil {
			return nil, err
		}
	case strings.Contains(other, "@"):
		list, _, err := s.Customers.FindCustomers(ctx, tend.CustomerFilter{Email: other, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, tend.Errorf(tend.ENOTFOUND, "No customer has the address %s.", other)
		}
		c = list[0]
	default:
		return nil, tend.Errorf(tend.EINVALID, "%q is neither a customer id nor an address.", other)
	}
	if c.ID == intoID {
		return nil, tend.Errorf(tend.EINVALID, "That is this customer; choose another one to merge into them.")
	}
	return c, nil
}

// customerMerge serves POST /customers/{id}/merge: the customer from_id
// is merged into this one.
func (s *Server) customerMerge(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	back := "/customers/" + r.PathValue("id")
	id, err := pathID(r, "customer")
	if err == nil {
		ids := newFormIDs(r)
		from := ids.one("from_id", "a customer")
		if err = ids.err(); err == nil && from == 0 {
			err = tend.Errorf(tend.EINVALID, "Choose the customer to merge into this one.")
		} else if err == nil {
			_, err = s.Customers.MergeCustomers(ctx, from, id)
		}
	}
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	http.Redirect(w, r, back+"?done=merged", http.StatusSeeOther)
}
