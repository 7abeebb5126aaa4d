// Package mail reads inbound mail: MIME parsing that holds on real-world
// mail, classification of bounces and automatic replies, and splitting a
// reply from the history it quotes. It does no I/O; the SMTP listener, the
// IMAP poller and the importer feed it bytes.
package mail

import (
	"net/textproto"
	"time"
)

// Message is an inbound mail, parsed and decoded.
type Message struct {
	// MessageID, InReplyTo and References hold message ids without angle
	// brackets. MessageID is "" when the mail has none.
	MessageID  string
	InReplyTo  []string
	References []string

	Subject string // decoded (RFC 2047), whitespace tidied
	From    Address
	ReplyTo []Address
	To      []Address
	Cc      []Address
	Date    time.Time // zero when missing or unreadable

	// Text is the readable text of the mail: the text/plain body, or the
	// text of the HTML body when there is no plain one. HTML is the HTML
	// body as sent (not yet sanitised), "" when there is none. Both are
	// valid UTF-8, whatever charset the mail used.
	Text string
	HTML string

	// Attachments are the files of the mail, inline images included
	// (Inline, with their ContentID for cid: references), and forwarded
	// messages (message/rfc822) as .eml files.
	Attachments []Attachment

	// Header is the top-level header, with values decoded.
	Header textproto.MIMEHeader

	// Problems lists what was wrong with the mail and was worked around,
	// for the record; a mail with problems is still delivered.
	Problems []string

	// report holds the delivery-status part of a multipart/report, for
	// Classify.
	report *report
}

// Address is a decoded mail address: Email is lower-cased.
type Address struct {
	Name  string
	Email string
}

// Attachment is a file from a mail.
type Attachment struct {
	Name        string
	ContentType string
	ContentID   string // without angle brackets; "" when none
	Inline      bool
	Data        []byte
}

// report is what Classify needs of a delivery status notification or a
// feedback report, kept as the parts were sent.
type report struct {
	reportType string // report-type of a multipart/report, lower-cased
	status     []byte // message/delivery-status: per-message and per-recipient fields
	feedback   []byte // message/feedback-report (ARF)
	original   []byte // the returned message, or its header (text/rfc822-headers)
}
