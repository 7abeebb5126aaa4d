// Package sanitize makes HTML from customers safe to show to agents, and
// reads the text out of it.
package sanitize

import (
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
// restyle the page around it removed, re-serialised by Fragment so that it
// cannot reach outside the element it is shown in.
func HTML(s string) string {
	return Fragment(policy.Sanitize(s))
}

// Fragment re-serialises sanitised HTML as a browser reads it inside a
// <div>: every element closed where it ends, end tags of elements never
// opened dropped, and id and name attributes removed. Mail is full of
// broken markup, and a browser mends it by the rules of the whole page: a
// mail's unclosed <a href> would make the rest of the ticket page a link
// to the sender's site, and its stray </div> would close the page's own
// message box. Parsed and written again, the fragment is a closed tree
// that starts and ends within its box. Mail shown inside a page must also
// not name its elements: a customer's <p id="composer"> or <img
// name="body"> would stand in for the page's own elements wherever its
// script looks them up.
//
// Fragment runs when HTML is stored and again when it is shown, which
// mends what was stored before it existed.
func Fragment(s string) string {
	if s == "" {
		return ""
	}
	box := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), box)
	if err != nil {
		// The parser fails only when reading fails, which a string cannot.
		return html.EscapeString(s)
	}
	var b strings.Builder
	for _, n := range nodes {
		tidy(n)
		if n.Type == html.ElementNode && rawTextElements[n.DataAtom] {
			continue
		}
		if err := html.Render(&b, n); err != nil {
			return html.EscapeString(s)
		}
	}
	return strings.TrimSpace(b.String())
}

// rawTextElements are written without escaping their text, so none is
// kept: sanitised HTML has none, and one that crept in could carry markup
// as text.
var rawTextElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Textarea: true, atom.Title: true, atom.Xmp: true, atom.Iframe: true,
	atom.Noembed: true, atom.Noframes: true, atom.Noscript: true, atom.Plaintext: true,
}

// tidy drops the names of n and its descendants, and any raw-text element
// among them.
func tidy(n *html.Node) {
	n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool {
		return a.Namespace == "" && (a.Key == "id" || a.Key == "name")
	})
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && rawTextElements[c.DataAtom] {
			n.RemoveChild(c)
		} else {
			tidy(c)
		}
		c = next
	}
}

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
