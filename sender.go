package tend

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// UsableAddress returns s as an address Tend can write to, mended of what
// mailers get wrong while the address is still plain: spaces and angle
// brackets around it, a dot after the domain. It returns "" for anything
// else: spaces inside, a domain without a dot, no address at all.
func UsableAddress(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"))
	s = NormalizeEmail(strings.TrimRight(s, "."))
	if !ValidEmail(s) {
		return ""
	}
	return s
}

// ChooseSender returns the first candidate with a usable address, in the
// order given (From, Reply-To, Sender, the envelope's), with that address
// mended; ok is false when none has one.
func ChooseSender(candidates ...MailAddress) (chosen MailAddress, ok bool) {
	for _, c := range candidates {
		if email := UsableAddress(c.Email); email != "" {
			return MailAddress{Name: c.Name, Email: email}, true
		}
	}
	return MailAddress{}, false
}

// AuthFailure is what the Authentication-Results of a trusted upstream
// host say failed for a mail's From domain.
type AuthFailure struct {
	DMARC bool // dmarc=fail: the From is not the domain's
	SPF   bool // spf=fail (a hard fail) for the sending server
}

// ReadAuthenticationResults reads Authentication-Results headers (RFC 8601)
// written by one of trusted (authentication service ids, such as
// mx.example.com); anyone can write the header, so others are not read.
// A DMARC result counts only for fromDomain's header.from.
func ReadAuthenticationResults(values, trusted []string, fromDomain string) AuthFailure {
	var f AuthFailure
	for _, v := range values {
		id, results, _ := strings.Cut(v, ";")
		if fields := strings.Fields(id); len(fields) == 0 || !containsFold(trusted, fields[0]) {
			continue
		}
		for _, r := range strings.Split(results, ";") {
			fields := strings.Fields(r)
			if len(fields) == 0 {
				continue
			}
			method, result, _ := strings.Cut(strings.ToLower(fields[0]), "=")
			switch {
			case method == "dmarc" && result == "fail" && propertyIs(fields[1:], "header.from", fromDomain):
				f.DMARC = true
			case method == "spf" && result == "fail":
				f.SPF = true
			}
		}
	}
	return f
}

// propertyIs reports whether the properties of a result (ptype.prop=value)
// give name the value want, or do not give it at all.
func propertyIs(props []string, name, want string) bool {
	for _, p := range props {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, name) {
			return strings.EqualFold(strings.Trim(v, `"`), want)
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// BounceAddress returns the return path of outbound mail id sent from
// mailbox: mailbox+b.ID.SIG@domain, where sig (from a key only Tend has)
// proves that a bounce to it is about that mail.
func BounceAddress(mailbox string, id int64, sig string) string {
	return PlusAddress(mailbox, "b."+strconv.FormatInt(id, 10)+"."+sig)
}

// ReadBounceAddress returns the outbound mail id and signature in an
// address BounceAddress made for mailbox.
func ReadBounceAddress(address, mailbox string) (id int64, sig string, ok bool) {
	token, ok := ReplyToken(address, mailbox)
	if !ok {
		return 0, "", false
	}
	rest, ok := strings.CutPrefix(token, "b.")
	idText, sig, ok2 := strings.Cut(rest, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || !ok2 || err != nil || id <= 0 || sig == "" {
		return 0, "", false
	}
	return id, sig, true
}

// SuggestedParticipant is an address a mail copied that did not join the
// ticket by itself; an agent may add it.
type SuggestedParticipant struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	MessageID *int64    `json:"message_id"`
	CreatedAt time.Time `json:"created_at"`
}

// BlockedSender is an address, or a whole domain written @example.com,
// whose mail is ignored.
type BlockedSender struct {
	Pattern      string    `json:"pattern"`
	TicketID     *int64    `json:"ticket_id"` // the spam that blocked it, if any
	TicketNumber *int64    `json:"ticket_number"`
	CreatedBy    *int64    `json:"created_by"` // the agent; nil for Tend
	CreatedAt    time.Time `json:"created_at"`
}

// BlockPattern reads what an admin typed to block: an address, or a
// domain (example.com or @example.com), lower-cased.
func BlockPattern(s string) (string, error) {
	s = NormalizeEmail(s)
	if strings.Contains(strings.TrimPrefix(s, "@"), "@") {
		if !ValidEmail(s) {
			return "", FieldError(EINVALID, "pattern", "%q is not an address; write one such as ann@example.com, or a domain such as example.com", s)
		}
		return s, nil
	}
	domain := strings.TrimPrefix(s, "@")
	if !ValidEmail("x@"+domain) || strings.Trim(domain, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
		return "", FieldError(EINVALID, "pattern", "%q is neither an address nor a domain; write one such as ann@example.com or example.com "+
			"(a domain blocks its subdomains too, so no * is needed)", s)
	}
	return "@" + domain, nil
}

// BlockedSenderService keeps the list of blocked senders; admins only.
type BlockedSenderService interface {
	FindBlockedSenders(ctx context.Context) ([]*BlockedSender, error)
	// BlockSender returns ECONFLICT if the pattern is blocked already.
	BlockSender(ctx context.Context, pattern string) (*BlockedSender, error)
	// UnblockSender returns ENOTFOUND if the pattern is not blocked.
	UnblockSender(ctx context.Context, pattern string) error
}
