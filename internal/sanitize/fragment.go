package sanitize

import (
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Box is the element the page shows a message's HTML in. It must be the
// element Fragment parses in, and one of those the HTML parser stops at
// when a <li>, <dd> or <dt> looks for an open one to close: a <div> lets
// it walk on and close the page's own list item, the message itself.
const Box = "section"

// Bounds on mending one message's HTML. A mail can be made so that the
// parser builds a tree far larger than itself (formatting elements left
// open are copied into every later block, and which ones stay open only
// the parser knows), so mending gives up past a size and a time, and the
// message shows its text. Ordinary mail takes well under a millisecond.
const (
	maxFragmentInput = 1 << 20 // sanitised HTML to mend
	maxFragment      = 1 << 20 // HTML kept once mended
)

// mendingTime bounds the time of mending one message's HTML. It is wall
// time, so a loaded machine can exceed it on small HTML too; tests of
// what mending builds lengthen it.
var mendingTime = 100 * time.Millisecond

// errTooCostly stops a parse or a render past the bounds.
var errTooCostly = errors.New("sanitize: too costly to mend")

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
// that point within bounds (too large before or after, too deep for the
// parser, too slow, no fixed point); the text stands alone then.
//
// Fragment runs when HTML is stored and again when it is shown, which
// mends what was stored before it existed; HTML it wrote parses back to
// itself, in time linear in its size.
func Fragment(s string) string {
	if s == "" || len(s) > maxFragmentInput {
		return ""
	}
	deadline := time.Now().Add(mendingTime)
	for range 4 {
		next, ok := rewrite(s, deadline)
		if !ok {
			return ""
		}
		if next == s {
			return s
		}
		s = next
	}
	return ""
}

// rewrite parses s inside the Box and writes the tree again, giving up at
// deadline or past maxFragment.
func rewrite(s string, deadline time.Time) (string, bool) {
	box := &html.Node{Type: html.ElementNode, Data: Box, DataAtom: atom.Lookup([]byte(Box))}
	nodes, err := html.ParseFragment(&slowReader{s: s, deadline: deadline}, box)
	if err != nil {
		// Out of time, or more than 512 elements deep, which the parser
		// refuses.
		return "", false
	}
	out := &boundedWriter{deadline: deadline}
	for _, n := range nodes {
		tidy(n)
		if n.Type == html.ElementNode && rawTextElements[n.DataAtom] {
			continue
		}
		if err := html.Render(out, n); err != nil {
			return "", false
		}
	}
	return strings.TrimSpace(out.b.String()), true
}

// slowReader hands the parser its input a little at a time and stops it
// at deadline. The parser builds the tree as it reads, so between two reads
// it does a bounded part of the work.
type slowReader struct {
	s        string
	off      int
	deadline time.Time
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.off >= len(r.s) {
		return 0, io.EOF
	}
	if time.Now().After(r.deadline) {
		return 0, errTooCostly
	}
	n := copy(p[:min(len(p), 512)], r.s[r.off:])
	r.off += n
	return n, nil
}

// boundedWriter collects the rendered HTML up to maxFragment bytes and
// deadline.
type boundedWriter struct {
	b        strings.Builder
	deadline time.Time
	writes   int
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > maxFragment {
		return 0, errTooCostly
	}
	if w.writes++; w.writes%1024 == 0 && time.Now().After(w.deadline) {
		return 0, errTooCostly
	}
	return w.b.Write(p)
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
