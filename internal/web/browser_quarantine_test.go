package web_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
	"github.com/tendhq/tend/internal/web"
)

// quarantineDoor is what the web server asks of the mail pipeline for the
// quarantine.
type quarantineDoor interface {
	Raw(ctx context.Context, id int64) (*tend.InboundRecord, io.ReadSeekCloser, error)
	TakeAsTicket(ctx context.Context, id int64) (*tend.InboundRecord, error)
}

// slowTakes answers each take half a second after it is done.
type slowTakes struct{ quarantineDoor }

func (s slowTakes) TakeAsTicket(ctx context.Context, id int64) (*tend.InboundRecord, error) {
	rec, err := s.quarantineDoor.TakeAsTicket(ctx, id)
	time.Sleep(500 * time.Millisecond)
	return rec, err
}

// An admin sees on the settings page that mail waits in quarantine,
// downloads it as it arrived, and makes a ticket of it with a double click
// that makes one ticket.
func TestBrowserQuarantine(t *testing.T) {
	b := newBrowser(t)
	// The server answers a take slowly, as a busy one would, so that the
	// second click of a double click comes before the first's answer.
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite), func(s *web.Server) { s.Quarantine = slowTakes{s.Quarantine} })
	rec, raw := quarantine(t, ts)
	row := `#inbound-` + strID(rec.ID)

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Click(css(`.sections a[href="/settings"]`)), chromedp.WaitVisible(css(`.settings-list`)))
	if note := b.text(`.quarantined`); !strings.Contains(note, "1 mail in quarantine") {
		t.Fatalf("the settings page says %q", note)
	}
	b.do(chromedp.Click(css(`.quarantined a`)), chromedp.WaitVisible(css(row)))
	if loc := b.location(); !strings.HasSuffix(loc, "/settings/mail#quarantine") {
		t.Fatalf("the count leads to %q", loc)
	}
	if why := b.text(row + ` .why`); !strings.Contains(why, "scan.pdf") || !strings.Contains(why, "over the size limit") {
		t.Fatalf("the quarantine says why: %q", why)
	}
	b.screenshot("quarantine")

	// The link downloads the mail as it arrived: fetched as the page
	// would, with the admin's session.
	type download struct{ Type, Disposition, Body string }
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[download](`(async () => {
		const r = await fetch(document.querySelector('`+row+` a.eml').href);
		return {type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'), body: await r.text()};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "message/rfc822" || got.Disposition != `attachment; filename="inbound-`+strID(rec.ID)+`.eml"` || got.Body != raw {
		t.Fatalf("the download: %s, %s, %d bytes of %d", got.Type, got.Disposition, len(got.Body), len(raw))
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recent + table a.eml').length`)); n != 1 {
		t.Fatalf("%d download links among the recent mail, want 1", n)
	}

	// A double click on "Make a ticket": the second form post goes out
	// before the first's page arrives, and finds the ticket made.
	type point struct{ X, Y float64 }
	at, err := chromedp.Run(b.ctx, chromedp.Evaluate[point](`(() => {
		const b = document.querySelector('`+row+` form.make-ticket button');
		b.scrollIntoView({block: 'center'});
		const r = b.getBoundingClientRect();
		return {x: r.x + r.width / 2, y: r.y + r.height / 2};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.MouseClickXY(at.X, at.Y), chromedp.Sleep(150*time.Millisecond), chromedp.MouseClickXY(at.X, at.Y, chromedp.ClickCount(2)),
		chromedp.WaitVisible(css(`p.error`)))
	if msg := b.text(`p.error`); !strings.Contains(msg, "no longer in quarantine: it is in ticket #") {
		t.Fatalf("the second click says %q", msg)
	}
	b.screenshot("quarantine-second-click")
	b.do(chromedp.Click(css(`p.error a[href^="/tickets/"]`)), chromedp.WaitVisible(css(`.conversation`)))
	if body := b.text(`.conversation`); !strings.Contains(body, "Here is the scan of my invoice.") || !strings.Contains(body, "scan.pdf") {
		t.Fatalf("the ticket shows %q", body)
	}
	b.screenshot("quarantine-ticket")
	if n := ts.countTickets(); n != 1 {
		t.Fatalf("a double click made %d tickets", n)
	}
	after, err := ts.server.Inbound.FindInboundByID(tend.SystemContext(context.Background()), rec.ID)
	if err != nil || after.Outcome != tend.OutcomeCreated {
		t.Fatalf("the record after: %+v, %v", after, err)
	}

	// The quarantine is empty, and the settings page counts nothing.
	b.do(chromedp.Navigate(ts.URL+"/settings"), chromedp.WaitVisible(css(`.settings-list`)))
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.quarantined').length`)); n != 0 {
		t.Fatal("the settings page still counts the quarantine")
	}
}
