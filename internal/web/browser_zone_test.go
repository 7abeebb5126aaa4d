package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An agent who has chosen no time zone reads times in their browser's;
// once they choose one on their profile, in that one.
func TestBrowserTimeZone(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	if _, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Late parcel", Body: "Hello.",
		Customer: tend.CustomerRef{Name: "Ann Lee", Email: "ann@example.com"}}); err != nil {
		t.Fatal(err)
	}
	ann := customerByEmail(t, ts, "ann@example.com")
	created := `.profile time[datetime="` + ann.CreatedAt.UTC().Format(time.RFC3339) + `"]`
	in := func(zone string) string {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		return tend.FormatTime(ann.CreatedAt, loc)
	}

	b.do(chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"})
		return chromedp.Void{}, err
	}))
	b.signIn(ts.URL, tend.RoleAgent)
	b.do(chromedp.Navigate(ts.URL+"/customers/"+strconv.FormatInt(ann.ID, 10)), chromedp.WaitVisible(css(created)))
	if got, want := b.text(created), in("Asia/Tokyo"); got != want {
		t.Fatalf("with no zone chosen, in a browser in Tokyo, the customer was added %q, want %q", got, want)
	}

	// The profile suggests the browser's zone; the agent chooses another.
	b.do(chromedp.Click(css(`a.who`)), chromedp.WaitVisible(css(`input#time_zone`)))
	if hint := b.text(`#time-zone-now`); hint != "None chosen: times follow your browser, which is in Asia/Tokyo." {
		t.Fatalf("the profile says %q", hint)
	}
	b.screenshot("profile")
	b.do(chromedp.SendKeys(css(`input#time_zone`), "Mars/Olympus"), chromedp.Click(css(`form[action="/profile"] button`)),
		chromedp.WaitVisible(css(`#time-zone-problem`)))
	b.do(chromedp.SetValue(css(`input#time_zone`), "America/New_York"), chromedp.Click(css(`form[action="/profile"] button`)),
		chromedp.WaitVisible(css(`.notice`)))
	if hint := b.text(`#time-zone-now`); hint != "Times are shown in America/New_York." {
		t.Fatalf("after saving, the profile says %q", hint)
	}
	b.do(chromedp.Navigate(ts.URL+"/customers/"+strconv.FormatInt(ann.ID, 10)), chromedp.WaitVisible(css(created)))
	if got, want := b.text(created), in("America/New_York"); got != want {
		t.Fatalf("with New York chosen, the customer was added %q, want %q", got, want)
	}
	a, err := ts.server.Agents.FindAgentByID(sys, ts.agents[tend.RoleAgent].ID)
	if err != nil || a.TimeZone != "America/New_York" {
		t.Fatalf("the agent is %+v, %v", a, err)
	}
}
