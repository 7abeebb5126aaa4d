package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// browser is a headless Chromium tab for one test.
type browser struct {
	t   testing.TB
	ctx context.Context
}

// newBrowser starts Debian's headless Chromium for the test. Without it the
// test is skipped with a note on how to install it, except in CI, where a
// missing browser is a failure.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser tests need Debian's chromium: apt-get install -y chromium")
		}
		t.Skip("browser tests skipped: install Debian's chromium (apt-get install -y chromium) to run them")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	// The browser lives as long as this context: the test's whole run, with
	// a ceiling so that a stuck page cannot hang the suite.
	limit, cancelLimit := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc(); cancelLimit() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// An error thrown by the page's own script fails the test: the page
	// may still look right, but something it should do did not happen.
	var mu sync.Mutex
	var thrown []string
	chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			thrown = append(thrown, fmt.Sprintf("%s (%s:%d:%d)", desc, d.URL, d.LineNumber+1, d.ColumnNumber+1))
			mu.Unlock()
		}
	})
	chromedp.Run(ctx, chromedp.Action[chromedp.Void](func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, runtime.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	}))
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range thrown {
			t.Errorf("the page's script threw: %s", e)
		}
	})
	return &browser{t: t, ctx: ctx}
}

// do runs steps, failing the test on error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// text returns the text of the element sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// screenshot saves the page as a PNG and logs where.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(os.TempDir(), "tend-screenshots")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func TestBrowserSignInAndOut(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))

	b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css(`#email`)))
	if loc := b.location(); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("a signed-out visit to / ended at %s, want /login", loc)
	}
	b.screenshot("sign-in")

	// A wrong password is refused with a message, keeping the address.
	b.do(
		chromedp.SendKeys(css(`#email`), "agent@staff.example"),
		chromedp.SendKeys(css(`#password`), "not the password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.error`)),
	)
	email, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#email`)))
	if msg := b.text(`.error`); !strings.Contains(msg, "do not match") || email != "agent@staff.example" {
		t.Fatalf("after a wrong password: error %q, email %q", msg, email)
	}

	b.do(
		chromedp.SendKeys(css(`#password`), "long enough password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.signout`)),
	)
	// Signing in opens the agent's own open tickets.
	if who, body := b.text(`.who`), b.text(`main`); !strings.Contains(who, "agent person") || !strings.Contains(body, "My open tickets") {
		t.Fatalf("after sign-in the top bar says %q and the page %q", who, body)
	}

	b.do(chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`#email`)))
	if loc := b.location(); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after sign-out at %s", loc)
	}
	// The session is gone, not just the page.
	b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css(`#email`)))
}

func TestBrowserFirstAdminSetup(t *testing.T) {
	b := newBrowser(t)
	ts := newBareServer(t, sqldbtest.Open(t, sqldb.SQLite))
	secret, err := ts.server.Setup.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css(`#title`)))
	if body := b.text(`main`); !strings.Contains(body, "setup link") {
		t.Fatalf("a desk without admin shows %q", body)
	}
	b.do(chromedp.Navigate(ts.URL+"/setup?token="+secret), chromedp.WaitVisible(css(`#name`)))
	b.screenshot("setup")
	b.do(
		chromedp.SendKeys(css(`#name`), "Ana Admin"),
		chromedp.SendKeys(css(`#email`), "ana@example.com"),
		chromedp.SendKeys(css(`#password`), "a long enough password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.signout`)),
	)
	if who := b.text(`.who`); !strings.Contains(who, "Ana Admin") || !strings.Contains(who, "admin") {
		t.Fatalf("after setup the top bar says %q", who)
	}
	// The link is spent.
	b.do(chromedp.Navigate(ts.URL+"/setup?token="+secret), chromedp.WaitVisible(css(`.error`)))
	if msg := b.text(`.error`); !strings.Contains(msg, "set up already") {
		t.Fatalf("a reused setup link shows %q", msg)
	}
}

// In a real browser: someone guessing an agent's password from the same
// address holds up a browser that never signed in, which is told how long
// to wait, and not the agent's own browser, which signed in before.
func TestBrowserSignInLimits(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	sqldbtest.NewClock(db) // stands still: the wait does not run out while the browser loads
	ts := newTestServer(t, db)
	own, fresh := newBrowser(t), newBrowser(t)
	signInAs := func(b *browser, password string) {
		b.t.Helper()
		b.do(chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(css(`#email`)),
			chromedp.SendKeys(css(`#email`), "agent@staff.example"), chromedp.SendKeys(css(`#password`), password),
			chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`main`)))
	}
	signInAs(own, "long enough password")
	own.do(chromedp.WaitVisible(css(`.signout`)), chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`#email`)))

	// Someone on the same machine guesses, five times.
	c, csrf := signInClient(t, ts)
	for i := range 5 {
		if resp := signIn(t, c, ts, csrf, "agent@staff.example", fmt.Sprintf("guess %d", i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}

	signInAs(fresh, "long enough password")
	if msg := fresh.text(`.error`); !strings.Contains(msg, "Too many failed sign-ins; try again in") {
		t.Fatalf("a browser that never signed in reads %q", msg)
	}
	fresh.screenshot("sign-in-held")
	signInAs(own, "long enough password")
	own.do(chromedp.WaitVisible(css(`.signout`)))
}
