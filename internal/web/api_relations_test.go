package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestBulkChangeOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var ids []int64
		for i := range 20 {
			var tk tend.Ticket
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": fmt.Sprintf("Bulk %d", i),
				"customer": map[string]string{"email": "bulk@example.com"}, "body": "b"}).want(t, http.StatusCreated).decode(t, &tk)
			ids = append(ids, tk.ID)
		}
		// One of them is closed, so cannot become pending.
		for _, s := range []string{"solved", "closed"} {
			ts.as(tend.RoleAgent, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[7]), map[string]any{"status": s}).want(t, http.StatusOK)
		}
		var answer struct {
			Changed, Unchanged, Refused int
			Results                     []struct {
				ID     int64
				Result string
				Ticket *tend.Ticket
				Error  *problemDoc
			}
		}
		body := map[string]any{"ids": ids, "update": map[string]any{"status": "pending", "priority": "high"}}
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets/bulk", body, "Idempotency-Key", "bulk-20").want(t, http.StatusOK).decode(t, &answer)
		if answer.Changed != 19 || answer.Refused != 1 || len(answer.Results) != 20 {
			t.Fatalf("answer: %d changed, %d refused, %d results", answer.Changed, answer.Refused, len(answer.Results))
		}
		refused := answer.Results[7]
		if refused.ID != ids[7] || refused.Result != "refused" || refused.Error == nil || refused.Error.Code != tend.ECONFLICT ||
			!strings.Contains(refused.Error.Detail, "closed") || refused.Error.Status != http.StatusConflict {
			t.Errorf("refused result: %+v", refused)
		}
		if r := answer.Results[0]; r.Ticket == nil || r.Ticket.Status != tend.StatusPending || r.Ticket.Priority != tend.PriorityHigh {
			t.Errorf("changed result: %+v", r)
		}
		// A retry answers the same and changes nothing more.
		var again struct{ Changed, Refused int }
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets/bulk", body, "Idempotency-Key", "bulk-20").want(t, http.StatusOK).decode(t, &again)
		if again.Changed != 19 || again.Refused != 1 {
			t.Errorf("retry answered %+v", again)
		}

		for _, c := range []struct {
			body  any
			field string
		}{
			{`{"ids": [1,`, ""},
			{map[string]any{"ids": []int64{}, "update": map[string]any{"priority": "high"}}, "ids"},
			{map[string]any{"ids": make([]int64, 501), "update": map[string]any{"priority": "high"}}, "ids"},
			{map[string]any{"ids": ids, "update": map[string]any{}}, "update"},
			{map[string]any{"ids": ids, "update": map[string]any{"subject": "x"}}, ""},
			{map[string]any{"ids": ids, "update": map[string]any{"owner_id": 9999}}, "update.owner_id"},
		} {
			p := ts.as(tend.RoleAgent, "POST", "/api/v1/tickets/bulk", c.body).want(t, http.StatusBadRequest).problem(t)
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Errorf("%v: problem %+v, want one about %s", c.body, p, c.field)
			}
		}
		var tk tend.Ticket
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets/%d", ids[0]), nil).want(t, http.StatusOK).decode(t, &tk)
		if tk.Status != tend.StatusPending || tk.Version != answer.Results[0].Ticket.Version {
			t.Errorf("a refused request changed ticket %d: %+v", ids[0], tk)
		}
	})
}

func TestMergeAndLinkOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var keep, dup, related tend.Ticket
		for _, c := range []struct {
			subject string
			into    *tend.Ticket
		}{{"Card never arrived", &keep}, {"Where is my card", &dup}, {"Cards delayed for everyone", &related}} {
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": c.subject,
				"customer": map[string]string{"email": "mia@example.com"}, "body": c.subject + "?"}).want(t, http.StatusCreated).decode(t, c.into)
		}
		var kept tend.Ticket
		ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", dup.ID), map[string]any{"into_id": keep.ID}).
			want(t, http.StatusOK).decode(t, &kept)
		if kept.ID != keep.ID || len(kept.Messages) != 2 {
			t.Fatalf("kept ticket %d with %d messages", kept.ID, len(kept.Messages))
		}
		var gone tend.Ticket
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets/%d", dup.ID), nil).want(t, http.StatusOK).decode(t, &gone)
		if gone.Status != tend.StatusClosed || gone.MergedIntoID == nil || *gone.MergedIntoID != keep.ID {
			t.Errorf("duplicate: %s, merged into %v", gone.Status, gone.MergedIntoID)
		}
		ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", dup.ID), map[string]any{"into_id": keep.ID}).
			want(t, http.StatusConflict).problem(t)
		p := ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", related.ID), map[string]any{"into_id": 99999}).
			want(t, http.StatusNotFound).problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Field != "into_id" {
			t.Errorf("unknown ticket to keep: %+v", p)
		}
		ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/merge", related.ID), map[string]any{}).want(t, http.StatusBadRequest).problem(t)

		var linked tend.Ticket
		ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/links", keep.ID), map[string]any{"ticket_id": related.ID}).
			want(t, http.StatusOK).decode(t, &linked)
		if len(linked.Links) != 1 || linked.Links[0].ID != related.ID || linked.Links[0].Subject != related.Subject {
			t.Errorf("links: %+v", linked.Links)
		}
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets/%d", related.ID), nil).want(t, http.StatusOK).decode(t, &linked)
		if len(linked.Links) != 1 || linked.Links[0].ID != keep.ID {
			t.Errorf("the link is not both ways: %+v", linked.Links)
		}
		var unlinked tend.Ticket
		ts.as(tend.RoleAgent, "DELETE", fmt.Sprintf("/api/v1/tickets/%d/links/%d", related.ID, keep.ID), nil).want(t, http.StatusOK).decode(t, &unlinked)
		if unlinked.ID != related.ID || len(unlinked.Links) != 0 {
			t.Errorf("after removal: %+v", unlinked.Links)
		}
		ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/links", keep.ID), map[string]any{"ticket_id": keep.ID}).
			want(t, http.StatusBadRequest).problem(t)
		ts.as(tend.RoleAgent, "DELETE", fmt.Sprintf("/api/v1/tickets/%d/links/x", keep.ID), nil).want(t, http.StatusNotFound).problem(t)
	})
}
