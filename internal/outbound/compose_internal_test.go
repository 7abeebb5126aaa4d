package outbound

import "testing"

func TestLinkedHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no address here", "no address here"},
		{"Open https://help.example/invite?token=a&b=1 to join.", `Open <a href="https://help.example/invite?token=a&amp;b=1">https://help.example/invite?token=a&amp;b=1</a> to join.`},
		{"See (https://x.example/a).", `See (<a href="https://x.example/a">https://x.example/a</a>).`},
		{"'https://x.example/q' and <b>", `&#39;<a href="https://x.example/q">https://x.example/q</a>&#39; and &lt;b&gt;`},
		{`"https://x.example/"onmouseover=alert(1)`, `&#34;<a href="https://x.example/">https://x.example/</a>&#34;onmouseover=alert(1)`},
		{"ftp://x.example/ and http:// alone", "ftp://x.example/ and http:// alone"},
	}
	for _, tt := range tests {
		if got := linkedHTML(tt.in); got != tt.want {
			t.Errorf("linkedHTML(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
