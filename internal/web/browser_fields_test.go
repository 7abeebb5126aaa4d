package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An admin adds two custom fields, one of them required; solving a
// ticket without it is refused beside the field, and with it the ticket
// solves, its history names the value, and the list finds it by the
// field.
func TestBrowserCustomFieldRequiredBeforeSolving(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Refund for order", "pia@customer.example", "Please refund my order.")
	b.signIn(ts.URL, tend.RoleAdmin)

	b.within(10*time.Second, chromedp.Navigate(ts.URL+"/settings"), chromedp.Click(css(`a[href="/settings/fields"]`)),
		chromedp.WaitVisible(css(`#label`)))
	// A key people cannot use is refused, with what was typed kept.
	b.do(chromedp.SendKeys(css(`#label`), "Order number"), chromedp.SendKeys(css(`#key`), "Order Number"),
		chromedp.Click(css(`input[name=required]`)), chromedp.Click(css(`form.people-form button[type=submit]`)))
	b.waitText(`#key-problem`, "lower-case", 10*time.Second)
	b.do(chromedp.WaitReady(css(`body`)), chromedp.WaitVisible(css(`#label`)))
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#label`))); v != "Order number" {
		t.Errorf("the refused form lost the label: %q", v)
	}
	b.do(chromedp.SetValue(css(`#key`), "order_number"), chromedp.Click(css(`form.people-form button[type=submit]`)))
	b.waitText(`main`, "Field added", 10*time.Second)
	b.within(10*time.Second, chromedp.Navigate(ts.URL+"/settings/fields"), chromedp.WaitVisible(css(`#label`)))
	b.do(chromedp.SendKeys(css(`#label`), "Plan"), chromedp.SendKeys(css(`#key`), "plan"), chromedp.SetValue(css(`#type`), "choice"),
		chromedp.SendKeys(css(`#choices`), "Basic\nPro"), chromedp.Click(css(`form.people-form button[type=submit]`)))
	b.waitText(`table.fields`, "Basic, Pro", 10*time.Second)
	if list := b.text(`table.fields`); !strings.Contains(list, "Order number") || !strings.Contains(list, "Before solving") || !strings.Contains(list, "Basic, Pro") {
		t.Errorf("the fields list reads %q", list)
	}

	// Solving without the order number is refused beside it.
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#field-order_number`)))
	if got := b.options(`select#field-plan`); got != ",Basic,Pro" {
		t.Errorf("the plan offers %q", got)
	}
	b.do(chromedp.SetValue(css(`#status`), "solved"), chromedp.Click(css(`.controls button[type=submit]`)))
	said := b.waitText(`#field-order_number-problem`, "required", 10*time.Second)
	b.screenshot("field-required")
	if !strings.Contains(said, "Order number is required before ticket #") {
		t.Errorf("beside the order number: %q", said)
	}
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); got.Status == tend.StatusSolved {
		t.Fatal("the ticket was solved without its order number")
	}
	// The choice of solved is kept; filling the field in solves it.
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#status`))); v != "solved" {
		t.Errorf("the status choice was not kept: %q", v)
	}
	b.do(chromedp.SendKeys(css(`#field-order_number`), "A-1042"), chromedp.SetValue(css(`#field-plan`), "Pro"),
		chromedp.Click(css(`.controls button[type=submit]`)))
	b.waitText(`main`, "The ticket was updated.", 10*time.Second)
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if got.Status != tend.StatusSolved || got.Fields["order_number"] != "A-1042" || got.Fields["plan"] != "Pro" {
		t.Fatalf("after saving: status %s, fields %v", got.Status, got.Fields)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#field-order_number`))); v != "A-1042" {
		t.Errorf("the page shows the order number as %q", v)
	}
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d?history=1", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#composer`)))
	if h := b.text(`main`); !strings.Contains(h, `set Order number to "A-1042"`) || !strings.Contains(h, `set Plan to "Pro"`) {
		t.Errorf("the history does not name the values: %q", h)
	}

	// The list finds it by its plan, and not by the other.
	other := newTicket(t, ts, "Other", "quin@customer.example", "Hello")
	b.within(10*time.Second, chromedp.Navigate(ts.URL+"/tickets?status=solved&field.plan=pro"), chromedp.WaitVisible(css(`main`)))
	if list := b.text(`main`); !strings.Contains(list, "Refund for order") || strings.Contains(list, other.Subject) {
		t.Errorf("field.plan=pro lists %q", list)
	}
	b.within(10*time.Second, chromedp.Navigate(ts.URL+"/tickets?field.plan=Gold"), chromedp.WaitVisible(css(`main`)))
	if list := b.text(`main`); !strings.Contains(list, "Gold") || !strings.Contains(list, "Basic, Pro") {
		t.Errorf("a plan that is no choice reads %q", list)
	}
}
