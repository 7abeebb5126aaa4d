package sanitize

import (
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Box is the element the page shows a message's HTML in. It must be the
// element Fragment parses in, and one of those the HTML parser stops at
// when a <li>, <dd> or <dt> looks for an open one to close: a <div> lets
// it walk on and close the page's own list item, the message itself.
const Box = "section"

// maxFragment bounds the HTML kept of one message once written again: a
// few unclosed formatting elements before thousands of blocks make the
// parser copy them into every block.
const maxFragment = 2 << 20

// maxFormatting bounds the formatting elements left open at once. Each is
// copied into every block that follows, as the parser reconstructs them;
// mail never needs many, and a mail made to have hundreds would cost
// seconds to parse on every showing.
const maxFormatting = 64

// Fragment writes sanitised HTML again as the page's parser will read it
// inside the Box: every element closed where it ends, end tags of elements
// never opened dropped, and id and name attributes removed. Mail is full
// of broken markup, and a browser mends it by the rules of the whole page:
// a mail's unclosed <a href> would make the rest of the ticket page a link
// to the sender's site, its stray </div> would close the page's own boxes,
// and its <li> would close the message and start one of its own. Mail
// shown inside a page must also not name its elements: a customer's
// <p id="composer"> or <img name="body"> would stand in for the page's
// own elements wherever its script looks them up.
//
// Parsing and writing once does not always give HTML that parses back to
// the same tree (tables move misplaced content before themselves), so
// Fragment repeats until it does: what it returns is what the browser will
// build, closed, inside the Box. It returns "" for HTML it cannot bring to
// that point within bounds (too deep, too many open formatting elements,
// too large once mended, no fixed point); the text stands alone then.
//
// Fragment runs when HTML is stored and again when it is shown, which
// mends what was stored before it existed; HTML it wrote parses once.
func Fragment(s string) string {
	if s == "" || tooManyFormatting(s) {
		return ""
	}
	for range 4 {
		next, ok := rewrite(s)
		if !ok || len(next) > maxFragment {
			return ""
		}
		if next == s {
			return s
		}
		s = next
	}
	return ""
}

// rewrite parses s inside the Box and writes the tree again.
func rewrite(s string) (string, bool) {
	box := &html.Node{Type: html.ElementNode, Data: Box, DataAtom: atom.Lookup([]byte(Box))}
	nodes, err := html.ParseFragment(strings.NewReader(s), box)
	if err != nil {
		// The parser refuses trees more than 512 elements deep.
		return "", false
	}
	var b strings.Builder
	for _, n := range nodes {
		tidy(n)
		if n.Type == html.ElementNode && rawTextElements[n.DataAtom] {
			continue
		}
		if err := html.Render(&b, n); err != nil {
			return "", false
		}
	}
	return strings.TrimSpace(b.String()), true
}

// formattingElements are those the parser reopens in each block after
// them while they are left open.
var formattingElements = map[atom.Atom]bool{
	atom.A: true, atom.B: true, atom.Big: true, atom.Code: true, atom.Em: true, atom.Font: true, atom.I: true,
	atom.Nobr: true, atom.S: true, atom.Small: true, atom.Strike: true, atom.Strong: true, atom.Tt: true, atom.U: true,
}

// tooManyFormatting reports whether s leaves more than maxFormatting
// formatting elements open at once, counting, as the parser does, at most
// three alike (same name and attributes).
func tooManyFormatting(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken:
			t := z.Token()
			if !formattingElements[t.DataAtom] {
				continue
			}
			key := t.String()
			alike := 0
			for _, k := range open {
				if k == key {
					alike++
				}
			}
			if alike < 3 {
				open = append(open, key)
			}
			if len(open) > maxFormatting {
				return true
			}
		case html.EndTagToken:
			t := z.Token()
			if !formattingElements[t.DataAtom] {
				continue
			}
			for i := len(open) - 1; i >= 0; i-- {
				if strings.HasPrefix(open[i], "<"+t.Data+">") || strings.HasPrefix(open[i], "<"+t.Data+" ") {
					open = slices.Delete(open, i, i+1)
					break
				}
			}
		}
	}
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
