package sqldb_test

import (
	"slices"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A customer is found by any word of their name or addresses: a surname,
// a domain, the start of each of several words; after a change of name or
// address by the new ones only; after a merge as the one kept.
func TestFindCustomersByAnyWord(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := as(e.mustAgent(t, "bo", tend.RoleAgent))
		mia, err := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Mia Wong", Emails: []string{"mia.wong@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		raj, err := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Raj Wongsakul", Emails: []string{"raj@globex.example"}})
		if err != nil {
			t.Fatal(err)
		}
		// One who first wrote by mail, with only a display name.
		tk := e.mustTicket(t, ctx, "Hello", "zoe@initech.example", "Hi")
		zoe := tk.CustomerID
		if _, err := e.customers.UpdateCustomer(ctx, zoe, &tend.CustomerUpdate{Name: ptr("Zoë Ørsted")}); err != nil {
			t.Fatal(err)
		}

		find := func(q string) []int64 {
			t.Helper()
			list, _, err := e.customers.FindCustomers(ctx, tend.CustomerFilter{Q: q})
			if err != nil {
				t.Fatalf("FindCustomers(%q): %v", q, err)
			}
			var ids []int64
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			return ids
		}
		check := func(when string) {
			t.Helper()
			for q, want := range map[string][]int64{
				"wong":                  {mia.ID, raj.ID},
				"WONG mia":              {mia.ID},
				"wongs":                 {raj.ID},
				"acme":                  {mia.ID},
				"mia.wong@acme.example": {mia.ID},
				"globex raj":            {raj.ID},
				"ørsted":                {zoe},
				"initech":               {zoe},
				"ong":                   nil,
				"mia raj":               nil,
				"50%_":                  nil,
			} {
				if got := find(q); !slices.Equal(got, want) {
					t.Errorf("%s: FindCustomers(%q) = %v, want %v", when, q, got, want)
				}
			}
		}
		check("as written")
		if list, _, err := e.customers.FindCustomers(ctx, tend.CustomerFilter{Q: "initech"}); err != nil || list[0].OpenTickets != 1 {
			t.Errorf("the customer with one open ticket: %+v, %v", list, err)
		}
		if c, err := e.customers.FindCustomerByID(ctx, mia.ID); err != nil || c.OpenTickets != 0 {
			t.Errorf("the customer with no ticket: %+v, %v", c, err)
		}
		if err := sqldb.ReindexCustomerWords(db); err != nil {
			t.Fatal(err)
		}
		check("indexed again from the rows")

		// A new name and address replace the old words.
		if _, err := e.customers.UpdateCustomer(ctx, mia.ID, &tend.CustomerUpdate{Name: ptr("Mia Chen"), Emails: &[]string{"mia@hooli.example"}}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{"chen": {mia.ID}, "hooli": {mia.ID}, "acme": nil, "wong": {raj.ID}} {
			if got := find(q); !slices.Equal(got, want) {
				t.Errorf("after the change: FindCustomers(%q) = %v, want %v", q, got, want)
			}
		}
		// Merged, the kept customer is found by the other's address.
		if _, err := e.customers.MergeCustomers(as(e.mustAgent(t, "lea", tend.RoleLead)), raj.ID, mia.ID); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{"globex": {mia.ID}, "raj": {mia.ID}, "hooli": {mia.ID}} {
			if got := find(q); !slices.Equal(got, want) {
				t.Errorf("after the merge: FindCustomers(%q) = %v, want %v", q, got, want)
			}
		}
	})
}
