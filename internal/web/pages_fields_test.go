package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A saved view that filters by a custom field: one naming no field is not
// saved, and one whose field is deleted later fails alone, with a way to
// delete it, while the other lists and the counts carry on.
func TestSavedViewOfADeletedField(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	region, err := ts.server.Fields.CreateField(system, &tend.FieldInput{Key: "region", Label: "Region", Type: tend.FieldChoice, Choices: []string{"EU", "US"}})
	if err != nil {
		t.Fatal(err)
	}
	newTicket(t, ts, "Door stuck", "ola@customer.example", "The door is stuck.")
	hc, csrf := signInClient(t, ts)
	signIn(t, hc, ts, csrf, "agent@staff.example", "long enough password")
	c := formClient{hc, ts.URL, csrf}
	get := func(path string) (int, string) {
		resp, err := hc.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if resp, body := c.post(t, "/tickets/views", url.Values{"name": {"Nope"}, "filter": {"field.nope=x"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "field.nope") {
		t.Errorf("a view of no field answered %d:\n%s", resp.StatusCode, body)
	}
	resp, _ := c.post(t, "/tickets/views", url.Values{"name": {"EU tickets"}, "filter": {"field.region=EU"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the EU view answered %d", resp.StatusCode)
	}
	view := resp.Header.Get("Location")
	view = view[:strings.Index(view, "&")]
	if err := ts.server.Fields.DeleteField(asAgent(ts.agents[tend.RoleAdmin]), region.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/tickets", "/tickets?view=open", "/search?q=door", "/tickets/counts"} {
		if status, body := get(path); status != http.StatusOK {
			t.Errorf("GET %s after the field went: %d\n%s", path, status, body)
		}
	}
	status, body := get(view)
	if status != http.StatusBadRequest || !strings.Contains(body, "region") || !strings.Contains(body, "/delete") {
		t.Errorf("the view of the deleted field answered %d:\n%s", status, body)
	}
}
