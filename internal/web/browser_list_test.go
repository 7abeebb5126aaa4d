package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// rowLayout is how one row of a ticket list is laid out.
type rowLayout struct {
	Height      float64 `json:"height"`
	Subject     float64 `json:"subject"`     // height of the subject's link
	Preview     float64 `json:"preview"`     // height of the preview
	LineSubject float64 `json:"lineSubject"` // one line of each
	LinePreview float64 `json:"linePreview"`
	TallestCell float64 `json:"tallestCell"` // content of the other cells, padding left out
	LineCell    float64 `json:"lineCell"`
	Cut         bool    `json:"cut"` // the subject is cut with an ellipsis
}

// At 1366 pixels a list shows each ticket on one row: the subject on one
// line, cut when long, the latest public message's start on one line
// under it, every other cell on one line, the team in a column of its
// own; the headings sort it, priority most urgent first.
func TestBrowserDenseList(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	billing, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	agent := ts.agents[tend.RoleAgent]
	priorities := []tend.Priority{tend.PriorityLow, tend.PriorityUrgent, tend.PriorityNormal, tend.PriorityHigh}
	for i := range 12 {
		subject := fmt.Sprintf("Question %d: ", i) + strings.Repeat("the invoice for the annual plan was charged twice ", 3)
		tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: subject,
			Customer: tend.CustomerRef{Email: fmt.Sprintf("customer%d@example.com", i), Name: "A customer with a rather long name " + fmt.Sprint(i)},
			Body:     "Hello,\n\nI was charged twice this month.\nPlease help."})
		if err != nil {
			t.Fatal(err)
		}
		u := &tend.TicketUpdate{Priority: &priorities[i%len(priorities)]}
		if i%2 == 0 {
			u.TeamID, u.OwnerID = &billing.ID, &agent.ID
		}
		if _, err := ts.server.Tickets.UpdateTicket(sys, tk.ID, u); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			ctx := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role})
			for _, m := range []*tend.MessageCreate{
				{Kind: tend.KindReply, Body: "We refunded the second charge today.\nagent person"},
				{Kind: tend.KindNote, Body: "Internal: refund ref 8812"},
			} {
				if _, err := ts.server.Tickets.AddMessage(ctx, tk.ID, m); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	b.signIn(ts.URL, tend.RoleAgent)
	b.do(chromedp.EmulateViewport(1366, 768), chromedp.Navigate(ts.URL+"/tickets?status=new&status=open"),
		chromedp.WaitVisible(css(`tr.ticket-row`)))
	b.screenshot("dense-list")

	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]rowLayout](`[...document.querySelectorAll("tr.ticket-row")].map(r => {
		const a = r.querySelector("td.subject a"), p = r.querySelector("td.subject .preview");
		const line = el => parseFloat(getComputedStyle(el).lineHeight);
		const inner = c => { const g = document.createRange(); g.selectNodeContents(c); return g.getBoundingClientRect().height; };
		const others = [...r.cells].filter(c => !c.classList.contains("subject"));
		return {height: r.getBoundingClientRect().height, subject: a.getBoundingClientRect().height,
			preview: p ? p.getBoundingClientRect().height : 0, lineSubject: line(a), linePreview: p ? line(p) : 0,
			tallestCell: Math.max(...others.map(inner)), lineCell: line(r.cells[3]), cut: a.scrollWidth > a.clientWidth};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 {
		t.Fatalf("%d rows, want 12", len(rows))
	}
	for i, r := range rows {
		switch {
		case r.Subject > r.LineSubject*1.2:
			t.Errorf("row %d: the subject takes %.0fpx, more than a line of %.0fpx", i, r.Subject, r.LineSubject)
		case r.Preview == 0 || r.Preview > r.LinePreview*1.2:
			t.Errorf("row %d: the preview takes %.0fpx, a line is %.0fpx", i, r.Preview, r.LinePreview)
		case r.TallestCell > r.LineCell*1.6:
			t.Errorf("row %d: a cell's content takes %.0fpx, more than a line of %.0fpx", i, r.TallestCell, r.LineCell)
		case !r.Cut:
			t.Errorf("row %d: a long subject is not cut", i)
		case r.Height != rows[0].Height || r.Height > r.Subject+r.Preview+16:
			t.Errorf("row %d is %.0fpx high (the first %.0fpx), for a subject of %.0fpx and a preview of %.0fpx", i, r.Height, rows[0].Height, r.Subject, r.Preview)
		}
	}
	wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("table.tickets").scrollWidth <= document.querySelector("#ticket-list").clientWidth`))
	if err != nil || !wide {
		t.Errorf("the list is wider than its place (%v)", err)
	}

	// The bar of bulk changes above the list is one line: no taller than
	// its tallest control, with every control beside the first.
	bar, err := chromedp.Run(b.ctx, chromedp.Evaluate[struct {
		Height, Control float64
		Lines           int
	}](`(() => {
		const bar = document.querySelector("form#bulk");
		const shown = [...bar.children].filter(c => c.getBoundingClientRect().width > 1); // not hidden, nor visually-hidden
		const tops = new Set(shown.map(c => Math.round(c.getBoundingClientRect().top + c.getBoundingClientRect().height / 2)));
		const bands = [...tops].sort((a, b) => a - b).filter((y, i, all) => i === 0 || y - all[i - 1] > 8);
		return {height: bar.getBoundingClientRect().height, lines: bands.length,
			control: Math.max(...shown.filter(c => c.matches("select, input, button")).map(c => c.getBoundingClientRect().height))};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if bar.Lines != 1 || bar.Height > bar.Control*1.2 {
		t.Errorf("at 1366 pixels the bulk bar takes %d lines, %.0fpx high for controls of %.0fpx", bar.Lines, bar.Height, bar.Control)
	}

	// Every heading shows whole, the current order's arrow with it.
	cut, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.tickets th")]
		.filter(th => th.getBoundingClientRect().width === 0 || th.scrollWidth > th.clientWidth).map(th => th.className + " " + th.scrollWidth + "/" + th.clientWidth + "px")`))
	if err != nil || len(cut) > 0 {
		t.Errorf("headings hidden or cut: %q (%v)", cut, err)
	}

	table := b.text(`table.tickets`)
	for _, want := range []string{"Team", "Billing", "Staff: We refunded the second charge today. agent person", "Hello, I was charged twice this month. Please help."} {
		if !strings.Contains(table, want) {
			t.Errorf("the list lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "refund ref 8812") {
		t.Error("the list shows an internal note")
	}

	// Priority, most urgent first, then the other way round.
	b.do(chromedp.Click(css(`th.priority a`)), chromedp.WaitVisible(css(`th.priority[aria-sort="descending"]`)))
	if got := priorityOrder(b); got != "urgent urgent urgent high high high normal normal normal low low low" {
		t.Errorf("sorted by priority: %s", got)
	}
	b.do(chromedp.Click(css(`th.priority a`)), chromedp.WaitVisible(css(`th.priority[aria-sort="ascending"]`)))
	if got := priorityOrder(b); got != "low low low normal normal normal high high high urgent urgent urgent" {
		t.Errorf("sorted by priority ascending: %s", got)
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("th[aria-sort]").length`)); n != 1 {
		t.Errorf("%d headings say they sort the list", n)
	}
	b.do(chromedp.Click(css(`th.team a`)), chromedp.WaitVisible(css(`th.team[aria-sort="ascending"]`)))
	b.screenshot("dense-list-by-team")

	// On a narrow screen the list still fits its place, with fewer columns.
	for _, width := range []int64{960, 800, 600} {
		b.do(chromedp.EmulateViewport(width, 900), chromedp.Reload(), chromedp.WaitVisible(css(`tr.ticket-row`)))
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("table.tickets").scrollWidth <= document.querySelector("#ticket-list").clientWidth`))
		if err != nil || !wide {
			t.Errorf("at %d pixels the list is wider than its place (%v)", width, err)
		}
		b.screenshot(fmt.Sprintf("dense-list-%d", width))
	}
}

// priorityOrder returns the list's priorities, top to bottom.
func priorityOrder(b *browser) string {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("tr.ticket-row .prio")].map(p => p.className.replace(/.*prio-/, "")).join(" ")`))
	if err != nil {
		b.t.Fatal(err)
	}
	return got
}
