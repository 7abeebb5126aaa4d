package sqldb_test

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestCreateTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		agent := e.mustAgent(t, "bo", tend.RoleAgent)
		ctx := as(agent)
		org, err := e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "Acme", Domains: []string{"acme.example"}, Tier: tend.TierPriority})
		if err != nil {
			t.Fatal(err)
		}

		t1, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{
			Subject: "  Card   never arrived ", Customer: tend.CustomerRef{Email: "Dana@Acme.example", Name: "Dana Reyes"},
			Body: "I ordered a card two weeks ago.", Priority: tend.PriorityHigh, Channel: tend.ChannelPhone, Tags: []string{"Cards", "delivery", "cards"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if t1.Number != 1000 || t1.Status != tend.StatusNew || t1.Subject != "Card never arrived" || t1.Version != 1 {
			t.Errorf("ticket = %+v", t1)
		}
		if !slices.Equal(t1.Tags, []string{"cards", "delivery"}) {
			t.Errorf("tags = %v", t1.Tags)
		}
		if t1.OrganizationID == nil || *t1.OrganizationID != org.ID {
			t.Errorf("organization = %v, want %d from the address's domain", t1.OrganizationID, org.ID)
		}
		if len(t1.Messages) != 1 || t1.Messages[0].AuthorType != tend.AuthorCustomer || t1.Messages[0].AuthorName != "Dana Reyes" {
			t.Errorf("messages = %+v", t1.Messages)
		}

		// The same person in another case is the same customer.
		t2 := e.mustTicket(t, ctx, "Second question", "dana@ACME.example", "Also, my PIN?")
		if t2.CustomerID != t1.CustomerID || t2.Number != 1001 {
			t.Errorf("second ticket: customer %d (want %d), number %d", t2.CustomerID, t1.CustomerID, t2.Number)
		}
		got, err := e.tickets.FindTicketByID(ctx, t1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != t1.Subject || !got.CreatedAt.Equal(t1.CreatedAt) || got.Messages[0].Body != "I ordered a card two weeks ago." {
			t.Errorf("read back %+v", got)
		}
		if got.CreatedAt.Location() != time.UTC || got.Messages[0].CreatedAt.Location() != time.UTC {
			t.Errorf("times read back in %v, want UTC on every engine", got.CreatedAt.Location())
		}
		events, _, err := e.tickets.FindTicketEvents(ctx, t1.ID, "", 0)
		if err != nil || len(events) != 1 || events[0].Kind != tend.EventCreated || *events[0].ActorID != agent.ID {
			t.Fatalf("events = %v, %v", events, err)
		}

		t.Run("bad input writes nothing", func(t *testing.T) {
			_, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: "", Customer: tend.CustomerRef{Email: "x"}, Body: " ", Priority: "asap", Tags: []string{"a b/c"}})
			wantCode(t, err, tend.EINVALID)
			for _, f := range []string{"subject", "customer.email", "body", "priority", "tags"} {
				if tend.ErrorFields(err)[f] == "" {
					t.Errorf("no problem for %s in %v", f, err)
				}
			}
			_, err = e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: "x", Customer: tend.CustomerRef{Email: "new@example.com"}, Body: "b", TeamID: ptr(int64(999))})
			wantCode(t, err, tend.EINVALID)
			custs, _, _ := e.customers.FindCustomers(ctx, tend.CustomerFilter{Email: "new@example.com"})
			if len(custs) != 0 {
				t.Errorf("a failed creation left customer %v behind", custs)
			}
		})
	})
}

func TestTicketWorkflow(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		cy := e.mustAgent(t, "cy", tend.RoleAgent)
		tk := e.mustTicket(t, as(bo), "Refund", "eve@example.com", "Please refund order 7.")

		// Replying to a new ticket opens it, makes the replier its owner and
		// records the first response.
		_, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "Looking into it."})
		if err != nil {
			t.Fatal(err)
		}
		tk, _ = e.tickets.FindTicketByID(as(bo), tk.ID)
		if tk.Status != tend.StatusOpen || tk.OwnerID == nil || *tk.OwnerID != bo.ID || tk.FirstRespondedAt == nil {
			t.Fatalf("after first reply: %+v", tk)
		}

		// A note changes nothing but the version and activity time.
		before := tk.Version
		if _, err := e.tickets.AddMessage(as(cy), tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Check with finance"}); err != nil {
			t.Fatal(err)
		}
		tk, _ = e.tickets.FindTicketByID(as(bo), tk.ID)
		if tk.Status != tend.StatusOpen || *tk.OwnerID != bo.ID || tk.Version != before+1 {
			t.Fatalf("after a note: %+v", tk)
		}

		// Solve, then the customer writes again: reopened and counted.
		if _, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusSolved)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Body: "It has not arrived."}); err != nil {
			t.Fatal(err)
		}
		tk, _ = e.tickets.FindTicketByID(as(bo), tk.ID)
		if tk.Status != tend.StatusOpen || tk.ReopenCount != 1 || tk.SolvedAt != nil {
			t.Fatalf("after customer reply to solved ticket: status %s reopens %d solved_at %v", tk.Status, tk.ReopenCount, tk.SolvedAt)
		}

		// Transitions the workflow forbids are refused, naming the allowed.
		if _, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusSolved)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusPending)})
		wantCode(t, err, tend.ECONFLICT)
		if !strings.Contains(tend.ErrorMessage(err), "it can become open or closed.") {
			t.Errorf("message %q does not name the allowed statuses", tend.ErrorMessage(err))
		}
		if _, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusClosed)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Body: "Hello?"})
		wantCode(t, err, tend.ECONFLICT)

		// Ownership: never cleared, never given to a deactivated agent.
		tk2 := e.mustTicket(t, as(bo), "Address change", "eve@example.com", "I moved.")
		_, err = e.tickets.UpdateTicket(as(bo), tk2.ID, &tend.TicketUpdate{OwnerID: ptr(int64(0))})
		wantCode(t, err, tend.EINVALID)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		if _, err := e.agents.UpdateAgent(as(admin), cy.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.tickets.UpdateTicket(as(bo), tk2.ID, &tend.TicketUpdate{OwnerID: &cy.ID})
		wantCode(t, err, tend.EINVALID)
		_, err = e.tickets.UpdateTicket(as(bo), 424242, &tend.TicketUpdate{Priority: ptr(tend.PriorityLow)})
		wantCode(t, err, tend.ENOTFOUND)

		// Every change is in the history, in order, with its actor.
		events, _, err := e.tickets.FindTicketEvents(as(bo), tk.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, string(ev.Kind))
		}
		want := "created message_added status_changed owner_changed message_added status_changed message_added status_changed reopened status_changed status_changed"
		if strings.Join(kinds, " ") != want {
			t.Errorf("events:\n got %s\nwant %s", strings.Join(kinds, " "), want)
		}
		reopened, _ := events[8].Data.(tend.Reopened)
		if events[8].ActorType != tend.AuthorCustomer || reopened.ReopenCount != 1 {
			t.Errorf("reopen event = %+v %s", events[8], events[8].Data)
		}
	})
}

func TestStaleAndConcurrentUpdates(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		tk := e.mustTicket(t, as(bo), "Login fails", "kim@example.com", "Cannot sign in.")

		// Two agents edit from the same version: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []tend.Priority{tend.PriorityHigh, tend.PriorityLow} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{Priority: &p, Version: ptr(tk.Version)})
			}()
		}
		wg.Wait()
		codes := []string{tend.ErrorCode(errs[0]), tend.ErrorCode(errs[1])}
		slices.Sort(codes)
		if codes[0] != "" || codes[1] != tend.ESTALE {
			t.Fatalf("codes = %q, want one success and one %s", codes, tend.ESTALE)
		}

		// Without versions, concurrent changes merge: none is lost.
		const n = 12
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.tickets.UpdateTicket(as(bo), tk.ID, &tend.TicketUpdate{AddTags: []string{fmt.Sprintf("tag-%02d", i)}})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := e.tickets.FindTicketByID(as(bo), tk.ID)
		if len(got.Tags) != n {
			t.Fatalf("tags = %v, want all %d", got.Tags, n)
		}
		list, _, err := e.tickets.FindTickets(as(bo), tend.TicketFilter{Tag: "tag-07"})
		if err != nil || len(list) != 1 {
			t.Fatalf("filter by tag: %v, %v", list, err)
		}
	})
}

func TestConcurrentCreateSameNewCustomer(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.tickets.CreateTicket(as(bo), &tend.TicketCreate{Subject: fmt.Sprint("Q", i),
					Customer: tend.CustomerRef{Email: "first.time@example.com"}, Body: "hello"})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		custs, _, err := e.customers.FindCustomers(as(bo), tend.CustomerFilter{})
		if err != nil || len(custs) != 1 {
			t.Fatalf("customers = %d, %v; want exactly one", len(custs), err)
		}
		list, _, _ := e.tickets.FindTickets(as(bo), tend.TicketFilter{CustomerID: &custs[0].ID})
		if len(list) != 8 {
			t.Fatalf("%d tickets for the customer, want 8", len(list))
		}
	})
}

func TestIdempotentCreate(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		req := func(subject string) *tend.TicketCreate {
			return &tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: "ivy@example.com"}, Body: "b", IdempotencyKey: "k-1"}
		}
		var wg sync.WaitGroup
		ids := make([]int64, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := e.tickets.CreateTicket(as(bo), req("Duplicate?"))
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = tk.ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("repeated submissions made tickets %v", ids)
			}
		}
		_, err := e.tickets.CreateTicket(as(bo), req("Something else"))
		wantCode(t, err, tend.ECONFLICT)

		m1, err := e.tickets.AddMessage(as(bo), ids[0], &tend.MessageCreate{Body: "Once", IdempotencyKey: "m-1"})
		if err != nil {
			t.Fatal(err)
		}
		m2, err := e.tickets.AddMessage(as(bo), ids[0], &tend.MessageCreate{Body: "Once", IdempotencyKey: "m-1"})
		if err != nil || m2.ID != m1.ID {
			t.Fatalf("repeated message = %v, %v", m2, err)
		}
		tk, _ := e.tickets.FindTicketByID(as(bo), ids[0])
		if len(tk.Messages) != 2 {
			t.Fatalf("%d messages, want 2", len(tk.Messages))
		}
	})
}

func TestCustomerSeesOnlyOwnTickets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		mine := e.mustTicket(t, as(bo), "My parcel", "amy@example.com", "Where is parcel 51?")
		theirs := e.mustTicket(t, as(bo), "Their parcel", "ben@example.com", "Where is parcel 52?")
		note, err := e.tickets.AddMessage(as(bo), mine.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Courier lost parcel internal-only",
			Attachments: []*tend.AttachmentInput{{Name: "courier.txt", Data: []byte("claim 88")}}})
		if err != nil {
			t.Fatal(err)
		}
		amy := asCustomer(mine.CustomerID)

		_, err = e.tickets.FindTicketByID(amy, theirs.ID)
		wantCode(t, err, tend.ENOTFOUND)
		_, err = e.tickets.AddMessage(amy, theirs.ID, &tend.MessageCreate{Body: "hi"})
		wantCode(t, err, tend.ENOTFOUND)
		_, err = e.tickets.AddMessage(amy, mine.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "hi"})
		wantCode(t, err, tend.EFORBIDDEN)
		_, err = e.tickets.FindAttachmentByID(amy, note.Attachments[0].ID)
		wantCode(t, err, tend.ENOTFOUND)
		_, _, err = e.tickets.FindTicketEvents(amy, mine.ID, "", 0)
		wantCode(t, err, tend.EFORBIDDEN)
		_, err = e.customers.FindCustomerByID(amy, theirs.CustomerID)
		wantCode(t, err, tend.ENOTFOUND)

		got, err := e.tickets.FindTicketByID(amy, mine.ID)
		if err != nil || len(got.Messages) != 1 {
			t.Fatalf("customer reads %v, %v; want only the public message", got, err)
		}
		list, _, err := e.tickets.FindTickets(amy, tend.TicketFilter{})
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("customer lists %v, %v", list, err)
		}
		hits, _, err := e.search.Search(amy, "parcel", tend.SearchFilter{}, "", 10)
		if err != nil || len(hits) != 1 || hits[0].Ticket.ID != mine.ID {
			t.Fatalf("customer search = %v, %v", hits, err)
		}
		hits, _, err = e.search.Search(amy, "internal", tend.SearchFilter{}, "", 10)
		if err != nil || len(hits) != 0 {
			t.Fatalf("customer finds an internal note: %v, %v", hits, err)
		}
		hits, _, err = e.search.Search(as(bo), "internal", tend.SearchFilter{}, "", 10)
		if err != nil || len(hits) != 1 {
			t.Fatalf("staff search for a note = %v, %v", hits, err)
		}
	})
}

func TestAttachments(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		e.tickets.MaxAttachmentSize = 1 << 10
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		tk := e.mustTicket(t, as(bo), "Invoice", "ola@example.com", "See attached")
		m, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "Here it is",
			Attachments: []*tend.AttachmentInput{{Name: "../../etc/invoice 11.pdf", Data: []byte("%PDF-1.4 invoice")}}})
		if err != nil {
			t.Fatal(err)
		}
		a := m.Attachments[0]
		if a.Name != "invoice 11.pdf" || a.ContentType != "application/pdf" || a.Size != 16 {
			t.Fatalf("attachment = %+v", a)
		}
		got, err := e.tickets.FindAttachmentByID(asCustomer(tk.CustomerID), a.ID)
		if err != nil || got.SHA256 != a.SHA256 {
			t.Fatalf("customer reads own attachment: %v, %v", got, err)
		}
		f, err := e.blobs.Get(a.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(f)
		f.Close()
		if string(data) != "%PDF-1.4 invoice" {
			t.Fatalf("stored %q", data)
		}
		_, err = e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "big",
			Attachments: []*tend.AttachmentInput{{Name: "big.bin", Data: make([]byte, 2<<10)}}})
		wantCode(t, err, tend.ETOOLARGE)
		tk, _ = e.tickets.FindTicketByID(as(bo), tk.ID)
		if len(tk.Messages) != 2 {
			t.Fatalf("%d messages after a refused one, want 2", len(tk.Messages))
		}
	})
}

func TestHTMLBodyIsSanitised(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		tk, err := e.tickets.CreateTicket(as(bo), &tend.TicketCreate{Subject: "HTML", Customer: tend.CustomerRef{Email: "h@example.com"},
			BodyHTML: `<p>Hello <b>team</b></p><script>alert(1)</script><img src=x onerror=alert(2)>`})
		if err != nil {
			t.Fatal(err)
		}
		m := tk.Messages[0]
		if strings.Contains(m.BodyHTML, "script") || strings.Contains(m.BodyHTML, "onerror") || !strings.Contains(m.BodyHTML, "<b>team</b>") {
			t.Errorf("body_html = %q", m.BodyHTML)
		}
		if m.Body != "Hello team" {
			t.Errorf("text body derived from HTML = %q", m.Body)
		}
	})
}

func TestTicketList(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		team, _ := e.teams.CreateTeam(as(admin), &tend.TeamCreate{Name: "Support"})
		clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }

		statuses := []tend.Status{tend.StatusOpen, tend.StatusPending, tend.StatusOnHold, tend.StatusSolved}
		var all []*tend.Ticket
		for i := range 40 {
			tk := e.mustTicket(t, as(bo), fmt.Sprintf("Ticket %d", i), fmt.Sprintf("c%d@example.com", i%7), "body")
			st := statuses[i%4]
			u := &tend.TicketUpdate{Status: &st}
			if i%3 == 0 {
				u.TeamID = &team.ID
			}
			if tk, _ = e.tickets.UpdateTicket(as(bo), tk.ID, u); tk == nil {
				t.Fatal("update failed")
			}
			all = append(all, tk)
		}
		// Touch a few old tickets so that activity order differs from
		// creation order.
		for _, i := range []int{3, 0, 17} {
			if _, err := e.tickets.UpdateTicket(as(bo), all[i].ID, &tend.TicketUpdate{AddTags: []string{"vip"}}); err != nil {
				t.Fatal(err)
			}
		}

		// Tickets changed in the same microsecond are ordered by id, and
		// pages split between them lose none.
		tied := clock.Add(time.Minute)
		db.Now = func() time.Time { return tied }
		for i := range 7 {
			tk := e.mustTicket(t, as(bo), fmt.Sprintf("Tied %d", i), "tied@example.com", "same moment")
			all = append(all, tk)
		}
		db.Now = func() time.Time { clock = clock.Add(time.Hour); return clock }

		collect := func(f tend.TicketFilter) []int64 {
			t.Helper()
			var ids []int64
			f.Limit = 5
			for {
				page, next, err := e.tickets.FindTickets(as(bo), f)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range page {
					ids = append(ids, tk.ID)
				}
				if next == "" {
					return ids
				}
				f.Cursor = next
			}
		}
		expect := func(f tend.TicketFilter, keep func(*tend.Ticket) bool) {
			t.Helper()
			var want []*tend.Ticket
			for _, tk := range all {
				cur, _ := e.tickets.FindTicketByID(as(bo), tk.ID)
				if keep(cur) {
					want = append(want, cur)
				}
			}
			slices.SortFunc(want, func(a, b *tend.Ticket) int {
				if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
					return c
				}
				return int(b.ID - a.ID)
			})
			var wantIDs []int64
			for _, tk := range want {
				wantIDs = append(wantIDs, tk.ID)
			}
			if got := collect(f); !slices.Equal(got, wantIDs) {
				t.Errorf("filter %+v:\n got %v\nwant %v", f, got, wantIDs)
			}
		}
		expect(tend.TicketFilter{}, func(*tend.Ticket) bool { return true })
		expect(tend.TicketFilter{Statuses: []tend.Status{tend.StatusOpen}}, func(t *tend.Ticket) bool { return t.Status == tend.StatusOpen })
		expect(tend.TicketFilter{Statuses: []tend.Status{tend.StatusNew, tend.StatusOpen, tend.StatusNew}},
			func(t *tend.Ticket) bool { return t.Status == tend.StatusOpen || t.Status == tend.StatusNew })
		expect(tend.TicketFilter{Statuses: []tend.Status{tend.StatusOpen, tend.StatusPending, tend.StatusOnHold}},
			func(t *tend.Ticket) bool { return t.Status.Unsolved() && t.Status != tend.StatusNew })
		expect(tend.TicketFilter{TeamID: &team.ID, Statuses: []tend.Status{tend.StatusOpen, tend.StatusSolved}},
			func(t *tend.Ticket) bool {
				return t.TeamID != nil && (t.Status == tend.StatusOpen || t.Status == tend.StatusSolved)
			})
		expect(tend.TicketFilter{TeamID: ptr(int64(0))}, func(t *tend.Ticket) bool { return t.TeamID == nil })
		expect(tend.TicketFilter{Tag: "VIP"}, func(t *tend.Ticket) bool { return slices.Contains(t.Tags, "vip") })
		expect(tend.TicketFilter{OwnerID: &bo.ID}, func(t *tend.Ticket) bool { return t.OwnerID != nil && *t.OwnerID == bo.ID })
		expect(tend.TicketFilter{Q: "ticket 17"}, func(t *tend.Ticket) bool { return t.Subject == "Ticket 17" })

		asc := collect(tend.TicketFilter{Sort: tend.SortCreatedAsc})
		if len(asc) != 47 || !slices.IsSorted(asc) {
			t.Errorf("created_at ascending = %v", asc)
		}
		_, _, err := e.tickets.FindTickets(as(bo), tend.TicketFilter{Cursor: "garbage!"})
		wantCode(t, err, tend.EINVALID)
		_, _, err = e.tickets.FindTickets(as(bo), tend.TicketFilter{Statuses: []tend.Status{"done"}, Limit: 500})
		wantCode(t, err, tend.EINVALID)
	})
}

func TestSearch(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		ctx := as(bo)
		refund := e.mustTicket(t, ctx, "Refund for a double charge", "a@example.com", "I was charged twice for my subscription.")
		card := e.mustTicket(t, ctx, "Card not arrived", "b@example.com", "My new card has not arrived after two weeks. Please send a refund of the fee.")
		e.mustTicket(t, ctx, "Change address", "c@example.com", "I moved house and need to change my e-mail and address.")

		ids := func(q string) []int64 {
			t.Helper()
			hits, _, err := e.search.Search(ctx, q, tend.SearchFilter{}, "", 10)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var out []int64
			for _, h := range hits {
				out = append(out, h.Ticket.ID)
			}
			return out
		}
		if got := ids("refund"); len(got) != 2 || got[0] != refund.ID {
			t.Errorf("refund = %v; want the subject match %d first, then %d", got, refund.ID, card.ID)
		}
		if got := ids("card arrived"); !slices.Equal(got, []int64{card.ID}) {
			t.Errorf("two words = %v", got)
		}
		if got := ids("arriving"); !slices.Equal(got, []int64{card.ID}) {
			t.Errorf("stemmed word = %v", got)
		}
		if got := ids("subscr*"); !slices.Equal(got, []int64{refund.ID}) {
			t.Errorf("prefix = %v", got)
		}
		if got := ids(`"two weeks"`); !slices.Equal(got, []int64{card.ID}) {
			t.Errorf("phrase = %v", got)
		}
		if got := ids(`"weeks two"`); len(got) != 0 {
			t.Errorf("reversed phrase = %v, want none", got)
		}
		// Stop words narrow nothing, on either engine.
		if got := ids("the refund"); len(got) != 2 || got[0] != refund.ID {
			t.Errorf("the refund = %v; want %d first, then %d, whether they have the word the or not", got, refund.ID, card.ID)
		}
		if got := ids("e-mail"); len(got) != 1 {
			t.Errorf("hyphenated word = %v", got)
		}
		// As FTS5 or tsquery syntax this would match two tickets; as words
		// it matches none.
		if got := ids(`refund OR address`); len(got) != 0 {
			t.Errorf("operators are words, not syntax: %v", got)
		}
		_, _, err := e.search.Search(ctx, ` "" * - `, tend.SearchFilter{}, "", 10)
		wantCode(t, err, tend.EINVALID)

		hits, _, _ := e.search.Search(ctx, "twice", tend.SearchFilter{}, "", 10)
		if len(hits) != 1 || hits[0].MessageID == nil || !strings.Contains(hits[0].SnippetHTML, "<mark>twice</mark>") {
			t.Fatalf("snippet = %+v", hits)
		}
		// Text that looks like markup is shown as text.
		e.mustTicket(t, ctx, "Markup", "d@example.com", `My name shows as <b>bold</b> & <script>x()</script> in the app`)
		hits, _, _ = e.search.Search(ctx, "bold", tend.SearchFilter{}, "", 10)
		if len(hits) != 1 {
			t.Fatalf("search for bold = %+v", hits)
		}
		// SQLite keeps the text as written, escaped; PostgreSQL's headline
		// drops what looks like tags. Neither lets markup through.
		if h := hits[0].SnippetHTML; !strings.Contains(h, "<mark>bold</mark>") || !strings.Contains(h, "&amp;") ||
			strings.Contains(h, "<b>") || strings.Contains(h, "<script") {
			t.Fatalf("snippet_html = %q", h)
		}
	})
}

func TestCustomersAndOrganizations(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		ctx := as(bo)
		org, err := e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "Globex", Domains: []string{"@Globex.example", "globex.example"}})
		if err != nil || len(org.Domains) != 1 || org.Tier != tend.TierStandard {
			t.Fatalf("org = %+v, %v", org, err)
		}
		_, err = e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "GLOBEX"})
		wantCode(t, err, tend.ECONFLICT)
		_, err = e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "Other", Domains: []string{"globex.example"}})
		wantCode(t, err, tend.ECONFLICT)

		c, err := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Hank Scorpio", Emails: []string{"Hank@Globex.example", "hank@home.example"}, Phone: "+1 555 0100"})
		if err != nil {
			t.Fatal(err)
		}
		if c.OrganizationID == nil || *c.OrganizationID != org.ID || c.Emails[0] != "hank@globex.example" {
			t.Fatalf("customer = %+v", c)
		}
		_, err = e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Emails: []string{"HANK@home.example"}})
		wantCode(t, err, tend.ECONFLICT)
		other, _ := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Emails: []string{"other@example.com"}})
		_, err = e.customers.UpdateCustomer(ctx, other.ID, &tend.CustomerUpdate{Emails: &[]string{"other@example.com", "hank@home.example"}})
		wantCode(t, err, tend.ECONFLICT)
		c, err = e.customers.UpdateCustomer(ctx, c.ID, &tend.CustomerUpdate{OrganizationID: ptr(int64(0)), Emails: &[]string{"hank@home.example"}})
		if err != nil || c.OrganizationID != nil || len(c.Emails) != 1 {
			t.Fatalf("after update %+v, %v", c, err)
		}
		for _, q := range []string{"hank", "HANK@ho", "hank s"} {
			list, _, err := e.customers.FindCustomers(ctx, tend.CustomerFilter{Q: q})
			if err != nil || len(list) != 1 || list[0].ID != c.ID {
				t.Errorf("FindCustomers(%q) = %v, %v", q, list, err)
			}
		}
		list, _, err := e.orgs.FindOrganizations(ctx, tend.OrganizationFilter{Domain: "GLOBEX.example"})
		if err != nil || len(list) != 1 {
			t.Errorf("by domain = %v, %v", list, err)
		}

		// Letters beyond ASCII compare without case on both engines.
		if _, err := e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "École Ørsted"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "ÉCOLE ØRSTED"})
		wantCode(t, err, tend.ECONFLICT)
		emile, _ := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Émile Zoë", Emails: []string{"emile@example.com"}})
		found, _, err := e.customers.FindCustomers(ctx, tend.CustomerFilter{Q: "ÉMILE z"})
		if err != nil || len(found) != 1 || found[0].ID != emile.ID {
			t.Errorf("FindCustomers(ÉMILE z) = %v, %v", found, err)
		}
	})
}

// A reply that names the newest message its author saw is refused, under
// the ticket's lock, when the customer wrote after it; the refusal
// carries the new messages. A note, or a reply that saw them, goes in.
func TestReplyRefusedWhenTheCustomerWroteSince(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		tk := e.mustTicket(t, system, "Parcel", "pat@example.com", "Where is it?")
		seen := tk.Messages[0].ID
		again, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Body: "Hello? Also, the box was wet."})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "It left today.", SeenMessageID: &seen, IdempotencyKey: "k1"})
		wantCode(t, err, tend.ECONFLICT)
		unread := tend.ErrorNewMessages(err)
		if len(unread) != 1 || unread[0].ID != again.ID || unread[0].Body != again.Body {
			t.Fatalf("refusal carries %+v, want the customer's message %d", unread, again.ID)
		}
		got, _ := e.tickets.FindTicketByID(as(bo), tk.ID)
		if len(got.Messages) != 2 {
			t.Fatalf("the refused reply was added: %d messages", len(got.Messages))
		}
		// A note is never held; nor is a reply that saw the new message,
		// and its idempotency key, unused by the refusal, still works.
		if _, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Check the depot.", SeenMessageID: &seen}); err != nil {
			t.Fatal(err)
		}
		m, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "It left today.", SeenMessageID: &again.ID, IdempotencyKey: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		// The same request again, having seen even more, is the same reply.
		note := got.Messages[1].ID + 1
		repeat, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "It left today.", SeenMessageID: &note, IdempotencyKey: "k1"})
		if err != nil || repeat.ID != m.ID {
			t.Errorf("the repeat = %+v, %v; want message %d again", repeat, err, m.ID)
		}
		// Staff messages after the one seen do not hold a reply.
		if _, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "And a tracking number.", SeenMessageID: &again.ID}); err != nil {
			t.Errorf("a reply after our own messages was refused: %v", err)
		}
		_, err = e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "x", SeenMessageID: ptr(int64(0))})
		wantCode(t, err, tend.EINVALID)
		// A message of another ticket cannot stand for having read this one.
		other := e.mustTicket(t, system, "Other", "other@example.com", "Hi.")
		_, err = e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "x", SeenMessageID: &other.Messages[0].ID})
		wantCode(t, err, tend.EINVALID)
		// A customer's own reply is never held for their own messages.
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Body: "Me again.", SeenMessageID: &seen}); err != nil {
			t.Errorf("the customer's reply was held: %v", err)
		}
	})
}
