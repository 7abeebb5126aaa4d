package outbound

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// Write decides what outbound mail o says, from what it is about: the
// subject, the text (the reply, or the acknowledgement), who it is from,
// and the headers that thread it with the customer's mail.
func Write(o *tend.OutboundMail) {
	o.InReplyTo, o.References = threadHeaders(o.Thread)
	if o.Reply == nil {
		// An acknowledgement to a sender who may be forged comes without
		// the subject (TicketSubject ""): it would carry a stranger's words.
		o.AutoSubmitted = true
		o.Subject = fmt.Sprintf("[#%d] %s", o.TicketNumber, o.TicketSubject)
		if o.TicketSubject == "" {
			o.Subject = fmt.Sprintf("[#%d] Your request", o.TicketNumber)
		}
		o.Text, o.HTML, o.Attachments = acknowledgementText(o.FromName, o.TicketNumber, o.TicketSubject, answerByText(o.AnswerBy, o.AnswerZone)), "", nil
		if o.Acknowledgement != "" {
			// The mailbox's own; a subject withheld stays withheld.
			v := o.Values
			v.TicketSubject = o.TicketSubject
			o.Text = tend.RenderPlaceholders(o.Acknowledgement, v) + "\n"
		}
		return
	}
	o.Subject = fmt.Sprintf("Re: %s [#%d]", o.TicketSubject, o.TicketNumber)
	if len(o.Thread) == 0 {
		// The ticket's first mail (one opened by mail to the customer):
		// there is nothing to answer.
		o.Subject = fmt.Sprintf("%s [#%d]", o.TicketSubject, o.TicketNumber)
	}
	o.Text, o.HTML, o.Attachments = o.Reply.Body, o.Reply.BodyHTML, o.Reply.Attachments
	if o.Signature != "" {
		// Below the usual "-- " line, which mail programs know to leave
		// out of a quote.
		sig := tend.RenderPlaceholders(o.Signature, o.Values)
		o.Text += "\n\n-- \n" + sig
		if o.HTML != "" {
			o.HTML += "<p>-- <br>" + strings.ReplaceAll(html.EscapeString(sig), "\n", "<br>") + "</p>"
		}
	}
	if o.Reply.AuthorType == tend.AuthorAgent && o.Reply.AuthorName != "" {
		o.FromName = o.Reply.AuthorName
	}
}

// threadHeaders answers the customer's latest mail (In-Reply-To) and
// lists the ticket's recent mail oldest first (References), so that the
// customer's mail program shows one conversation. thread is newest first.
func threadHeaders(thread []tend.ThreadID) (inReplyTo string, references []string) {
	for _, id := range thread {
		if id.Inbound {
			inReplyTo = id.MessageID
			break
		}
	}
	for _, id := range slices.Backward(thread) {
		references = append(references, id.MessageID)
	}
	return inReplyTo, references
}

func acknowledgementText(team string, number int64, subject, answerBy string) string {
	if team == "" {
		team = "our team"
	}
	request := "your request"
	if subject != "" {
		request = "your request “" + subject + "”"
	}
	return fmt.Sprintf("Hello,\n\nThank you for writing to us. We have %s as ticket #%d, and %s "+
		"will answer you by email.%s\n\nTo add to your request, reply to this message and keep [#%d] in the subject.\n\n"+
		"This message was sent automatically; there is no need to answer it.\n", request, number, team, answerBy, number)
}

// answerByText is the acknowledgement's promise: " We will answer by
// Tuesday 1 December 2026, 10:00 (Europe/Paris time)." in zone loc; "" with no
// promise to make.
func answerByText(due *time.Time, loc *time.Location) string {
	if due == nil {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	zone := loc.String()
	if zone == "Local" {
		zone = "UTC"
		loc = time.UTC
	}
	return fmt.Sprintf(" We will answer by %s (%s time).", due.In(loc).Format("Monday 2 January 2006, 15:04"), zone)
}
