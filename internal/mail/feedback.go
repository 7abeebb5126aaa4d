package mail

import (
	"encoding/json"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// feedbackReport recognises an abuse report (ARF, RFC 5965): a recipient
// marked mail as spam. Tend treats it as a bounce of that mail, not
// permanent: it is about mail Tend sent and names who complained, and the
// ticket is where an agent should see it.
func feedbackReport(m *Message) (Class, bool) {
	r := m.report
	if r == nil || (r.reportType != "feedback-report" && r.feedback == nil) {
		return Class{}, false
	}
	c := Class{Kind: KindBounce, Reason: "abuse report (feedback-report)"}
	fields := parseFields(string(r.feedback))
	if t := fields.get("feedback-type"); t != "" {
		c.Reason = "abuse report (feedback-type " + strings.ToLower(t) + ")"
	}
	for _, v := range fields["original-rcpt-to"] {
		c.Recipients = appendAddress(c.Recipients, v)
	}
	c.OriginalMessageID = originalMessageID(m)
	return c, true
}

// hotmailComplaint recognises Outlook.com's complaint reports (JMRP),
// which predate ARF: the complained-about mail is attached, its recipient
// named in an X-HmXmrOriginalRecipient header.
func hotmailComplaint(m *Message) (Class, bool) {
	if m.report == nil || m.report.original == nil {
		return Class{}, false
	}
	// A person forwarding such a report is not sending one.
	_, domain, _ := strings.Cut(m.From.Email, "@")
	if domain != "hotmail.com" && domain != "outlook.com" && !strings.Contains(subjectHead(m), "complaint") {
		return Class{}, false
	}
	header, _ := splitHeader(m.report.original)
	h, err := enmime.ReadHeader(bufioReader(header), discardErrors{})
	if err != nil || h.Get("X-Hmxmroriginalrecipient") == "" {
		return Class{}, false
	}
	return Class{
		Kind:              KindBounce,
		Reason:            "abuse report (Outlook.com complaint)",
		Recipients:        appendAddress(nil, h.Get("X-Hmxmroriginalrecipient")),
		OriginalMessageID: firstID(h.Get("Message-Id")),
	}, true
}

// sesNotice is the part of an Amazon SES notification that Classify reads.
type sesNotice struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string         `json:"bounceType"`
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []sesRecipient `json:"complainedRecipients"`
		FeedbackType         string         `json:"complaintFeedbackType"`
	} `json:"complaint"`
	Mail struct {
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
}

type sesRecipient struct {
	EmailAddress string `json:"emailAddress"`
}

// sesNotification recognises the bounce, complaint and delivery
// notifications Amazon SES mails as JSON, bare or wrapped in an SNS
// notification.
func sesNotification(m *Message) (Class, bool) {
	n, ok := readSESNotice(m.Text)
	if !ok {
		return Class{}, false
	}
	c := Class{Kind: KindBounce, OriginalMessageID: n.messageID()}
	switch n.NotificationType {
	case "Bounce":
		c.Reason = "Amazon SES bounce notification"
		c.Permanent = n.Bounce.BounceType == "Permanent"
		for _, r := range n.Bounce.BouncedRecipients {
			c.Recipients = appendAddress(c.Recipients, r.EmailAddress)
		}
	case "Complaint":
		c.Reason = "Amazon SES complaint notification"
		for _, r := range n.Complaint.ComplainedRecipients {
			c.Recipients = appendAddress(c.Recipients, r.EmailAddress)
		}
	default:
		c.Reason = "Amazon SES delivery notification"
	}
	return c, true
}

// readSESNotice decodes the SES notification that text starts with.
func readSESNotice(text string) (sesNotice, bool) {
	var n sesNotice
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") || !strings.Contains(text[:min(len(text), 2048)], "otificationType") &&
		!strings.Contains(text[:min(len(text), 512)], `"Notification"`) {
		return n, false
	}
	// Mailers fold the long JSON line; a line break is never JSON inside a
	// string and never needed between tokens.
	text = strings.ReplaceAll(text, "\n", "")
	var envelope struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&envelope); err == nil && envelope.Type == "Notification" {
		text = envelope.Message
	}
	if err := json.NewDecoder(strings.NewReader(text)).Decode(&n); err != nil {
		return n, false
	}
	switch n.NotificationType {
	case "Bounce", "Complaint", "Delivery":
		return n, true
	}
	return n, false
}

// messageID returns the Message-ID of the mail the notification is about.
func (n sesNotice) messageID() string {
	for _, h := range n.Mail.Headers {
		if strings.EqualFold(h.Name, "Message-ID") {
			return firstID(h.Value)
		}
	}
	return firstID(n.Mail.CommonHeaders.MessageID)
}
