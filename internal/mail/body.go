package mail

import (
	"regexp"
	"strings"

	"github.com/tendhq/tend/internal/sanitize"
)

// Which parts are the body and which are files follows the JMAP body
// model (RFC 8621 §4.1.4) as Stalwart's parser implements it, so that Tend
// shows what mail clients show:
//
//   - text/plain and text/html parts are body text when inline: not marked
//     as attachments, and either first in their multipart or without a file
//     name (in a multipart/related, only the first part is body);
//   - in a multipart/alternative, plain parts make Text and HTML parts
//     HTML; when there is only HTML, Text is read from it;
//   - elsewhere body parts are joined in order, an HTML one counting for
//     both Text (read as text) and HTML;
//   - everything else is an attachment, message/rfc822 included; images
//     shown inline are attachments with Inline set;
//   - an inline text part that has a file name is body and attachment both:
//     clients show it in the message and offer it as a file.

// bodyPiece is an entry of the text or HTML body: text, HTML, or a
// placeholder for an inline image, which counts but has no text.
type bodyPiece struct {
	s     string
	html  bool
	image bool
}

// bodyState is the state of one multipart while its parts are read, as in
// Stalwart's parser.
type bodyState struct {
	mediaType            string
	inAlternative        bool
	parts                int // parts read so far
	htmlParts, textParts int // lengths of the bodies when it began
	needHTML, needText   bool
}

// bodyWalker builds a Message from the entities of a mail.
type bodyWalker struct {
	m        *Message
	charset  string // of raw 8-bit header values (see headerCharset)
	textBody []bodyPiece
	htmlBody []bodyPiece
}

// walk reads the entity tree of a mail into m.
func (w *bodyWalker) walk(root *entity) {
	w.entity(root, &bodyState{mediaType: "message/rfc822", needHTML: true, needText: true}, false)
	w.m.Text = joinText(w.textBody)
	var html []string
	for _, p := range w.htmlBody {
		if p.html {
			html = append(html, p.s)
		}
	}
	w.m.HTML = cleanText(strings.Join(html, "\n"))
}

// entity reads an entity, leaf or multipart, that is a part of the
// multipart whose state is st.
func (w *bodyWalker) entity(e *entity, st *bodyState, inDigest bool) {
	st.parts++
	if !e.multipart {
		w.leaf(e, st, inDigest)
		return
	}
	if e.mediaType == "multipart/report" {
		w.report().reportType = strings.ToLower(e.params["report-type"])
	}
	alt := e.mediaType == "multipart/alternative"
	ns := &bodyState{
		mediaType:     e.mediaType,
		inAlternative: st.inAlternative || alt,
		htmlParts:     len(w.htmlBody),
		textParts:     len(w.textBody),
		needHTML:      st.needHTML,
		needText:      st.needText,
	}
	for _, c := range e.children {
		w.entity(c, ns, e.mediaType == "multipart/digest")
	}
	if e.terminated && alt && ns.needHTML && ns.needText {
		w.fillAlternative(ns)
	}
}

// fillAlternative gives an alternative with only one version the other:
// Text read from the HTML, or the plain text shown as HTML would be.
func (w *bodyWalker) fillAlternative(ns *bodyState) {
	if ns.textParts == len(w.textBody) && ns.htmlParts != len(w.htmlBody) {
		w.textBody = append(w.textBody, w.htmlBody[ns.htmlParts:]...)
	}
	if ns.htmlParts == len(w.htmlBody) && ns.textParts != len(w.textBody) {
		w.htmlBody = append(w.htmlBody, w.textBody[ns.textParts:]...)
	}
}

// partKind is how a leaf may be shown: its kind, whether it may be inline
// in the body, whether it is text.
func partKind(mt string, inDigest bool) (kind string, inline, text bool) {
	switch {
	case mt == "" && inDigest:
		return "message", false, false
	case mt == "" || mt == "text/plain":
		return "plain", true, true
	case mt == "text/html":
		return "html", true, true
	case strings.HasPrefix(mt, "text/"):
		return "text", false, true
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"):
		return "media", true, false
	case mt == "message/rfc822" || mt == "message/global":
		return "message", false, false
	}
	return "other", false, false
}

// leaf reads a part with content: into the bodies, the attachments, or
// both.
func (w *bodyWalker) leaf(e *entity, st *bodyState, inDigest bool) {
	kind, inline, isText := partKind(e.mediaType, inDigest)
	data, problems, broken := decodeTransfer(e)
	for _, p := range problems {
		w.m.addProblem(p)
	}
	if e.unterminated || broken && isText {
		// Cut short, or not in the encoding it claims: kept, but as a
		// file, not shown as the message.
		kind, inline, isText = "text", false, true
	}
	if kind == "message" {
		w.attach(e, data, false, inDigest)
		return
	}
	disp := disposition(e, w.charset)
	inline = inline && disp != "attachment" &&
		(st.parts == 1 || st.mediaType != "multipart/related" && (kind == "media" || e.params["name"] == ""))
	addHTML, addText := w.destination(kind, inline, st)
	if !isText {
		if addHTML {
			w.htmlBody = append(w.htmlBody, bodyPiece{image: true})
		}
		if addText {
			w.textBody = append(w.textBody, bodyPiece{image: true})
		}
		w.attach(e, data, inline || disp == "inline" || st.mediaType == "multipart/related", inDigest)
		return
	}
	w.text(e, data, kind == "html", addHTML, addText, disp)
}

// destination says whether a part goes to the HTML body, the text body,
// both or neither.
func (w *bodyWalker) destination(kind string, inline bool, st *bodyState) (addHTML, addText bool) {
	if st.mediaType == "multipart/alternative" {
		return kind == "html", kind == "plain"
	}
	if !inline {
		return false, false
	}
	if st.inAlternative && (st.needText || st.needHTML) {
		switch kind {
		case "html":
			st.needText = false
		case "plain":
			st.needHTML = false
		}
	}
	return st.needHTML, st.needText
}

// text reads a text part into the bodies, or the attachments.
func (w *bodyWalker) text(e *entity, data []byte, isHTML, addHTML, addText bool, disp string) {
	if !addHTML && !addText {
		w.attach(e, data, disp == "inline", false)
		return
	}
	charset := e.params["charset"]
	if isHTML {
		charset = htmlCharset(charset, data)
	}
	s, problem := decodeCharset(data, charset)
	w.m.addProblem(problem)
	s = cleanText(s)
	if !isHTML {
		s = w.uudecode(s)
	}
	piece := bodyPiece{s: s, html: isHTML}
	switch {
	case addHTML && !isHTML:
		w.htmlBody = append(w.htmlBody, piece)
	case addText && isHTML:
		w.textBody = append(w.textBody, piece)
	}
	switch {
	case addHTML && isHTML:
		w.htmlBody = append(w.htmlBody, piece)
	case addText && !isHTML:
		w.textBody = append(w.textBody, piece)
	default:
		w.attach(e, data, disp == "inline", false)
		return
	}
	if disp == "inline" && partFileName(e, w.charset) != "" {
		w.attach(e, data, true, false)
	}
}

// joinText makes Text of the text body, reading HTML pieces as text. A
// single piece is kept as it is; pieces are separated by a blank line.
func joinText(pieces []bodyPiece) string {
	var b strings.Builder
	n := 0
	for _, p := range pieces {
		if p.image {
			continue
		}
		s := p.s
		if p.html {
			s = sanitize.Text(s)
		}
		if n > 0 {
			b.WriteString("\n\n")
		}
		if len(pieces) > 1 {
			s = strings.TrimRight(s, "\n")
		}
		b.WriteString(s)
		n++
	}
	return cleanText(b.String())
}

// disposition returns the lower-cased Content-Disposition type of e. Raw
// 8-bit text in the value is read in charset first: a Shift_JIS or Big5
// file name may end in a byte the parser takes for a backslash, escaping
// the closing quote.
func disposition(e *entity, charset string) string {
	v := e.header.Get("Content-Disposition")
	if typ, _, _ := strings.Cut(v, ";"); strings.TrimSpace(typ) == "" {
		// No disposition type: the header is unreadable (RFC 2183), and
		// is ignored as Stalwart does, its file name with it.
		return ""
	}
	d, _, err := parseMediaType(rawHeaderText(v, charset))
	if err != nil {
		return ""
	}
	return d
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)`)

// htmlCharset returns the charset of an HTML part: the declared one, else
// the one its <meta> names.
func htmlCharset(declared string, content []byte) string {
	if declared != "" {
		return declared
	}
	if m := metaCharset.FindSubmatch(content[:min(len(content), 4096)]); m != nil {
		return string(m[1])
	}
	return ""
}

// report returns m's report, creating it.
func (w *bodyWalker) report() *report {
	if w.m.report == nil {
		w.m.report = &report{}
	}
	return w.m.report
}

// noteReportPart keeps the parts of a delivery or feedback report that
// Classify reads. They stay attachments as well: an agent may want them.
func (w *bodyWalker) noteReportPart(mt string, content []byte) {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status":
		if w.report().status == nil {
			w.report().status = content
		}
	case "message/feedback-report":
		if w.report().feedback == nil {
			w.report().feedback = content
		}
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		if w.report().original == nil {
			w.report().original = content
		}
	}
}
