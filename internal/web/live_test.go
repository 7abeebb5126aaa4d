package web_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
	"github.com/tendhq/tend/internal/web"
)

// stream is an open GET /live, read line by line.
type stream struct {
	t     *testing.T
	lines chan string // closed when the server ends the stream
}

func openStream(t *testing.T, ts *testServer, c *http.Client) *stream {
	t.Helper()
	resp, err := c.Get(ts.URL + "/live")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET /live: %d", resp.StatusCode)
	}
	t.Cleanup(func() { resp.Body.Close() })
	s := &stream{t: t, lines: make(chan string, 100)}
	go func() {
		defer close(s.lines)
		r := bufio.NewScanner(resp.Body)
		for r.Scan() {
			s.lines <- r.Text()
		}
	}()
	s.next("retry: 2000")
	return s
}

// event waits for an event of the type, and reads its data.
func (s *stream) event(typ string) string {
	s.t.Helper()
	s.next("event: " + typ)
	return s.next("data: ")
}

// next waits for a line that starts with prefix, skipping others.
func (s *stream) next(prefix string) string {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("the stream ended while waiting for %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			s.t.Fatalf("no %q within 5 s", prefix)
		}
	}
}

// ends fails unless the server ends the stream soon, without sending
// another event first.
func (s *stream) ends() {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return
			}
			if strings.HasPrefix(l, "event:") || strings.HasPrefix(l, "data:") {
				s.t.Fatalf("the stream sent %q after its session ended", l)
			}
		case <-timeout:
			s.t.Fatal("the stream is still open 5 s after its session ended")
		}
	}
}

// A page's live stream ends with its session: at sign-out, when the agent
// is deactivated, and when they set a new password, and it carries
// nothing more meanwhile. Signing out in one browser leaves another
// browser's stream open.
func TestLiveStreamEndsWithTheSession(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		newTicket := func(subject string) {
			ts.as(tend.RoleAdmin, "POST", "/api/v1/tickets", map[string]any{"subject": subject, "body": "b",
				"customer": map[string]string{"email": "mia@example.com"}}).want(t, 201)
		}
		browser := func(role tend.Role) (*http.Client, string) {
			c, csrf := signInClient(t, ts)
			signIn(t, c, ts, csrf, string(role)+"@staff.example", "long enough password").Body.Close()
			return c, csrf
		}

		t.Run("signing out", func(t *testing.T) {
			laptop, csrf := browser(tend.RoleAgent)
			phone, _ := browser(tend.RoleAgent)
			onLaptop, onPhone := openStream(t, ts, laptop), openStream(t, ts, phone)
			newTicket("Before signing out")
			onLaptop.event("ticket")
			onPhone.event("ticket")

			resp, err := laptop.PostForm(ts.URL+"/logout", url.Values{"csrf": {csrf}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			newTicket("After signing out")
			onLaptop.ends()
			// The phone's session is its own: it hears of the new ticket.
			onPhone.event("ticket")
		})

		t.Run("deactivation", func(t *testing.T) {
			c, _ := browser(tend.RoleLead)
			s := openStream(t, ts, c)
			lead := ts.agents[tend.RoleLead]
			ts.as(tend.RoleAdmin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", lead.ID), map[string]any{"active": false}).want(t, 200)
			newTicket("After deactivation")
			s.ends()
		})

		t.Run("a new password", func(t *testing.T) {
			c, _ := browser(tend.RoleManager)
			s := openStream(t, ts, c)
			ts.as(tend.RoleManager, "PATCH", fmt.Sprintf("/api/v1/agents/%d", ts.agents[tend.RoleManager].ID),
				map[string]any{"password": "a new long password", "current_password": "long enough password"}).want(t, 200)
			newTicket("After the new password")
			s.ends()
		})
	})
}

// A stream ends when its session expires: a session of three seconds ends
// its stream well before the 20 s check for sessions ended elsewhere.
func TestLiveStreamEndsWhenTheSessionExpires(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite), func(s *web.Server) { s.SessionTTL = 3 * time.Second })
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password").Body.Close()
	openStream(t, ts, c).ends()
}

// A quiet stream stays open: its keep-alives go out although they come
// less often than a write may take (each write gets its own deadline).
func TestLiveStreamOutlivesItsKeepAlives(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	ts.server.LiveKeepAlive, ts.server.LiveWriteTimeout = 300*time.Millisecond, 200*time.Millisecond
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password").Body.Close()
	s := openStream(t, ts, c)
	for range 3 {
		s.next(": keep-alive")
	}
}
