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
