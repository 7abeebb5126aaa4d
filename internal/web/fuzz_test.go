package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// FuzzCreateTicket sends arbitrary bodies to POST /api/v1/tickets. Whatever
// the input, Tend answers 201 with a ticket it can read back, or a 4xx
// problem document; never a server error.
func FuzzCreateTicket(f *testing.F) {
	for _, seed := range []string{
		`{"subject":"Card not arrived","customer":{"email":"a@example.com","name":"A"},"body":"Where is it?"}`,
		`{"subject":"x","customer":{"email":"a@example.com"},"body":"b","priority":"urgent","channel":"chat","tags":["a","B c"],"team_id":null}`,
		`{"subject":"x","customer":{"email":"a@example.com"},"body_html":"<p>hi<script>x</script>","attachments":[{"name":"a.txt","data":"aGk="}]}`,
		`{"subject":"\u0000\ud800","customer":{"email":"a@exa mple.com"},"body":"\u202e"}`,
		`{"subject":1e999,"customer":[],"body":{}}`,
		`{"subject":"` + strings.Repeat("long ", 80) + `","customer":{"email":"a@example.com"},"body":"b"}`,
		`{"tags":[` + strings.Repeat(`"t",`, 40) + `"t"]}`,
		`nul`, `{}`, `[]`, `""`, `{"subject":"a"}{"subject":"b"}`,
		`{"subject":"x\u0000y","customer":{"email":"a@example.com","name":"\u0000"},"body":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	// PostgreSQL refuses some text SQLite stores, so fuzz it there too
	// when it is at hand.
	engine := sqldb.SQLite
	if os.Getenv(sqldbtest.PostgresURLVar) != "" {
		engine = sqldb.Postgres
	}
	db := sqldbtest.Open(f, engine)
	ts := newTestServer(f, db)
	token := ts.tokens[tend.RoleAgent]

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/tickets", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		ts.handler.ServeHTTP(rec, req)

		switch {
		case rec.Code == http.StatusCreated:
			var tk tend.Ticket
			if err := json.Unmarshal(rec.Body.Bytes(), &tk); err != nil || tk.ID == 0 {
				t.Fatalf("201 without a ticket: %v\n%s", err, rec.Body)
			}
			get := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil)
			get.Header.Set("Authorization", "Bearer "+token)
			grec := httptest.NewRecorder()
			ts.handler.ServeHTTP(grec, get)
			var back tend.Ticket
			if grec.Code != 200 || json.Unmarshal(grec.Body.Bytes(), &back) != nil || back.Subject != tk.Subject {
				t.Fatalf("created ticket %d does not read back: %d %s", tk.ID, grec.Code, grec.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
			var p problemDoc
			if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Detail == "" {
				t.Fatalf("%d without a problem document: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q:\n%s", rec.Code, body, rec.Body)
		}
	})
}
