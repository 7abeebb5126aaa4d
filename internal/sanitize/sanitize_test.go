package sanitize_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend/internal/sanitize"
	"golang.org/x/net/html"
)

func TestHTMLRemovesActiveContent(t *testing.T) {
	for _, in := range []string{
		`<p>Hi</p><script>alert(1)</script>`,
		`<img src=x onerror="alert(1)">`,
		`<a href="javascript:alert(1)">click</a>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<svg onload=alert(1)>`,
		`<p style="background:url(javascript:alert(1))">x</p>`,
		`<form action="https://evil.example"><input name=p></form>`,
		`<object data="x.swf"></object><embed src="x.swf">`,
		`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	} {
		out := strings.ToLower(sanitize.HTML(in))
		for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe", "onload", "style=", "<form", "<object", "<embed", "<meta"} {
			if strings.Contains(out, bad) {
				t.Errorf("HTML(%q) = %q keeps %q", in, out, bad)
			}
		}
	}
}

func TestHTMLKeepsFormatting(t *testing.T) {
	in := `<p>Order <b>#4411</b> <a href="https://shop.example/o/4411">here</a></p><ul><li>one</li></ul><img src="cid:logo@x">`
	out := sanitize.HTML(in)
	for _, want := range []string{"<b>#4411</b>", `href="https://shop.example/o/4411"`, "<li>one</li>", `src="cid:logo@x"`, "noreferrer"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML dropped %q: %q", want, out)
		}
	}
}

func TestText(t *testing.T) {
	in := "<html><head><title>t</title><style>p{}</style></head><body><p>Hello   there,</p><div>my card <b>never</b> arrived.</div><script>x()</script><ul><li>a</li><li>b</li></ul></body></html>"
	want := "Hello there,\n\nmy card never arrived.\n\na\n\nb"
	if got := sanitize.Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

// Mail must not name its elements: the page's script finds its own by id.
func TestHTMLDropsNames(t *testing.T) {
	out := sanitize.HTML(`<p id="composer" class="x">Hi</p><a name="body" href="https://a.example/">a</a><img id="q" src="cid:1"> id="kept as text"`)
	for _, bad := range []string{`id="composer"`, `name="body"`, `id="q"`} {
		if strings.Contains(out, bad) {
			t.Errorf("sanitised HTML keeps %s: %s", bad, out)
		}
	}
	if !strings.Contains(out, "Hi") || !strings.Contains(out, `src="cid:1"`) || !strings.Contains(out, "kept as text") {
		t.Errorf("sanitising lost content: %s", out)
	}
}

// Broken markup stays inside the box it is shown in: every element is
// closed, and end tags of elements the mail never opened are dropped.
func TestHTMLClosesEveryElement(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"unclosed link", `<p>See <a href="https://evil.example/">our site`,
			`<p>See <a href="https://evil.example/" rel="nofollow noreferrer noopener" target="_blank">our site</a></p>`},
		{"stray end tags", `<p>Hi</p></div></div></td></body></html><p>after</p>`, `<p>Hi</p><p>after</p>`},
		{"unclosed list and bold", `<ul><li><b>one<li>two`, `<ul><li><b>one</b></li><li><b>two</b></li></ul>`},
		{"unclosed table", `<table><tr><td>cell`, `<table><tbody><tr><td>cell</td></tr></tbody></table>`},
		{"unclosed blockquote", `<blockquote>quoted <i>text`, `<blockquote>quoted <i>text</i></blockquote>`},
		{"text only", `plain & simple`, `plain &amp; simple`},
		{"empty", ``, ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := sanitize.HTML(c.in); got != c.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// What was stored before sanitising closed every element is mended when
// it is shown, and shows the same when mended twice.
func TestFragmentMendsStoredHTML(t *testing.T) {
	stored := `<p id="body">Hello <a href="https://evil.example/" rel="nofollow noreferrer">click</div><span>rest`
	got := sanitize.Fragment(stored)
	want := `<p>Hello <a href="https://evil.example/" rel="nofollow noreferrer">click<span>rest</span></a></p>`
	if got != want {
		t.Fatalf("Fragment\n got %q\nwant %q", got, want)
	}
	if again := sanitize.Fragment(got); again != got {
		t.Errorf("Fragment is not stable:\n%q\n%q", got, again)
	}
}

// Raw-text elements would be written without escaping; none survives.
func TestFragmentDropsRawText(t *testing.T) {
	got := sanitize.Fragment(`<p>a</p><textarea>&lt;img src=x onerror=alert(1)&gt;</textarea><title>t</title><style>p{}</style><p>b</p>`)
	if got != `<p>a</p><p>b</p>` {
		t.Errorf("Fragment kept raw text: %q", got)
	}
}

// soup returns HTML made of pieces that mail has and pieces that attack
// the page around it, in an order chosen by r.
func soup(r *rand.Rand) string {
	pieces := []string{`<a href="https://evil.example/">`, `</a>`, `<li>`, `</li>`, `<dd>`, `<dt>`, `</dl>`, `<dl>`,
		`<table>`, `</table>`, `<tr>`, `<td>`, `</td>`, `<th>`, `<caption>`, `<tbody>`, `<col>`, `<div>`, `</div>`, `<p>`,
		`</p>`, `<b>`, `</b>`, `<i>`, `<font color="red">`, `</font>`, `<ul>`, `</ul>`, `<ol>`, `</ol>`, `<blockquote>`,
		`</blockquote>`, `<section>`, `</section>`, `<h1>`, `</h1>`, `<pre>`, `<br>`, `<hr>`, `<img src="cid:x">`,
		`</body>`, `</html>`, `<body>`, `</main>`, `</details>`, `<summary>`, `<select>`, `<option>`, `</select>`,
		`<button>`, `<form>`, `<svg>`, `<math>`, `<template>`, `<noscript>`, `<textarea>`, `<!-- x -->`, `<![CDATA[x]]>`,
		`text `, `more text `, `&amp; `, `<table><tr><td>`, `</div></div></li></ol>`}
	var b strings.Builder
	for range 1 + r.IntN(30) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// ticketPage is a ticket page's conversation with fragment in two
// message boxes, one as a message's body and one in its folded history.
func ticketPage(fragment string) string {
	box := func(f string) string { return `<` + sanitize.Box + ` class="html">` + f + `</` + sanitize.Box + `>` }
	return `<!DOCTYPE html><html><body><main><ol class="conversation"><li class="msg" id="m1"><div class="body">` +
		box(fragment) + `</div><details class="quoted"><summary>Quoted history</summary>` + box(fragment) +
		`</details><ul class="files" id="files"><li>a.pdf</li></ul></li><li class="msg" id="m2">next</li></ol>` +
		`<form id="composer"><textarea></textarea></form></main><aside id="side"></aside></body></html>`
}

// inThePage parses the ticket page with the fragment in its boxes, as the
// browser will, and returns what ends up in each box and the page with
// the boxes emptied.
func inThePage(t *testing.T, fragment string) (inBoxes []string, around string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(ticketPage(fragment)))
	if err != nil {
		t.Fatal(err)
	}
	var boxes []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "class" && a.Val == "html" && n.Data == sanitize.Box {
				boxes = append(boxes, n)
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, box := range boxes {
		var b strings.Builder
		for c := box.FirstChild; c != nil; c = c.NextSibling {
			html.Render(&b, c)
		}
		inBoxes = append(inBoxes, b.String())
		for box.FirstChild != nil {
			box.RemoveChild(box.FirstChild)
		}
	}
	var b strings.Builder
	html.Render(&b, doc)
	return inBoxes, b.String()
}

// Whatever the mail, what Tend keeps of its HTML is what the browser will
// build inside the message box, all of it, and nothing around the box
// moves: the message's own list item, its attachments, the next message
// and the composer stay where the page put them.
func TestFragmentStaysInItsBox(t *testing.T) {
	sanitize.SetMendingTime(t, time.Minute)
	r := rand.New(rand.NewPCG(1, 2))
	cases := []string{
		`<p>Thanks!</p><li><b>Ana, Reply:</b> spoofed entry one</li>`,
		`<dt><table><div><div><div><dd>x</table><p>spoofed</p>`,
		`<dd>a<dt>b`,
		unclosedLink,
		strings.Repeat(`<b title="t"><table></b></table>`, 70) + `<p>x</p>`,
	}
	for range 20_000 {
		cases = append(cases, soup(r))
	}
	_, empty := inThePage(t, "")
	for _, in := range cases {
		kept := sanitize.HTML(in)
		if again := sanitize.Fragment(kept); again != kept {
			t.Fatalf("HTML(%q) = %q is not stable: Fragment gives %q", in, kept, again)
		}
		inBoxes, around := inThePage(t, kept)
		if len(inBoxes) != 2 || inBoxes[0] != kept || inBoxes[1] != kept || around != empty {
			t.Fatalf("HTML(%q) = %q does not stay in its boxes: they hold %q, and around them the page reads\n%s\nnot\n%s",
				in, kept, inBoxes, around, empty)
		}
	}
}

const unclosedLink = `<p>See <a href="https://evil.example/">our site`

// HTML that would cost too much to mend is not kept: the message shows
// its text. Each of these makes the parser copy formatting elements into
// thousands of blocks, a tree of hundreds of megabytes from tens of
// kilobytes.
func TestFragmentBounds(t *testing.T) {
	blocks := func(n int) string { return strings.Repeat("<p>x</p>", n) }
	repeat := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i))
		}
		return b.String()
	}
	for name, in := range map[string]string{
		"formatting left open": "<div>" + repeat(500, func(i int) string { return fmt.Sprintf(`<b title="%d">`, i) }) + "</div>" +
			blocks(3000),
		"end tags the parser ignores in a table": repeat(400, func(i int) string {
			return fmt.Sprintf(`<div><b title="%d"><table></b></table></div>`, i)
		}) + blocks(5000),
		"end tags past the parser's eight rounds": repeat(400, func(i int) string {
			return fmt.Sprintf(`<div><b title="%d">`, i) + strings.Repeat("<div>", 10) + "</b>" + strings.Repeat("</div>", 11)
		}) + blocks(5000),
		"a few left open before very many blocks": "<div>" + repeat(64, func(i int) string { return fmt.Sprintf(`<b title="%d">`, i) }) +
			"</div>" + blocks(40000),
		"nested deeper than the parser takes": strings.Repeat("<div>", 600) + "deep",
		"too large":                           strings.Repeat("<p>a paragraph of text</p>", 200_000),
	} {
		t.Run(name, func(t *testing.T) {
			if got := sanitize.HTML(in); got != "" {
				t.Errorf("%d bytes of HTML kept %d", len(in), len(got))
			}
		})
	}
	// Formatting left open by an ordinary mail client is kept.
	ordinary := strings.Repeat(`<font face="Arial"><b>`, 5) + blocks(200)
	if got := sanitize.HTML(ordinary); !strings.Contains(got, "x") || sanitize.Fragment(got) != got {
		t.Errorf("ordinary unclosed formatting was not kept as it is: %.200q", got)
	}
}
