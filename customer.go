package tend

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Customer is a person the team serves. Each of their addresses belongs to
// them alone, compared case-insensitively.
type Customer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// FirstName is what replies greet them by ({{customer.first_name}});
	// "" is the first word of Name with a letter in it (func FirstName).
	FirstName      string   `json:"first_name"`
	Emails         []string `json:"emails"`
	Phone          string   `json:"phone"`
	OrganizationID *int64   `json:"organization_id"`
	Notes          string   `json:"notes"`
	// TimeZone is the IANA name of the zone the customer lives in, for
	// the times promised to them; "" is not known.
	TimeZone string `json:"time_zone"`
	// Bouncing lists the addresses that mail to has bounced for good.
	Bouncing []Bounce `json:"bouncing"`
	// RawAddress is the sender their mail came from, as written, when it
	// was no address Tend can write to: with no address of their own
	// they have no reply address, and replies to them are refused.
	RawAddress string `json:"raw_address"`
	// MergedIntoID is set on a customer merged into another: what is left
	// of them, so that their id keeps naming them in history.
	MergedIntoID *int64 `json:"merged_into_id"`
	// OpenTickets counts their tickets not yet solved (spam aside).
	OpenTickets int       `json:"open_tickets"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Bounce is an address that mail could not be delivered to.
type Bounce struct {
	Email  string    `json:"email"`
	Since  time.Time `json:"since"`
	Reason string    `json:"reason"`
}

// CustomerCreate is the input for a new customer. With no OrganizationID,
// the organization that owns the first address's domain is used, if any.
type CustomerCreate struct {
	Name           string   `json:"name"`
	Emails         []string `json:"emails"`
	Phone          string   `json:"phone"`
	OrganizationID *int64   `json:"organization_id"`
	Notes          string   `json:"notes"`
}

// Normalize trims and lower-cases addresses, dropping repeats.
func (c *CustomerCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Emails = normalizeEmails(c.Emails)
	c.Phone = strings.TrimSpace(c.Phone)
}

// Validate returns EINVALID naming each field that is wrong.
func (c *CustomerCreate) Validate() error {
	p := Problems{}
	if len(c.Name) > 200 {
		p.Add("name", "must be at most 200 characters")
	}
	validateLine(p, "name", c.Name)
	validateCustomerEmails(p, c.Emails)
	validatePhone(p, c.Phone)
	validateNotes(p, "notes", c.Notes)
	return p.Err()
}

// CustomerUpdate changes a customer; nil fields are left as they are.
// Emails replaces the whole list; an OrganizationID pointing at 0 clears it.
type CustomerUpdate struct {
	Name           *string
	FirstName      *string
	Emails         *[]string
	Phone          *string
	OrganizationID *int64
	Notes          *string
	TimeZone       *string
}

// Normalize trims and lower-cases addresses, dropping repeats.
func (u *CustomerUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	if u.FirstName != nil {
		*u.FirstName = strings.TrimSpace(*u.FirstName)
	}
	if u.Emails != nil {
		e := normalizeEmails(*u.Emails)
		u.Emails = &e
	}
	if u.Phone != nil {
		*u.Phone = strings.TrimSpace(*u.Phone)
	}
	if u.TimeZone != nil {
		*u.TimeZone = strings.TrimSpace(*u.TimeZone)
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (u *CustomerUpdate) Validate() error {
	p := Problems{}
	if u.Name != nil {
		if len(*u.Name) > 200 {
			p.Add("name", "must be at most 200 characters")
		}
		validateLine(p, "name", *u.Name)
	}
	if u.FirstName != nil {
		if len(*u.FirstName) > 100 {
			p.Add("first_name", "must be at most 100 characters")
		}
		validateLine(p, "first_name", *u.FirstName)
	}
	if u.Emails != nil {
		validateCustomerEmails(p, *u.Emails)
	}
	if u.Phone != nil {
		validatePhone(p, *u.Phone)
	}
	if u.Notes != nil {
		validateNotes(p, "notes", *u.Notes)
	}
	if u.TimeZone != nil {
		validateTimeZone(p, "time_zone", *u.TimeZone)
	}
	return p.Err()
}

// CustomerFilter selects customers. Q matches the start of a name or an
// address; Email matches one address exactly.
type CustomerFilter struct {
	Q              string
	Email          string
	OrganizationID *int64
	Cursor         string
	Limit          int
}

// CustomerService manages customers; all staff may use it. A customer may
// read only themselves.
type CustomerService interface {
	// FindCustomerByID returns ENOTFOUND if there is no such customer.
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	FindCustomers(ctx context.Context, filter CustomerFilter) ([]*Customer, string, error)
	// FindCustomersByIDs returns the customers of ids that exist, in no
	// particular order; for staff only.
	FindCustomersByIDs(ctx context.Context, ids []int64) ([]*Customer, error)
	// CreateCustomer returns ECONFLICT if an address belongs to another customer.
	CreateCustomer(ctx context.Context, c *CustomerCreate) (*Customer, error)
	UpdateCustomer(ctx context.Context, id int64, u *CustomerUpdate) (*Customer, error)
	// MergeCustomers moves everything of the customer fromID to intoID
	// (tickets, messages, addresses with their bounce marks) and deletes
	// fromID, all at once; intoID keeps its own name, phone and
	// organization, taking fromID's where it has none, and both notes.
	// It returns the customer intoID: EINVALID for the same id twice,
	// ENOTFOUND for either unknown.
	MergeCustomers(ctx context.Context, fromID, intoID int64) (*Customer, error)
	// ClearBouncing lifts the bouncing mark from one of the customer's
	// addresses, as when they say it works again; ENOTFOUND if the
	// address is not theirs or does not bounce.
	ClearBouncing(ctx context.Context, id int64, email string) (*Customer, error)
}

func normalizeEmails(in []string) []string {
	out := make([]string, 0, len(in))
	for _, e := range in {
		e = NormalizeEmail(e)
		if e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func validateCustomerEmails(p Problems, emails []string) {
	if len(emails) == 0 {
		p.Add("emails", "needs at least one address")
	}
	if len(emails) > 50 {
		p.Add("emails", "may hold at most 50 addresses")
	}
	for _, e := range emails {
		if !ValidEmail(e) {
			p.Add("emails", "%q is not an email address", e)
		}
	}
}

func validatePhone(p Problems, phone string) {
	if len(phone) > 50 {
		p.Add("phone", "must be at most 50 characters")
	}
	validateLine(p, "phone", phone)
}

// Customers are found by any word of their name or addresses.
const (
	maxCustomerWords   = 64
	maxCustomerWordLen = 40
)

// CustomerWords returns the words a customer is found by: each word of
// their name and of each address, split at dots, @ and every other mark
// ("mia.wong@acme.example" is mia, wong, acme and example), folded as
// names are (FoldName), each once, in order.
func CustomerWords(name string, emails []string) []string {
	return distinctWords(maxCustomerWords, append([]string{name}, emails...)...)
}

// distinctWords returns the SearchWords of texts, each once, in order, at
// most limit of them.
func distinctWords(limit int, texts ...string) []string {
	var words []string
	seen := map[string]bool{}
	for _, text := range texts {
		for _, w := range SearchWords(text) {
			if len(words) == limit {
				return words
			}
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	return words
}

// SearchWords splits text into the words CustomerWords finds customers
// by; a search matches a customer when each of its words starts one of
// theirs. Long words are cut, as they are stored.
func SearchWords(text string) []string {
	words := strings.FieldsFunc(FoldName(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range words {
		if len(w) > maxCustomerWordLen {
			w = w[:maxCustomerWordLen]
			for !utf8.ValidString(w) {
				w = w[:len(w)-1]
			}
			words[i] = w
		}
	}
	return words
}
