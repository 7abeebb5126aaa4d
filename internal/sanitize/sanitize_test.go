package sanitize_test

import (
	"strings"
	"testing"

	"github.com/tendhq/tend/internal/sanitize"
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
