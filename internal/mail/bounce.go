package mail

import (
	"regexp"
	"slices"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// deliveryReport recognises a delivery status notification (RFC 3464): a
// multipart/report of report-type delivery-status, or any mail with a
// message/delivery-status part, which broken reports still carry.
func deliveryReport(m *Message) (Class, bool) {
	r := m.report
	if r == nil || (r.reportType != "delivery-status" && r.status == nil) {
		return Class{}, false
	}
	c := Class{Kind: KindBounce, Reason: "delivery status notification (multipart/report)"}
	if r.reportType != "delivery-status" {
		c.Reason = "delivery status notification (message/delivery-status)"
	}
	failed, delayed, permanent := dsnRecipients(string(r.status))
	switch {
	case len(failed) > 0:
		c.Recipients, c.Permanent = failed, permanent
	case len(delayed) > 0:
		c.Recipients = delayed
		c.Reason += ", delayed"
	case r.status != nil && hasDeliveredAction(string(r.status)):
		c.Reason += ", delivered"
	default:
		// A report without readable recipient fields: read the
		// explanation as for a failure notice.
		c.Recipients = textRecipients(m)
		c.Permanent = permanentFailure(m.Text)
	}
	c.OriginalMessageID = originalMessageID(m)
	return c, true
}

// dsnRecipients reads the per-recipient fields of a delivery-status part:
// the addresses that failed, those delayed, and whether any failure is
// permanent.
func dsnRecipients(status string) (failed, delayed []string, permanent bool) {
	for _, f := range parseBlocks(status) {
		rcpt := f.get("final-recipient")
		if rcpt == "" {
			rcpt = f.get("original-recipient")
		}
		if rcpt == "" {
			continue
		}
		code := strings.TrimSpace(f.get("status"))
		switch action := strings.ToLower(strings.TrimSpace(f.get("action"))); {
		case action == "delivered" || action == "relayed" || action == "expanded":
		case action == "delayed" || action == "" && strings.HasPrefix(code, "4"):
			delayed = appendAddress(delayed, rcpt)
		default:
			failed = appendAddress(failed, rcpt)
			permanent = permanent || !strings.HasPrefix(code, "4")
		}
	}
	return failed, delayed, permanent
}

func hasDeliveredAction(status string) bool {
	for _, f := range parseBlocks(status) {
		switch strings.ToLower(strings.TrimSpace(f.get("action"))) {
		case "delivered", "relayed", "expanded":
			return true
		}
	}
	return false
}

// fields are the "Name: value" lines of a header-like block, by lower-case
// name.
type fields map[string][]string

func (f fields) get(name string) string {
	if v := f[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseBlocks reads the blocks of fields of a delivery-status part, which
// blank lines separate: the per-message block, then one per recipient.
func parseBlocks(s string) []fields {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []fields
	for _, block := range strings.Split(s, "\n\n") {
		if f := parseFields(block); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// parseFields reads "Name: value" lines, with folded continuation lines.
func parseFields(s string) fields {
	f := fields{}
	var last string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			vs := f[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		last = strings.ToLower(strings.TrimSpace(name))
		f[last] = append(f[last], strings.TrimSpace(value))
	}
	return f
}

// appendAddress adds the address in a recipient field ("rfc822;
// <user@example.com>") to list, lower-cased, once.
func appendAddress(list []string, field string) []string {
	if _, v, ok := strings.Cut(field, ";"); ok {
		field = v
	}
	// A quoted local part ("a..b"@example.com) is still the address.
	field = strings.ReplaceAll(field, `"`, "")
	a := bareAddr.FindString(field)
	if a == "" {
		return list
	}
	a = strings.ToLower(strings.Trim(a, "<>.'\"[]"))
	if slices.Contains(list, a) {
		return list
	}
	return append(list, a)
}

// originalMessageID finds the Message-ID of the mail a report is about: in
// the returned message or its header, else in a copy quoted in the text,
// else in the report's own In-Reply-To or References.
func originalMessageID(m *Message) string {
	if m.report != nil && m.report.original != nil {
		header, _ := splitHeader(m.report.original)
		if h, err := enmime.ReadHeader(bufioReader(header), discardErrors{}); err == nil {
			if id := firstID(h.Get("Message-Id")); id != "" {
				return id
			}
		}
	}
	if match := quotedMessageID.FindStringSubmatch(m.Text[:min(len(m.Text), 65536)]); match != nil {
		return cleanID(match[1])
	}
	if len(m.InReplyTo) > 0 {
		return m.InReplyTo[0]
	}
	if len(m.References) > 0 {
		return m.References[len(m.References)-1]
	}
	return ""
}

var quotedMessageID = regexp.MustCompile(`(?im)^[ \t>]*Message-ID:[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$`)

// failureSubjects are how mailers title their failure notices, matched
// lower-cased.
var failureSubjects = []string{
	"undeliver", "not delivered", "could not be delivered", "delivery notification",
	"delivery status notification", "delivery fail", "delivery problem", "delivery error",
	"failure notice", "failed delivery", "returned mail", "returned to sender", "mail delivery",
	"nondeliver", "non-deliver", "non deliver", "delivery has failed", "mail system error",
	"delivery report", "unzustellbar", "non remis", "onbestelbaar", "não entregue",
	"no se puede entregar", "non recapitabile", "warning: could not send", "delivery delayed",
	"delayed mail", "mail failure", "permanent error", "rejected", "エラー", "不達", "配信不能", "送信失敗",
}

// subjectHead is the start of a subject, lower-cased, which is all the
// rules read: a subject of a megabyte is no notice's.
func subjectHead(m *Message) string {
	return strings.ToLower(truncateRunes(m.Subject, 200))
}

// failureBoilerplate are phrases of mail systems explaining a failure,
// which people do not write; failureWords are words a customer may use
// about a parcel as well. They are matched, lower-cased, as plain strings:
// a regular expression of them all costs more than the rest of Classify.
var (
	failureBoilerplate = []string{
		"this is the mail system at host", "created automatically by mail delivery software",
		"this is the qmail-send program", "i'm sorry to have to inform you that your message",
		"i'm afraid i wasn't able to deliver", "could not be delivered to one or more",
		"could not be delivered to the following", "delivery to the following recipient failed",
		"delivery to the following recipients failed", "delivery has failed to these recipients",
		"your message could not be delivered", "your message did not reach", "your message was not delivered",
		"your message cannot be delivered", "the following addresses had permanent fatal errors",
		"message delivery has failed", "recipient address rejected", "failed permanently",
		"the original message was received at", "transcript of session follows", "reporting-mta:",
		"final-recipient:", "diagnostic-code:",
		"送信できませんでした", "配信できませんでした", "届きませんでした", "配送できませんでした",
	}
	failureWords = []string{
		"could not be delivered", "was undeliverable", "permanent error", "delivery failed",
		"unable to deliver", "undeliverable", "user unknown", "mailbox full", "mailbox is full",
		"mailbox unavailable", "mailbox not found", "no such user", "no such recipient", "no such mailbox",
		"returned to the sender", "could not deliver", "rejected", "not delivered",
	}
)

// containsAny reports whether lower-cased text contains one of phrases.
func containsAny(text string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// informalBounce recognises failure notices that are not delivery status
// notifications (qmail, Exchange, Domino, Yahoo and other old or home-grown
// mailers): from a mail system and titled or worded as a failure, or
// titled so and in a mail system's words even from an odd sender. A
// person's reply that quotes a bounce is not one: it has a Re: subject and
// the words quoted; nor is a customer whose parcel was "not delivered".
func informalBounce(m *Message) (Class, bool) {
	daemon := fromDaemon(m)
	subject := containsAny(subjectHead(m), failureSubjects) && !isReply(m.Subject)
	if !daemon && !subject {
		// The common case, a person's mail: no need to read the text.
		return Class{}, false
	}
	text := strings.ToLower(unquoted(m.Text, 8192))
	boilerplate := containsAny(text, failureBoilerplate)
	if !(daemon && (subject || boilerplate || containsAny(text, failureWords))) && !(subject && boilerplate) {
		return Class{}, false
	}
	c := Class{Kind: KindBounce, Reason: "delivery failure notice"}
	switch {
	case daemon && subject:
		c.Reason += " (sender and subject)"
	case daemon:
		c.Reason += " (sender and text)"
	default:
		c.Reason += " (subject and text)"
	}
	c.Recipients = textRecipients(m)
	c.Permanent = permanentFailure(m.Text)
	c.OriginalMessageID = originalMessageID(m)
	return c, true
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|antw|réf|ref|fw|fwd|tr|wg|rv)\s*(\[\d+\])?\s*:`)

func isReply(subject string) bool {
	return replyPrefix.MatchString(subject)
}

// unquoted returns the first n bytes of text without the lines quoted
// with ">".
func unquoted(text string, n int) string {
	text = text[:min(len(text), n)]
	if !strings.Contains(text, "\n>") && !strings.HasPrefix(text, ">") {
		return text
	}
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// returnedCopy marks where a failure notice starts quoting the returned
// message; addresses after it are the original's, not failed recipients.
var returnedCopy = regexp.MustCompile(`(?im)^[ \t>-]*(` + strings.Join([]string{
	`this is a copy of (the|your) message`, `below this line is a copy of the message`,
	`original message ?-`, `original message follows`, `original message headers`,
	`message headers follow`, `returned message ?-`, `returned message follows`,
	`the text you sent follows`, `the following is a copy of`, `original mail as follows`,
	`received:`, `return-path:`, `message-id:`, `dkim-signature:`,
}, "|") + `)`)

// textAddress matches an address in prose: after a space, bracket, quote
// or colon, so that "smtp.mailfrom=a@b" or "/home/a@b" do not count.
var textAddress = regexp.MustCompile(`(?:^|[\s<(\[\x22':;,])([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)`)

// notRecipient matches what precedes an address in a failure notice that
// is not a failed recipient: the sender, an alias it was expanded from, a
// contact.
var notRecipient = regexp.MustCompile(`(?i)(generated from|from:?|sent by|contact|sender|return-path:?)\s*<?$`)

// textRecipients reads the failed addresses of a failure notice: from its
// X-Failed-Recipients header, else the Final-Recipient fields its
// explanation quotes, else the addresses the explanation names, but for those of the notice's own sender and recipients, of mail
// systems, and those it names as sender or contact.
func textRecipients(m *Message) []string {
	text := m.Text[:min(len(m.Text), 16384)]
	if loc := returnedCopy.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	// Exim and Gmail name the failed addresses in a header.
	var failed []string
	for _, v := range m.Header.Values("X-Failed-Recipients") {
		for _, a := range strings.Split(v, ",") {
			failed = appendAddress(failed, a)
		}
	}
	if len(failed) > 0 {
		return failed
	}
	if failed, delayed, _ := dsnRecipients(text); len(failed) > 0 {
		return failed
	} else if len(delayed) > 0 {
		return delayed
	}
	skip := map[string]bool{m.From.Email: true}
	for _, a := range slices.Concat(m.To, m.Cc, m.ReplyTo) {
		skip[a.Email] = true
	}
	var out []string
	for _, loc := range textAddress.FindAllStringSubmatchIndex(text, -1) {
		a := strings.ToLower(strings.TrimRight(text[loc[2]:loc[3]], "."))
		local, _, _ := strings.Cut(a, "@")
		if skip[a] || daemonLocalParts[local] || notRecipient.MatchString(text[max(0, loc[2]-40):loc[2]]) {
			continue
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

var (
	permanentCode = regexp.MustCompile(`\b5\.\d{1,3}\.\d{1,3}\b|\b5[0-5]\d[ -]`)
	temporaryText = regexp.MustCompile(`(?i)\b4\.\d{1,3}\.\d{1,3}\b|temporar|delayed|will (retry|try again|continue)|still (trying|retrying)|not yet been delivered`)
)

// permanentFailure reads whether a failure notice reports a permanent
// failure: a 5xx code says so; words of delay or a 4.x.x code say not;
// without either, a failure notice is final.
func permanentFailure(text string) bool {
	text = text[:min(len(text), 16384)]
	if permanentCode.MatchString(text) {
		return true
	}
	return !temporaryText.MatchString(text)
}
