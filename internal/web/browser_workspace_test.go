package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

var system = tend.SystemContext(context.Background())

// newTicket opens a ticket as if the customer had written in.
func newTicket(t *testing.T, ts *testServer, subject, from, body string) *tend.Ticket {
	t.Helper()
	tk, err := ts.tickets.CreateTicket(system, &tend.TicketCreate{Subject: subject, Body: body, Channel: tend.ChannelWeb,
		Customer: tend.CustomerRef{Email: from, Name: strings.Split(from, "@")[0]}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// within runs steps, failing the test if they take longer than limit.
func (b *browser) within(limit time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("at %s: %v", loc, err)
	}
}

// waitText waits until the element sel holds want, up to limit.
func (b *browser) waitText(sel, want string, limit time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(limit)
	var got string
	for time.Now().Before(deadline) {
		got, _ = chromedp.Run(b.ctx, chromedp.Text(css(sel), chromedp.AtLeast(0)))
		if strings.Contains(got, want) {
			return got
		}
		time.Sleep(25 * time.Millisecond)
	}
	b.t.Fatalf("after %s, %s reads %q, without %q", limit, sel, got, want)
	return ""
}

// An agent works a ticket from the list to a reply: open a view, open the
// ticket, take it, reply and set the status in one go, see the reply in
// the conversation, change priority and status, read the history.
func TestBrowserWorkATicket(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	newTicket(t, ts, "Thermostat shows E4", "mia@customer.example", "Since this morning the display says E4.\n\nMia")
	newTicket(t, ts, "Invoice copy", "leo@customer.example", "Please send me a copy of invoice 2211.")
	team, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Hardware", MemberIDs: []int64{ts.agents[tend.RoleAgent].ID}})
	if err != nil {
		t.Fatal(err)
	}

	b.signIn(ts.URL, tend.RoleAgent)
	// The agent's team has its view.
	if v := b.text(fmt.Sprintf(`.views a[data-view="team-%d"]`, team.ID)); !strings.Contains(v, "Hardware") {
		t.Errorf("the team's view reads %q", v)
	}
	b.do(chromedp.Click(css(`.views a[data-view="unassigned"]`)), chromedp.WaitVisible(css(`tr.ticket-row`)))
	if n := b.text(`.views a[data-view="unassigned"] .count`); n != "2" {
		t.Errorf("the sidebar counts %q unassigned tickets, want 2", n)
	}
	list := b.text(`table.tickets`)
	if !strings.Contains(list, "Thermostat shows E4") || !strings.Contains(list, "Invoice copy") || !strings.Contains(list, "New") {
		t.Fatalf("the unassigned view shows %q", list)
	}
	b.screenshot("ticket-list")

	// Keyboard: j selects the first row (the newest), Enter opens it.
	b.within(10*time.Second, chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(css(`#composer`)))
	if h := b.text(`h1`); !strings.Contains(h, "Invoice copy") {
		t.Fatalf("j then Enter opened %q, want the newest ticket", h)
	}
	b.within(10*time.Second, chromedp.NavigateBack(), chromedp.WaitVisible(css(`tr.ticket-row`)),
		chromedp.Click(css(`td.subject a[href$="/1000"]`)), chromedp.WaitVisible(css(`#composer`)))
	if msg := b.text(`.conversation`); !strings.Contains(msg, "Since this morning the display says E4.") {
		t.Fatalf("the conversation reads %q", msg)
	}

	b.do(chromedp.Click(css(`.take button`)), chromedp.WaitVisible(css(`.notice`)))
	if owner, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#owner_id').selectedOptions[0].textContent`)); owner != "agent person" {
		t.Fatalf("after Take it the owner is %q", owner)
	}

	b.do(
		chromedp.SendKeys(css(`#body`), "Hello Mia, E4 means the sensor lost contact. Re-seat the battery and it clears."),
		chromedp.SetValue(css(`#send-status`), "pending"),
		chromedp.Click(css(`#composer button[type=submit]`)),
	)
	b.waitText(`.conversation`, "Re-seat the battery", 5*time.Second)
	b.waitText(`.ticket-head .meta`, "Pending", 5*time.Second)
	// The live refresh may show the reply before the send's own answer
	// arrives and clears the composer: wait for that answer.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('textarea#body').value === ""`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`)))
		t.Errorf("the composer still holds %q after sending", v)
	}
	// (Read with a wait: a live refresh may be swapping the conversation.)
	if reply := strings.ToLower(b.waitText(`.msg.by-agent`, "agent person", 5*time.Second)); !strings.Contains(reply, "reply") {
		t.Errorf("the reply reads %q", reply)
	}

	// An internal note looks different from a reply.
	b.do(
		chromedp.Click(css(`#composer input[value="note"]`)),
		chromedp.SendKeys(css(`#body`), "Second E4 this week; watch for a bad batch."),
		chromedp.Click(css(`#composer button[type=submit]`)),
	)
	// (.msg.kind-note is the note's style: amber, marked "Internal note".)
	b.waitText(`.msg.kind-note`, "watch for a bad batch", 5*time.Second)

	// Chosen as a person does, by typing into the lists: a live refresh
	// of the details (the note just sent) must not undo the choice.
	b.do(
		chromedp.SendKeys(css(`#priority`), "hi"),
		chromedp.SendKeys(css(`#status`), "on h"),
		chromedp.SendKeys(css(`#tags`), "hardware, e4"),
		chromedp.Click(css(`.controls button[type=submit]`)),
	)
	b.waitText(`.notice`, "The ticket was updated.", 5*time.Second)
	if meta := b.waitText(`.ticket-head .meta`, "High priority", 5*time.Second); !strings.Contains(meta, "On hold") {
		t.Fatalf("after saving the controls the ticket reads %q", meta)
	}
	b.screenshot("ticket")

	b.do(chromedp.Click(css(`#history a`)), chromedp.WaitVisible(css(`.events`)))
	history := b.text(`.events`)
	for _, want := range []string{"opened the ticket", "agent person took it", "changed the priority from Normal to High", "added a reply", "added an internal note", "added the tags e4, hardware"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	tk, _ := ts.tickets.FindTicketByNumber(system, 1000)
	if tk.Status != tend.StatusOnHold || tk.Priority != tend.PriorityHigh || strings.Join(tk.Tags, ",") != "e4,hardware" {
		t.Errorf("stored ticket: status %s, priority %s, tags %v", tk.Status, tk.Priority, tk.Tags)
	}

	// Search finds it by a word of the customer's mail, marked.
	b.do(chromedp.Click(css(`#search-q`)), chromedp.SendKeys(css(`#search-q`), "display\r"), chromedp.WaitVisible(css(`.hits`)))
	if hit := b.text(`.hit`); !strings.Contains(hit, "Thermostat shows E4") {
		t.Fatalf("search shows %q", hit)
	}
	marked, _ := chromedp.Run(b.ctx, chromedp.Text(css(`.snippet mark`)))
	if !strings.EqualFold(marked, "display") {
		t.Errorf("the snippet marks %q", marked)
	}
	b.screenshot("search")
	// Narrowed to solved tickets, it is not there; to on hold, it is.
	b.within(10*time.Second, chromedp.SetValue(css(`#s-status`), "solved"), chromedp.Click(css(`.search-form button[type=submit]`)))
	b.waitText(`main p.muted`, "0 tickets", 5*time.Second)
	b.within(10*time.Second, chromedp.SetValue(css(`#s-status`), "on_hold"), chromedp.Click(css(`.search-form button[type=submit]`)))
	b.waitText(`main p.muted`, "1 ticket,", 5*time.Second)
	b.waitText(`.hits`, "Thermostat shows E4", 5*time.Second)
}

// A ticket created through the API appears in an open list, and the
// sidebar's count follows, without a reload.
func TestBrowserLiveList(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	newTicket(t, ts, "First question", "ana@customer.example", "Hello?")

	b.signIn(ts.URL, tend.RoleAgent)
	b.do(chromedp.Navigate(ts.URL+"/tickets?view=open"), chromedp.WaitVisible(css(`tr.ticket-row`)))
	// The page must be following before the ticket is made.
	b.within(5*time.Second, chromedp.WaitReady(css(`body[data-following]`)))

	start := time.Now()
	ts.as(tend.RoleAdmin, "POST", "/api/v1/tickets", map[string]any{"subject": "Arrived live",
		"customer": map[string]any{"email": "kai@customer.example"}, "body": "Is anyone there?"}).want(t, 201)
	b.waitText(`table.tickets`, "Arrived live", 2*time.Second)
	t.Logf("the new ticket showed in the open list %s after the API answered", time.Since(start).Round(time.Millisecond))
	b.waitText(`.views a[data-view="open"]`, "2", 2*time.Second)
}

// Two agents on one ticket see each other, and who is writing. A reply
// sent after the customer wrote again shows the new message and asks to
// confirm.
func TestBrowserCollision(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Door sensor offline", "noor@customer.example", "The door sensor went offline.")
	page := fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)

	ana, lee := newBrowser(t), newBrowser(t)
	ana.signIn(ts.URL, tend.RoleAgent)
	lee.signIn(ts.URL, tend.RoleLead)
	ana.do(chromedp.Navigate(page), chromedp.WaitVisible(css(`#composer`)))
	lee.do(chromedp.Navigate(page), chromedp.WaitVisible(css(`#composer`)))

	ana.waitText(`#presence`, "lead person is viewing this ticket", 5*time.Second)
	lee.waitText(`#presence`, "agent person is viewing this ticket", 5*time.Second)

	ana.do(chromedp.SendKeys(css(`#body`), "Hi Noor, could you"))
	lee.waitText(`#presence`, "agent person is writing a reply", 5*time.Second)
	lee.screenshot("collision")

	// The customer writes again while Ana writes.
	if _, err := ts.tickets.AddMessage(system, tk.ID, &tend.MessageCreate{FromCustomer: true,
		Body: "Never mind, it came back after I changed the battery."}); err != nil {
		t.Fatal(err)
	}
	ana.waitText(`.conversation`, "it came back after I changed the battery", 5*time.Second)
	ana.waitText(`#live-notice`, "The customer wrote again", 5*time.Second)

	// Sending from a page that has not seen the new message (as without
	// script, or with a slow connection) is stopped for a confirmation.
	lee.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#composer input[name="last_message_id"]').value = "1"`),
		chromedp.SendKeys(css(`#body`), "Please restart the hub."),
		chromedp.Click(css(`#composer button[type=submit]`)),
		chromedp.WaitVisible(css(`#composer-error`)))
	if msg := lee.text(`#composer-error`); !strings.Contains(msg, "The customer wrote again") {
		t.Fatalf("sending after the customer wrote again says %q", msg)
	}
	if fresh := lee.text(`.msg.new`); !strings.Contains(fresh, "it came back") {
		t.Fatalf("the new message is not marked: %q", fresh)
	}
	if v, _ := chromedp.Run(lee.ctx, chromedp.Value(css(`#body`))); v != "Please restart the hub." {
		t.Fatalf("the draft was not kept: %q", v)
	}
	lee.screenshot("customer-wrote-again")
	lee.do(chromedp.Click(css(`#composer button[type=submit]`)))
	lee.waitText(`.conversation`, "Please restart the hub.", 5*time.Second)
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if n := len(got.Messages); n != 3 {
		t.Fatalf("the ticket has %d messages, want 3 (the reply sent once)", n)
	}
}

// Mail carrying script in its subject, body and attachment names shows as
// text and never runs.
func TestBrowserMailCannotRunScript(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	mb, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	payload := `<img src=x onerror="window.pwned=1">`
	raw := "From: Eve <eve@attacker.example>\r\nTo: help@acme.example\r\n" +
		"Subject: " + payload + "<script>window.pwned=2</script>\r\n" +
		"Message-ID: <xss-1@attacker.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p>Hello <script>window.pwned=3</script><a href="javascript:window.pwned=4">click</a>` +
		`<img src="x" onerror="window.pwned=5"><iframe src="javascript:window.pwned=6"></iframe>` +
		`<svg onload="window.pwned=7"></svg><form action="javascript:window.pwned=8"><button>go</button></form></p>` + "\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\n" +
		`Content-Disposition: attachment; filename="<img src=x onerror=window.pwned=9>.txt"` + "\r\n\r\nhello\r\n--b--\r\n"
	rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(raw))
	if err != nil || rec.TicketID == nil {
		t.Fatalf("receive: %v %+v", err, rec)
	}
	tk, _ := ts.tickets.FindTicketByID(system, *rec.TicketID)

	b.signIn(ts.URL, tend.RoleAgent)
	for _, page := range []string{"/tickets?view=open", fmt.Sprintf("/tickets/%d", tk.Number), "/search?q=hello"} {
		b.do(chromedp.Navigate(ts.URL+page), chromedp.WaitVisible(css(`main`)))
		time.Sleep(200 * time.Millisecond)
		// Click whatever the mail offered to click, too.
		chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.conversation a, .conversation button').forEach(e => { try { e.click() } catch (_) {} })`))
		time.Sleep(200 * time.Millisecond)
		b.do(chromedp.Navigate(ts.URL+page), chromedp.WaitVisible(css(`main`)))
		pwned, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](`window.pwned === undefined ? null : window.pwned`))
		if err != nil {
			t.Fatal(err)
		}
		if pwned != nil {
			t.Fatalf("%s ran script from the mail: window.pwned = %v", page, pwned)
		}
		live, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('main script, main iframe, main svg, main [onerror], main [onload], main a[href^="javascript"], main form[action^="javascript"]').length`))
		if live != 0 {
			t.Fatalf("%s carries %d active elements from the mail", page, live)
		}
	}
	// The subject and the file name are shown as the text they are.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`h1`)))
	if h := b.text(`h1`); !strings.Contains(h, `<img src=x onerror="window.pwned=1">`) {
		t.Errorf("the subject reads %q", h)
	}
	if files := b.text(`ul.files`); !strings.Contains(files, "onerror=window.pwned=9") {
		t.Errorf("the attachment reads %q", files)
	}
	b.screenshot("hostile-mail")
}

// HTML mail shows its inline images where it placed them; attachments
// are served to the signed-in agent.
func TestBrowserInlineImages(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	mb, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	shot := image.NewRGBA(image.Rect(0, 0, 40, 20))
	draw.Draw(shot, shot.Bounds(), image.NewUniform(color.RGBA{200, 30, 30, 255}), image.Point{}, draw.Src)
	if err := png.Encode(&img, shot); err != nil {
		t.Fatal(err)
	}
	encoded := base64.StdEncoding.EncodeToString(img.Bytes())
	raw := "From: Mia <mia@customer.example>\r\nTo: help@acme.example\r\nSubject: Photo of the error\r\n" +
		"Message-ID: <inline-1@customer.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p>The screen shows this:</p><p><img src="cid:shot@customer.example" alt="screen"></p>` + "\r\n" +
		"--r\r\nContent-Type: image/png; name=\"screen.png\"\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-ID: <shot@customer.example>\r\nContent-Disposition: inline; filename=\"screen.png\"\r\n\r\n" + encoded + "\r\n--r--\r\n"
	rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(raw))
	if err != nil || rec.TicketID == nil {
		t.Fatalf("receive: %v %+v", err, rec)
	}
	tk, _ := ts.tickets.FindTicketByID(system, *rec.TicketID)

	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`.conversation`)))
	loaded, err := chromedp.Run(b.ctx, chromedp.Poll[int](`(() => { const i = document.querySelector('.msg .html img[src^="/attachments/"]'); return i && i.complete ? i.naturalWidth : 0 })()`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || loaded != 40 {
		html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('.msg .body').innerHTML`))
		t.Fatalf("the inline image did not load in place (width %d, %v): %s", loaded, err, html)
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.msg ul.images li, .msg ul.files li').length`)); n != 0 {
		t.Errorf("the inline image is listed again below the message (%d items)", n)
	}
}

// Without JavaScript an agent still reads a ticket and replies; at tablet
// width the workspace stacks into one column.
func TestBrowserWithoutScriptAtTabletWidth(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Camera offline", "sol@customer.example", "The garden camera went offline.")
	b.signIn(ts.URL, tend.RoleAgent)
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 800, Height: 1000, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	b.within(10*time.Second,
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)),
		chromedp.WaitVisible(css(`#composer`)),
		chromedp.SendKeys(css(`#body`), "Hi Sol, please power-cycle it once."),
		chromedp.Click(css(`#composer button[type=submit]`)),
	)
	b.waitText(`.notice`, "Your reply was added.", 5*time.Second)
	b.waitText(`.conversation`, "power-cycle it once", time.Second)
	// One column: the details sit below the conversation, not beside it.
	below, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('.ticket-side').getBoundingClientRect().top >
		document.querySelector('#composer').getBoundingClientRect().bottom`))
	if err != nil || !below {
		t.Errorf("at 800 px the ticket details are not below the conversation (%v)", err)
	}
	wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 800`))
	if wide {
		t.Error("at 800 px the ticket page scrolls sideways")
	}
	b.screenshot("ticket-tablet")
	b.within(10*time.Second, chromedp.Navigate(ts.URL+"/tickets?view=open"), chromedp.WaitVisible(css(`tr.ticket-row`)))
	if wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 800`)); wide {
		t.Error("at 800 px the ticket list scrolls sideways")
	}
	b.screenshot("list-tablet")
}
