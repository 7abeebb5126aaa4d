// Package outbound writes and sends the mail Tend sends: replies to
// customers and acknowledgements, as River jobs that retry until the mail
// is handed over, to an SMTP relay or to the local outbox folder.
package outbound

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/tendhq/tend"
)

// Compose writes an outbound mail as MIME: text and HTML alternatives,
// attachments, and the headers that thread it (Message-ID, In-Reply-To,
// References, a Reply-To carrying the ticket's token) and mark automatic
// mail (Auto-Submitted). The same mail always gives the same bytes, so a
// retry sends what the first attempt would have.
func Compose(o *tend.OutboundMail, content func(sha256 string) (io.ReadCloser, error)) ([]byte, error) {
	b := enmime.Builder().
		RandSeed(o.ID).
		Date(o.Date).
		From(o.FromName, o.FromAddress).
		To(o.To.Name, o.To.Email).
		Subject(o.Subject).
		Header("Message-ID", "<"+o.MailMessageID+">")
	for _, cc := range o.Cc {
		b = b.CC(cc.Name, cc.Email)
	}
	if o.ReplyTo != "" {
		b = b.ReplyTo(o.FromName, o.ReplyTo)
	}
	if o.InReplyTo != "" {
		b = b.Header("In-Reply-To", "<"+o.InReplyTo+">")
	}
	if len(o.References) > 0 {
		b = b.Header("References", "<"+strings.Join(o.References, "> <")+">")
	}
	if o.AutoSubmitted {
		// RFC 3834: other systems must not answer this automatically. A
		// notification or an invitation answers nobody's mail: it is
		// generated.
		how := "auto-replied"
		if o.Kind == "notification" || o.Kind == "invitation" {
			how = "auto-generated"
		}
		b = b.Header("Auto-Submitted", how).Header("X-Auto-Response-Suppress", "All")
	}
	text, htmlBody := o.Text, o.HTML
	if htmlBody == "" {
		htmlBody = textToHTML(text)
	}
	if o.Quote != nil {
		text += "\n\n" + quoteText(o.Quote)
		htmlBody += quoteHTML(o.Quote)
	}
	b = b.Text([]byte(text)).HTML([]byte(htmlBody))
	for _, a := range o.Attachments {
		data, err := read(content, a.SHA256)
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.Name, err)
		}
		b = b.AddAttachment(data, a.ContentType, a.Name)
	}
	root, err := b.Build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := root.Encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func read(content func(string) (io.ReadCloser, error), sum string) ([]byte, error) {
	r, err := content(sum)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// textToHTML turns a plain-text reply into simple HTML: paragraphs at blank
// lines, line breaks within them, everything escaped.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<div>")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(linkedHTML(para), "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	b.WriteString("</div>")
	return b.String()
}

// webAddress finds http and https addresses in text; they end at a space
// or a quote, and not with the punctuation that closes a sentence.
var webAddress = regexp.MustCompile(`https?://[^\s<>"']*[^\s<>"'.,;:!?)\]]`)

// linkedHTML escapes text and makes its web addresses links, as mail
// programs show plain text.
func linkedHTML(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range webAddress.FindAllStringIndex(text, -1) {
		b.WriteString(html.EscapeString(text[last:m[0]]))
		addr := html.EscapeString(text[m[0]:m[1]])
		b.WriteString(`<a href="` + addr + `">` + addr + `</a>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
	return b.String()
}

// quoteText quotes the customer's message below a reply, as mail programs
// do, so that the customer sees what is answered.
func quoteText(m *tend.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "On %s, %s wrote:\n", m.CreatedAt.Format("Mon, 2 Jan 2006 at 15:04 MST"), m.AuthorName)
	for _, line := range strings.Split(strings.TrimRight(m.Body, "\n"), "\n") {
		b.WriteString("> " + line + "\n")
	}
	return b.String()
}

func quoteHTML(m *tend.Message) string {
	return fmt.Sprintf(`<div class="tend-quote"><p>On %s, %s wrote:</p><blockquote type="cite">%s</blockquote></div>`,
		html.EscapeString(m.CreatedAt.Format("Mon, 2 Jan 2006 at 15:04 MST")), html.EscapeString(m.AuthorName),
		strings.ReplaceAll(html.EscapeString(strings.TrimRight(m.Body, "\n")), "\n", "<br>\n"))
}

// envelope returns the SMTP envelope of a mail: its return path as
// sender, so that bounces come back to the mailbox and say which mail they
// are about, and every recipient.
func envelope(o *tend.OutboundMail) (string, []string) {
	rcpts := []string{o.To.Email}
	for _, cc := range o.Cc {
		rcpts = append(rcpts, cc.Email)
	}
	if o.ReturnPath == "" {
		return o.FromAddress, rcpts
	}
	return o.ReturnPath, rcpts
}
