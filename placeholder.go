package tend

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Placeholders are the names a macro, a mailbox's signature or its
// acknowledgement may write as {{name}}, filled in for each ticket.
var Placeholders = []string{
	"customer.first_name", "customer.name", "ticket.number", "ticket.subject", "ticket.owner.name", "agent.name",
}

// PlaceholderValues are what the placeholders stand for on one ticket.
type PlaceholderValues struct {
	CustomerName      string // the customer's name, or their address without one
	CustomerFirstName string // set on the customer; "" takes a word of CustomerName (FirstName)
	TicketNumber      int64
	TicketSubject     string
	OwnerName         string // "" when nobody owns the ticket
	AgentName         string // who writes: the agent using the macro, or the reply's author
}

var placeholderPattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// UnknownPlaceholders returns the placeholders in text that Tend does not
// know, each once, in the order they appear. An opening {{ without its
// closing }} counts as unknown, written as it stands.
func UnknownPlaceholders(text string) []string {
	var unknown []string
	add := func(s string) {
		for _, u := range unknown {
			if u == s {
				return
			}
		}
		unknown = append(unknown, s)
	}
	for _, m := range placeholderPattern.FindAllStringSubmatch(text, -1) {
		if !knownPlaceholder(m[1]) {
			add(m[1])
		}
	}
	rest := placeholderPattern.ReplaceAllString(text, "")
	if i := strings.Index(rest, "{{"); i >= 0 {
		end := min(len(rest), i+30)
		if j := strings.IndexAny(rest[i:end], "\n"); j >= 0 {
			end = i + j
		}
		add(strings.TrimSpace(rest[i:end]))
	}
	return unknown
}

func knownPlaceholder(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// validatePlaceholders adds a problem for field naming each unknown
// placeholder in text and listing the known ones.
func validatePlaceholders(p Problems, field, text string) {
	unknown := UnknownPlaceholders(text)
	if len(unknown) == 0 {
		return
	}
	quoted := make([]string, len(unknown))
	for i, u := range unknown {
		quoted[i] = "{{" + u + "}}"
		if strings.HasPrefix(u, "{{") {
			quoted[i] = u + " (not closed with }})"
		}
	}
	known := make([]string, len(Placeholders))
	for i, k := range Placeholders {
		known[i] = "{{" + k + "}}"
	}
	word := "placeholder"
	if len(unknown) > 1 {
		word = "placeholders"
	}
	p.Add(field, "unknown %s %s; the placeholders are %s", word, strings.Join(quoted, ", "), strings.Join(known, ", "))
}

// ValidatePlaceholders returns EINVALID for field if text has a
// placeholder Tend does not know, naming it and the known ones.
func ValidatePlaceholders(field, text string) error {
	p := Problems{}
	validatePlaceholders(p, field, text)
	return p.Err()
}

// RenderPlaceholders fills the placeholders of text with v. Unknown ones
// (text saved before a check) stay as written. A ticket nobody owns is
// owned by "our team"; a customer without a name is greeted as "there".
func RenderPlaceholders(text string, v PlaceholderValues) string {
	return placeholderPattern.ReplaceAllStringFunc(text, func(m string) string {
		name := placeholderPattern.FindStringSubmatch(m)[1]
		switch name {
		case "customer.first_name":
			return FirstName(v.CustomerName, v.CustomerFirstName)
		case "customer.name":
			if v.CustomerName == "" {
				return "there"
			}
			return v.CustomerName
		case "ticket.number":
			return strconv.FormatInt(v.TicketNumber, 10)
		case "ticket.subject":
			return v.TicketSubject
		case "ticket.owner.name":
			if v.OwnerName == "" {
				return "our team"
			}
			return v.OwnerName
		case "agent.name":
			if v.AgentName == "" {
				return "our team"
			}
			return v.AgentName
		}
		return m
	})
}

// FirstName is what a customer is greeted by: the first name set on them,
// else the first word of their name that has a letter in it, without the
// punctuation around it. Markup (<b>, <img ...>) and addresses are not
// words of a name; a name with no such word greets them as "there".
func FirstName(name, firstName string) string {
	if f := strings.TrimSpace(firstName); f != "" {
		return f
	}
	for _, w := range strings.Fields(markupPattern.ReplaceAllString(name, " ")) {
		if strings.Contains(w, "@") {
			continue
		}
		w = strings.TrimFunc(w, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
		})
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			return w
		}
	}
	return "there"
}

var markupPattern = regexp.MustCompile(`<[^<>]*>`)
