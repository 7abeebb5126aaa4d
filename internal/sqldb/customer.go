package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// CustomerService implements tend.CustomerService.
type CustomerService struct {
	db *DB
	// Notify, if set, hears after commit of each ticket a merge moved to
	// another customer, as TicketService.Notify does of its changes.
	Notify func(tend.TicketChange)
}

// NewCustomerService returns the customer service of db.
func NewCustomerService(db *DB) *CustomerService { return &CustomerService{db: db} }

var _ tend.CustomerService = (*CustomerService)(nil)

const customerColumns = `id, name, first_name, phone, organization_id, notes, time_zone, raw_address, merged_into_id, created_at, updated_at`

func scanCustomer(r row) (*tend.Customer, error) {
	c := &tend.Customer{Emails: []string{}}
	err := r.Scan(&c.ID, &c.Name, &c.FirstName, &c.Phone, &c.OrganizationID, &c.Notes, &c.TimeZone, &c.RawAddress, &c.MergedIntoID, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// FindCustomerByID returns ENOTFOUND if there is no such customer, or if
// the caller is another customer.
func (s *CustomerService) FindCustomerByID(ctx context.Context, id int64) (*tend.Customer, error) {
	p := tend.PrincipalFromContext(ctx)
	if p.IsCustomer() && p.CustomerID != id {
		return nil, notFound("Customer", id)
	} else if !p.IsCustomer() {
		if _, err := tend.RequireStaff(ctx); err != nil {
			return nil, err
		}
	}
	var c *tend.Customer
	err := s.db.read(ctx, func(q *Tx) (err error) {
		c, err = findCustomerByID(ctx, q, id)
		return err
	})
	return c, err
}

func findCustomerByID(ctx context.Context, q *Tx, id int64) (*tend.Customer, error) {
	c, err := scanCustomer(q.queryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Customer", id)
	} else if err != nil {
		return nil, fmt.Errorf("find customer: %w", err)
	}
	if err := attachOpenTickets(ctx, q, []*tend.Customer{c}); err != nil {
		return nil, err
	}
	return c, attachEmails(ctx, q, []*tend.Customer{c})
}

// attachOpenTickets counts each customer's tickets not yet solved.
func attachOpenTickets(ctx context.Context, q *Tx, customers []*tend.Customer) error {
	return attachValues(ctx, q, customers, func(c *tend.Customer) int64 { return c.ID },
		func(in string) string {
			return `SELECT customer_id, COUNT(*) FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold')
				AND NOT spam AND customer_id ` + in + ` GROUP BY customer_id`
		},
		func(c *tend.Customer, n int) { c.OpenTickets = n })
}

// FindCustomersByIDs returns the customers of ids, for lists that show
// names beside tickets.
func (s *CustomerService) FindCustomersByIDs(ctx context.Context, ids []int64) ([]*tend.Customer, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var found []*tend.Customer
	err := s.db.read(ctx, func(q *Tx) (err error) {
		var a args
		found, err = queryAll(ctx, q, scanCustomer, `SELECT `+customerColumns+` FROM customers WHERE id IN (`+list(&a, ids)+`)`, a...)
		if err == nil {
			err = attachEmails(ctx, q, found)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	return found, nil
}

// FindCustomers returns one page of customers in id order.
func (s *CustomerService) FindCustomers(ctx context.Context, f tend.CustomerFilter) ([]*tend.Customer, string, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"merged_into_id IS NULL"}
	// An address is looked up by its start; otherwise each word of the
	// query starts a word of the customer's.
	if q := strings.TrimSpace(f.Q); strings.Contains(q, "@") {
		where = append(where, "id IN (SELECT customer_id FROM customer_emails WHERE "+s.db.prefixMatch(&a, "email", tend.NormalizeEmail(q))+")")
	} else {
		if words := tend.SearchWords(q); len(words) > 0 {
			where = append(where, wordsMatch(&a, "customer_words", "customer_id", words))
		}
	}
	if f.Email != "" {
		where = append(where, "id IN (SELECT customer_id FROM customer_emails WHERE email = "+a.add(tend.NormalizeEmail(f.Email))+")")
	}
	if f.OrganizationID != nil {
		where = append(where, "organization_id = "+a.add(*f.OrganizationID))
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, false)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "id > "+a.add(c.id))
	}
	limit := pageSize(f.Limit)
	query := `SELECT ` + customerColumns + ` FROM customers WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id LIMIT ` + a.add(limit+1)
	var list []*tend.Customer
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if list, err = queryAll(ctx, q, scanCustomer, query, a...); err != nil {
			return err
		}
		if err := attachOpenTickets(ctx, q, list); err != nil {
			return err
		}
		return attachEmails(ctx, q, list)
	})
	if err != nil {
		return nil, "", fmt.Errorf("find customers: %w", err)
	}
	list, next := pageOf(list, limit, func(c *tend.Customer) cursor { return cursor{id: c.ID} })
	return list, next, nil
}

func attachEmails(ctx context.Context, q *Tx, customers []*tend.Customer) error {
	for _, c := range customers {
		c.Bouncing = []tend.Bounce{}
	}
	err := attachValues(ctx, q, customers, func(c *tend.Customer) int64 { return c.ID },
		func(in string) string {
			return `SELECT customer_id, email FROM customer_emails WHERE customer_id ` + in + ` ORDER BY customer_id, position`
		},
		func(c *tend.Customer, email string) { c.Emails = append(c.Emails, email) })
	if err != nil {
		return err
	}
	return attachValues(ctx, q, customers, func(c *tend.Customer) int64 { return c.ID },
		func(in string) string {
			return `SELECT customer_id, email, bouncing_since, bounce_reason FROM customer_emails
				WHERE bouncing_since IS NOT NULL AND customer_id ` + in + ` ORDER BY customer_id, position`
		},
		func(c *tend.Customer, b tend.Bounce) { c.Bouncing = append(c.Bouncing, b) },
		func(r row) (p pair[tend.Bounce], err error) {
			return p, r.Scan(&p.id, &p.value.Email, &p.value.Since, &p.value.Reason)
		})
}

// CreateCustomer returns ECONFLICT if an address belongs to another customer.
func (s *CustomerService) CreateCustomer(ctx context.Context, c *tend.CustomerCreate) (*tend.Customer, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var cust *tend.Customer
	err = s.db.write(ctx, func(tx *Tx) error {
		id, _, err := insertCustomer(ctx, tx, c.Name, c.Phone, c.Notes, c.OrganizationID, c.Emails[0])
		if err != nil {
			return err
		}
		if err := setEmails(ctx, tx, id, c.Emails); err != nil {
			return err
		}
		if err := indexCustomerWords(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "customer.created", "customer", id, map[string]any{"emails": c.Emails}); err != nil {
			return err
		}
		cust, err = findCustomerByID(ctx, tx, id)
		return err
	})
	return cust, err
}

// insertCustomer adds the customer row and returns its id and
// organization. Without an organization it takes the one that owns the
// domain of email, if any.
func insertCustomer(ctx context.Context, tx *Tx, name, phone, notes string, orgID *int64, email string) (int64, *int64, error) {
	if orgID == nil {
		var id int64
		domain := email[strings.LastIndexByte(email, '@')+1:]
		err := tx.queryRow(ctx, `SELECT organization_id FROM organization_domains WHERE domain = $1`, domain).Scan(&id)
		if err == nil {
			orgID = &id
		} else if !errors.Is(err, errNoRows) {
			return 0, nil, err
		}
	}
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO customers (name, name_key, phone, organization_id, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, name, tend.FoldName(name), phone, orgID, notes, tx.now).Scan(&id)
	if isForeignKeyViolation(err) {
		return 0, nil, unknownOrganization(*orgID)
	} else if err != nil {
		return 0, nil, fmt.Errorf("insert customer: %w", err)
	}
	return id, orgID, nil
}

func unknownOrganization(id int64) error {
	return tend.FieldError(tend.EINVALID, "organization_id", "organization %d does not exist", id)
}

// setEmails replaces the customer's addresses.
func setEmails(ctx context.Context, tx *Tx, customerID int64, emails []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM customer_emails WHERE customer_id = $1`, customerID); err != nil {
		return err
	}
	for i, e := range emails {
		if desk, err := isDeskAddress(ctx, tx, e); err != nil {
			return err
		} else if desk {
			return tend.FieldError(tend.EINVALID, "emails", "the address %s is this desk's own, not a customer's", e)
		}
		n, err := tx.exec(ctx, `INSERT INTO customer_emails (email, customer_id, position) VALUES ($1, $2, $3)
			ON CONFLICT (email) DO NOTHING`, e, customerID, i)
		if err != nil {
			return err
		}
		if n == 0 {
			return tend.FieldError(tend.ECONFLICT, "emails", "%s belongs to another customer", e)
		}
	}
	return nil
}

// findOrCreateCustomer returns the customer who owns ref's address,
// creating one if nobody does. Two transactions that race to create the
// same address end with one customer: the loser's insert of the address
// does nothing, and it takes the winner's customer instead.
func findOrCreateCustomer(ctx context.Context, tx *Tx, ref tend.CustomerRef) (id int64, orgID *int64, err error) {
	// The customer is held (shared) until the transaction ends, so that a
	// merge waits for the ticket or message about to name them; one that
	// committed first has moved the address on, and the address is
	// looked up again.
	for range 3 {
		var merged *int64
		err = tx.queryRow(ctx, `SELECT c.id, c.organization_id, c.merged_into_id FROM customer_emails e
			JOIN customers c ON c.id = e.customer_id WHERE e.email = $1`+tx.db.forShare(), ref.Email).Scan(&id, &orgID, &merged)
		if err != nil || merged == nil {
			break
		}
	}
	if err == nil {
		return id, orgID, nil
	} else if !errors.Is(err, errNoRows) {
		return 0, nil, fmt.Errorf("find customer: %w", err)
	}
	// The desk's own address is nobody's: a customer there would answer
	// the desk's own mail.
	if desk, err := isDeskAddress(ctx, tx, ref.Email); err != nil {
		return 0, nil, err
	} else if desk {
		return 0, nil, tend.FieldError(tend.EINVALID, "customer.email", "%s is this help desk's own address, not a customer's", ref.Email)
	}
	if id, orgID, err = insertCustomer(ctx, tx, ref.Name, "", "", nil, ref.Email); err != nil {
		return 0, nil, err
	}
	n, err := tx.exec(ctx, `INSERT INTO customer_emails (email, customer_id, position) VALUES ($1, $2, 0)
		ON CONFLICT (email) DO NOTHING`, ref.Email, id)
	if err != nil {
		return 0, nil, err
	}
	if n == 0 {
		if _, err := tx.exec(ctx, `DELETE FROM customers WHERE id = $1`, id); err != nil {
			return 0, nil, err
		}
		return findOrCreateCustomer(ctx, tx, ref)
	}
	if err := insertCustomerWords(ctx, tx, id, tend.CustomerWords(ref.Name, []string{ref.Email})); err != nil {
		return 0, nil, err
	}
	return id, orgID, nil
}

// UpdateCustomer returns ECONFLICT if an address belongs to another customer.
func (s *CustomerService) UpdateCustomer(ctx context.Context, id int64, u *tend.CustomerUpdate) (*tend.Customer, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var cust *tend.Customer
	err = s.db.write(ctx, func(tx *Tx) error {
		// Locked first, so that a merge cannot make it a tombstone between
		// the check and the change.
		if _, err := queryAll(ctx, tx, scanID, `SELECT id FROM customers WHERE id = $1`+tx.db.forUpdate(), id); err != nil {
			return err
		}
		if c, err := findCustomerByID(ctx, tx, id); err != nil {
			return err
		} else if c.MergedIntoID != nil {
			return tend.Errorf(tend.ECONFLICT, "Customer %d was merged into customer %d; change that one instead.", id, *c.MergedIntoID)
		}
		var a args
		sets := []string{"updated_at = " + a.add(tx.now)}
		if u.Name != nil {
			sets = append(sets, "name = "+a.add(*u.Name), "name_key = "+a.add(tend.FoldName(*u.Name)))
		}
		if u.FirstName != nil {
			sets = append(sets, "first_name = "+a.add(*u.FirstName))
		}
		if u.Phone != nil {
			sets = append(sets, "phone = "+a.add(*u.Phone))
		}
		if u.Notes != nil {
			sets = append(sets, "notes = "+a.add(*u.Notes))
		}
		if u.TimeZone != nil {
			sets = append(sets, "time_zone = "+a.add(*u.TimeZone))
		}
		if u.OrganizationID != nil {
			sets = append(sets, "organization_id = "+a.add(tend.OptionalID(*u.OrganizationID)))
		}
		_, err := tx.exec(ctx, `UPDATE customers SET `+strings.Join(sets, ", ")+` WHERE id = `+a.add(id), a...)
		if isForeignKeyViolation(err) {
			return unknownOrganization(*u.OrganizationID)
		} else if err != nil {
			return fmt.Errorf("update customer: %w", err)
		}
		if u.Emails != nil {
			if err := setEmails(ctx, tx, id, *u.Emails); err != nil {
				return err
			}
		}
		if u.Name != nil || u.Emails != nil {
			if err := indexCustomerWords(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, p, "customer.updated", "customer", id, customerChanges(u)); err != nil {
			return err
		}
		cust, err = findCustomerByID(ctx, tx, id)
		return err
	})
	return cust, err
}

func customerChanges(u *tend.CustomerUpdate) map[string]any {
	m := map[string]any{}
	if u.Name != nil {
		m["name"] = *u.Name
	}
	if u.Emails != nil {
		m["emails"] = *u.Emails
	}
	if u.FirstName != nil {
		m["first_name"] = *u.FirstName
	}
	if u.Phone != nil {
		m["phone"] = *u.Phone
	}
	if u.OrganizationID != nil {
		m["organization_id"] = tend.OptionalID(*u.OrganizationID)
	}
	if u.Notes != nil {
		m["notes"] = "changed"
	}
	if u.TimeZone != nil {
		m["time_zone"] = *u.TimeZone
	}
	return m
}

// MergeCustomers moves the tickets, messages and addresses of the customer
// fromID to intoID, in one transaction. Each moved ticket changes
// customer through the workflow (tend.Ticket.ApplyCustomerMerge), which
// its history records. fromID stays as a tombstone pointing to intoID.
func (s *CustomerService) MergeCustomers(ctx context.Context, fromID, intoID int64) (*tend.Customer, error) {
	p, err := tend.Require(ctx, tend.PermMergeCustomers)
	if err != nil {
		return nil, err
	}
	if fromID == intoID {
		return nil, tend.Errorf(tend.EINVALID, "A customer cannot be merged into themselves.")
	}
	var cust *tend.Customer
	var notices []tend.TicketChange
	err = s.db.write(ctx, func(tx *Tx) error {
		// Locked in id order, so that two merges of the same pair, either
		// way round, wait for each other instead of deadlocking; the
		// second then finds one of them merged.
		if _, err := queryAll(ctx, tx, scanID, `SELECT id FROM customers WHERE id IN ($1, $2) ORDER BY id`+tx.db.forUpdate(),
			min(fromID, intoID), max(fromID, intoID)); err != nil {
			return fmt.Errorf("lock customers: %w", err)
		}
		from, err := findCustomerByID(ctx, tx, fromID)
		if err != nil {
			return err
		}
		into, err := findCustomerByID(ctx, tx, intoID)
		if err != nil {
			return err
		}
		for _, c := range []*tend.Customer{from, into} {
			if c.MergedIntoID != nil {
				return tend.Errorf(tend.ECONFLICT, "Customer %d was merged into customer %d already; merge that one instead.", c.ID, *c.MergedIntoID)
			}
		}
		tickets, err := moveCustomerData(ctx, tx, p, from, into)
		if err != nil {
			return err
		}
		if err := absorbCustomer(ctx, tx, from, into); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "customer.merged", "customer", intoID, map[string]any{
			"from_id": from.ID, "emails": from.Emails, "ticket_ids": tickets,
		}); err != nil {
			return err
		}
		for _, id := range tickets {
			notices = append(notices, tend.TicketChange{TicketID: id, Kind: tend.EventCustomerMerged})
		}
		cust, err = findCustomerByID(ctx, tx, intoID)
		return err
	})
	if err == nil && s.Notify != nil {
		for _, n := range notices {
			s.Notify(n)
		}
	}
	return cust, err
}

// moveCustomerData hands from's tickets, messages and addresses to into
// and returns the ids of the tickets moved. Addresses keep their bounce
// marks and follow into's own in order.
func moveCustomerData(ctx context.Context, tx *Tx, p tend.Principal, from, into *tend.Customer) ([]int64, error) {
	orgID := into.OrganizationID
	if orgID == nil {
		orgID = from.OrganizationID
	}
	tickets, err := queryAll(ctx, tx, scanID, `SELECT id FROM tickets WHERE customer_id = $1 ORDER BY id`, from.ID)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	for _, id := range tickets {
		c, err := changeTicket(ctx, tx, p, id, nil)
		if err != nil {
			return nil, err
		}
		c.record(c.t.ApplyCustomerMerge(into.ID, orgID))
		if err := c.commit(ctx); err != nil {
			return nil, err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET author_customer_id = $1 WHERE author_customer_id = $2`, into.ID, from.ID); err != nil {
		return nil, fmt.Errorf("move messages: %w", err)
	}
	var next int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM customer_emails WHERE customer_id = $1`, into.ID).Scan(&next); err != nil {
		return nil, fmt.Errorf("move addresses: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE customer_emails SET customer_id = $1, position = position + $2 WHERE customer_id = $3`,
		into.ID, next, from.ID); err != nil {
		return nil, fmt.Errorf("move addresses: %w", err)
	}
	return tickets, nil
}

// absorbCustomer fills in what into lacks from from, keeps both notes,
// and leaves from, who owns nothing any more, as a tombstone.
func absorbCustomer(ctx context.Context, tx *Tx, from, into *tend.Customer) error {
	name, phone, notes, orgID := into.Name, into.Phone, into.Notes, into.OrganizationID
	if name == "" {
		name = from.Name
	}
	if phone == "" {
		phone = from.Phone
	}
	if notes == "" {
		notes = from.Notes
	} else if from.Notes != "" {
		notes += "\n\n" + from.Notes
	}
	if orgID == nil {
		orgID = from.OrganizationID
	}
	if _, err := tx.exec(ctx, `UPDATE customers SET name = $1, name_key = $2, phone = $3, notes = $4, organization_id = $5,
		updated_at = $6 WHERE id = $7`, name, tend.FoldName(name), phone, notes, orgID, tx.now, into.ID); err != nil {
		return fmt.Errorf("update customer: %w", err)
	}
	// Earlier tombstones of from point on to into: one step to the person.
	if _, err := tx.exec(ctx, `UPDATE customers SET merged_into_id = $1, updated_at = $2 WHERE id = $3 OR merged_into_id = $3`,
		into.ID, tx.now, from.ID); err != nil {
		return fmt.Errorf("mark merged customer: %w", err)
	}
	for _, id := range []int64{from.ID, into.ID} {
		if err := indexCustomerWords(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// ClearBouncing lifts the bouncing mark from email, one of customer id's
// addresses; mail goes to it again.
func (s *CustomerService) ClearBouncing(ctx context.Context, id int64, email string) (*tend.Customer, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	email = tend.NormalizeEmail(email)
	var c *tend.Customer
	err = s.db.write(ctx, func(tx *Tx) error {
		n, err := tx.exec(ctx, `UPDATE customer_emails SET bouncing_since = NULL, bounce_reason = ''
			WHERE customer_id = $1 AND email = $2 AND bouncing_since IS NOT NULL`, id, email)
		if err != nil {
			return err
		} else if n == 0 {
			return tend.Errorf(tend.ENOTFOUND, "Customer %d has no bouncing address %s.", id, email)
		}
		if err := tx.audit(ctx, p, "customer.bounce_cleared", "customer", id, map[string]any{"email": email}); err != nil {
			return err
		}
		c, err = findCustomerByID(ctx, tx, id)
		return err
	})
	return c, err
}
