package tend

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The web layer maps each to one HTTP status; nothing else
// chooses statuses.
const (
	ECONFLICT     = "conflict"      // the request clashes with the current state
	EFORBIDDEN    = "forbidden"     // the caller may not do this
	EINTERNAL     = "internal"      // a fault of ours; details go to the log only
	EINVALID      = "invalid"       // the input is wrong; the message says how
	ENOTFOUND     = "not_found"     // no such thing, or not visible to the caller
	ETOOLARGE     = "too_large"     // the input is over a configured size
	EUNAUTHORIZED = "unauthorized"  // no valid credentials
	ESTALE        = "stale_version" // the caller's copy is out of date
	ETOOMANY      = "too_many"      // too many failed attempts: wait RetryAfter
)

// Error is an application error: a code, and a message safe to show users.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field problems for EINVALID, keyed by the JSON name
	// of the field (for example "customer.email").
	Fields map[string]string
	// RetryAfter is how long to wait before trying again, for ETOOMANY.
	RetryAfter time.Duration
	// NewMessages are the customer's messages a refused reply had not
	// seen (CustomerWroteSince).
	NewMessages []*Message
}

// CustomerWroteSince refuses a reply written before the customer's
// messages unread: the author reads them, then sends again if the reply
// still fits.
func CustomerWroteSince(number int64, unread []*Message) *Error {
	return &Error{Code: ECONFLICT, NewMessages: unread, Message: fmt.Sprintf(
		"The customer wrote again on ticket #%d while you were writing. Read their new message, then send your reply if it still fits.", number)}
}

// ErrorNewMessages returns the unread messages err refused a reply for.
func ErrorNewMessages(err error) []*Message {
	var e *Error
	if errors.As(err, &e) {
		return e.NewMessages
	}
	return nil
}

func (e *Error) Error() string {
	return fmt.Sprintf("tend error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an *Error about one field: its message names the
// field, and Fields holds the problem under the field's name.
func FieldError(code, field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: code, Message: field + ": " + msg, Fields: map[string]string{field: msg}}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err's *Error, or a
// generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// ErrorRetryAfter returns how long err says to wait before trying again:
// 0 unless it is ETOOMANY.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrorFields returns the per-field problems of err's *Error, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects per-field validation problems.
type Problems map[string]string

// Add records a problem with field unless one is already recorded.
func (p Problems) Add(field, format string, args ...any) {
	if _, ok := p[field]; !ok {
		p[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns an EINVALID *Error listing the problems, or nil if none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := ""
	for _, f := range sortedKeys(p) {
		if msg != "" {
			msg += "; "
		}
		msg += f + ": " + p[f]
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string(p)}
}
