// Package sanitize makes HTML from customers safe to show to agents, and
// reads the text out of it.
package sanitize

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("align").OnElements("p", "div", "td", "th")
	return p
}()

// HTML returns html with everything that could run script, load a frame or
// restyle the page around it removed, written again by Fragment so that it
// cannot reach outside the box it is shown in. It returns "" for HTML that
// cannot be kept within bounds (see Fragment): the message's text then
// stands alone.
func HTML(s string) string {
	if len(s) > maxHTML {
		return ""
	}
	return Fragment(policy.Sanitize(s))
}

// maxHTML bounds the HTML sanitised for one message; mail's HTML parts are
// rarely a tenth of it.
const maxHTML = 4 << 20

var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true, "hr": true,
	"ul": true, "ol": true, "section": true, "article": true, "header": true, "footer": true,
}

var skipElements = map[string]bool{"script": true, "style": true, "head": true, "title": true, "noscript": true, "template": true}

var (
	blankLines = regexp.MustCompile(`\n{3,}`)
	spaces     = regexp.MustCompile(`\s+`)
)

// Text returns the readable text of an HTML document: block elements on
// lines of their own, whitespace within lines collapsed.
func Text(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skipElements[tag] && z.Token().Type == html.StartTagToken {
				skip++
			}
			if blockElements[tag] {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skipElements[tag] && skip > 0 {
				skip--
			}
			if blockElements[tag] {
				b.WriteByte('\n')
			}
		case html.TextToken:
			if skip == 0 {
				b.WriteString(spaces.ReplaceAllString(string(z.Text()), " "))
			}
		}
	}
}

func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
