package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// orgSpec is a business customer. Those without a domain write from
// personal addresses, so their people are linked by hand.
type orgSpec struct {
	name   string
	domain string
	tier   tend.Tier
	notes  string
	people []string
}

var organizations = []orgSpec{
	{"Kestrel Row Lettings", "kestrelrow.example", tend.TierPriority,
		"Manages 140 flats, each with a Hub, a Thermo and a Lock. Account contact: Dana Whitcombe. Renewal due in the spring.",
		[]string{"Dana Whitcombe", "Felix Amadi", "Rosa Lindqvist", "Owen Pritchard"}},
	{"Brightmoor Coworking", "brightmoor.example", tend.TierPriority,
		"Three sites, cameras and plugs in every meeting room. They expect answers within the hour in office hours.",
		[]string{"Imogen Sato", "Caleb Mensah", "Hana Kowalczyk"}},
	{"Harbourside Apartments", "harbourside-apts.example", tend.TierPriority,
		"Building of 60 units, Doorbells and Locks on every door. Concierge desk calls in most issues.",
		[]string{"Victor Adeyemi", "Nell Fairbairn", "Marcus Oyelaran"}},
	{"Ashgrove Dental", "ashgrovedental.example", tend.TierStandard, "",
		[]string{"Dr. Leah Morrow", "Tariq Haddad"}},
	{"Willowmere Holiday Cottages", "willowmere.example", tend.TierStandard,
		"Seven cottages; guests change every few days, so Lock codes change often.",
		[]string{"Gwen Tallis", "Rhys Penhallow", "Agnes Muir"}},
	{"Quillfield Veterinary", "quillfieldvets.example", tend.TierStandard, "",
		[]string{"Oskar Brandt", "Mei Lin Chua"}},
	{"Saltmarsh Inn", "saltmarshinn.example", tend.TierStandard,
		"Twelve rooms above a pub. Wi-Fi is patchy on the top floor; keep that in mind for Cam issues.",
		[]string{"Bridget Kavanagh", "Declan Moss", "Yusuf Arslan"}},
	{"Fenwick & Daughters Bakery", "", tend.TierStandard,
		"Family business; they use personal addresses. Two Cams and a Thermo in the shop.",
		[]string{"Ada Fenwick", "Clara Fenwick"}},
	{"Lantern Lane Studio", "", tend.TierStandard, "Architects' studio of six; invoices go to Joel.",
		[]string{"Joel Abernathy", "Suki Tanaka-Reid", "Milo Varga"}},
	{"Riverbend Community Hall", "", tend.TierStandard,
		"Run by volunteers; be patient with set-up questions. Charity pricing agreed for Halcyra Plus.",
		[]string{"Martha Oduya", "Bernard Clough", "Esme Hollis"}},
}

// households are the consumers among the demo's customers.
var households = []string{
	"Aaliyah Brooks", "Ben Okonkwo", "Carmen Ruiz", "Daniel Fairweather", "Elif Demir", "Finn Gallagher",
	"Grace Abara", "Hugo Lefevre", "Isla McKenzie", "Jamal Price", "Kirsten Dahl", "Luca Moretti",
	"Maya Goldberg", "Nikhil Rao", "Olivia Hart", "Pavel Novak", "Quinn Delaney", "Rania Aziz",
	"Stefan Ilic", "Tessa Bloom", "Umar Siddiqui", "Valerie Chen", "Wes Harlow", "Ximena Flores",
	"Yara Haddad", "Zach Whitaker", "Anouk Visser", "Bruno Carvalho", "Chloe Ashford", "Dmitri Sokolov",
	"Esther Nwosu", "Fergus Reid", "Gabriela Mendes", "Harvey Lowe", "Ingrid Solberg", "Jun Park",
	"Keira Doyle", "Leon Baptiste", "Mirela Popescu", "Noah Ellery", "Orla Brennan", "Parisa Karimi",
	"Rafael Ortega", "Sinead Walsh", "Theo Marchetti", "Uma Krishnan", "Vincent Albright", "Wanjiru Kamau",
	"Yosef Adler", "Zainab Bello", "Hamid Rahimi", "Beatrix Lowell",
}

// personalDomains are the mail providers of households and of businesses
// without a domain; reserved .example names, so no mail reaches anyone.
var personalDomains = []string{"mailbox.example", "homepost.example", "quickpost.example", "letterbox.example"}

// customer is someone tickets are written by.
type customer struct {
	name, email string
	org         *orgSpec
	tickets     int // planned so far, to spread tickets over everyone
}

func (c *customer) first() string { return firstName(c.name) }

// people returns every demo customer, business contacts first.
func people() []*customer {
	var list []*customer
	for i := range organizations {
		o := &organizations[i]
		for j, name := range o.people {
			list = append(list, &customer{name: name, org: o, email: address(name, o.domain, j)})
		}
	}
	for i, name := range households {
		list = append(list, &customer{name: name, email: address(name, "", i)})
	}
	return list
}

// createCustomers creates the organizations and links the people of those
// without a domain by hand; everyone else is created by their first
// ticket, the way a customer usually enters a help desk.
func createCustomers(ctx context.Context, s Services) ([]*customer, error) {
	orgIDs := map[*orgSpec]int64{}
	for i := range organizations {
		o := &organizations[i]
		var domains []string
		if o.domain != "" {
			domains = []string{o.domain}
		}
		org, err := s.Organizations.CreateOrganization(ctx, &tend.OrganizationCreate{Name: o.name,
			Domains: domains, Tier: o.tier, Notes: o.notes})
		if err != nil {
			return nil, fmt.Errorf("create organization %s: %w", o.name, err)
		}
		orgIDs[o] = org.ID
	}
	list := people()
	for _, c := range list {
		if c.org == nil || c.org.domain != "" {
			continue
		}
		id := orgIDs[c.org]
		_, err := s.Customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: c.name, Emails: []string{c.email},
			OrganizationID: &id})
		if err != nil {
			return nil, fmt.Errorf("create customer %s: %w", c.name, err)
		}
	}
	return list, nil
}

// address makes a plausible address for name: first.last at a business,
// varied forms at personal mail providers.
func address(name, domain string, i int) string {
	parts := strings.Fields(strings.ToLower(strings.NewReplacer("dr. ", "", "-", "", "'", "").Replace(strings.ToLower(name))))
	first, last := parts[0], parts[len(parts)-1]
	if domain != "" {
		return first + "." + last + "@" + domain
	}
	domain = personalDomains[i%len(personalDomains)]
	switch i % 3 {
	case 0:
		return first + "." + last + "@" + domain
	case 1:
		return first[:1] + last + "@" + domain
	}
	return first + last + fmt.Sprint(70+i%30) + "@" + domain
}

// firstName returns how a reply would greet name.
func firstName(name string) string {
	f := strings.Fields(name)
	if len(f) > 1 && strings.HasSuffix(f[0], ".") {
		return f[0] + " " + f[len(f)-1]
	}
	return f[0]
}
