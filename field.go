package tend

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FieldType is the kind of value a custom ticket field holds.
type FieldType string

const (
	FieldText   FieldType = "text"
	FieldChoice FieldType = "choice"
	FieldNumber FieldType = "number"
	FieldDate   FieldType = "date"
)

// FieldTypes lists every type, in the order forms offer them.
var FieldTypes = []FieldType{FieldText, FieldChoice, FieldNumber, FieldDate}

// Valid reports whether t is a type.
func (t FieldType) Valid() bool { return slices.Contains(FieldTypes, t) }

// Field is a custom ticket field an admin defined: an order number, a
// product, a renewal date. Its key names it in the API (`fields.KEY` in a
// ticket, `field.KEY` in a filter) and never changes; its label is what
// people read. A required field must have a value before an agent can
// solve the ticket.
type Field struct {
	ID       int64     `json:"id"`
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Choices  []string  `json:"choices"`
	Required bool      `json:"required"`
	// Position orders the fields on the ticket page, lowest first.
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FieldInput defines a field or changes one; the key is given only when
// it is created.
type FieldInput struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Choices  []string  `json:"choices"`
	Required bool      `json:"required"`
	Position int       `json:"position"`
}

// FieldPatch changes a field; nil parts stay as they are. Key and type,
// if given, must be the field's own.
type FieldPatch struct {
	Key      *string    `json:"key"`
	Label    *string    `json:"label"`
	Type     *FieldType `json:"type"`
	Choices  *[]string  `json:"choices"`
	Required *bool      `json:"required"`
	Position *int       `json:"position"`
}

// Apply returns f's input with the patch's parts in place of its own.
func (p *FieldPatch) Apply(f *Field) FieldInput {
	in := FieldInput{Key: f.Key, Label: f.Label, Type: f.Type, Choices: f.Choices, Required: f.Required, Position: f.Position}
	if p.Key != nil {
		in.Key = *p.Key
	}
	if p.Label != nil {
		in.Label = *p.Label
	}
	if p.Type != nil {
		in.Type = *p.Type
	}
	if p.Choices != nil {
		in.Choices = *p.Choices
	}
	if p.Required != nil {
		in.Required = *p.Required
	}
	if p.Position != nil {
		in.Position = *p.Position
	}
	return in
}

// Limits on fields and their values.
const (
	MaxFields          = 100
	MaxFieldChoices    = 200
	MaxFieldValueBytes = 500
)

var fieldKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Normalize trims the input and drops empty and repeated choices.
func (in *FieldInput) Normalize() {
	in.Key = strings.TrimSpace(in.Key)
	in.Label = strings.TrimSpace(in.Label)
	var choices []string
	for _, c := range in.Choices {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	in.Choices = choices
}

// Validate returns EINVALID naming each part that is wrong.
func (in *FieldInput) Validate() error {
	p := Problems{}
	if !fieldKeyPattern.MatchString(in.Key) {
		p.Add("key", "must be 1 to 40 lower-case letters, digits or _, starting with a letter, such as order_number")
	}
	switch {
	case in.Label == "":
		p.Add("label", "is required")
	case len(in.Label) > 100:
		p.Add("label", "must be at most 100 characters")
	}
	validateLine(p, "label", in.Label)
	switch {
	case !in.Type.Valid():
		p.Add("type", "must be one of text, choice, number, date")
	case in.Type == FieldChoice && len(in.Choices) == 0:
		p.Add("choices", "a choice field needs at least one choice")
	case in.Type != FieldChoice && len(in.Choices) > 0:
		p.Add("choices", "only a choice field has choices")
	case len(in.Choices) > MaxFieldChoices:
		p.Add("choices", "at most %d choices", MaxFieldChoices)
	}
	for _, c := range in.Choices {
		if len(c) > 100 {
			p.Add("choices", "%q is longer than 100 characters", c[:20]+"…")
		}
		validateLine(p, "choices", c)
	}
	return p.Err()
}

// Value checks s as a value of f and returns it as stored: text trimmed,
// a number in its shortest decimal form, a date as 2006-01-02. An empty s
// is no value.
func (f *Field) Value(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	switch f.Type {
	case FieldText:
		if len(s) > MaxFieldValueBytes {
			return "", fmt.Errorf("must be at most %d bytes", MaxFieldValueBytes)
		}
		if strings.ContainsAny(s, "\r\n") || strings.ContainsFunc(s, isControl) {
			return "", fmt.Errorf("must be one line of text")
		}
		return s, nil
	case FieldChoice:
		for _, c := range f.Choices {
			if strings.EqualFold(c, s) {
				return c, nil
			}
		}
		return "", fmt.Errorf("%q is not one of its choices: %s", s, strings.Join(f.Choices, ", "))
	case FieldNumber:
		return decimal(s)
	case FieldDate:
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return "", fmt.Errorf("%q is not a date; write it as YYYY-MM-DD, such as 2026-12-31", s)
		} else if d.Year() < 1 {
			return "", fmt.Errorf("%q is in year 0, which no calendar has; years start at 0001", s)
		}
		return d.Format(time.DateOnly), nil
	}
	return "", fmt.Errorf("has an unknown type %q", f.Type)
}

var decimalPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// decimal writes the number s exactly, in its shortest form: digits are
// never lost (an order number of 17 digits stays itself), 12.50 is 12.5,
// 1e3 is 1000 and -0 is 0.
func decimal(s string) (string, error) {
	if !decimalPattern.MatchString(s) {
		return "", fmt.Errorf("%q is not a number; write it like 42 or 12.5", s)
	}
	if len(s) > 40 {
		return "", fmt.Errorf("%q is too long; a number has at most 40 characters", s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 && len(strings.TrimLeft(s[i+1:], "+-0")) > 2 {
		return "", fmt.Errorf("%q is too large or too small; write it with at most 99 as its exponent", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("%q is not a number; write it like 42 or 12.5", s)
	}
	if r.IsInt() {
		return r.Num().String(), nil
	}
	// A decimal with d digits after the point and an exponent of at most
	// 99 has at most d+99 digits after it written out.
	out := r.FloatString(len(s) + 99)
	out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	return out, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// FieldValues are custom fields' values by key, as a client writes them
// in JSON: a string, a number (for a number field) or null, which clears
// the value like "".
type FieldValues map[string]string

func (v *FieldValues) UnmarshalJSON(b []byte) error {
	kind := func(value []byte) string {
		return map[byte]string{'[': "array", '{': "object", 't': "bool", 'f': "bool", '"': "string"}[value[0]]
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return &json.UnmarshalTypeError{Value: cmp.Or(kind(b), "number"), Type: reflect.TypeFor[FieldValues]()}
	}
	out := make(FieldValues, len(raw))
	for key, value := range raw {
		var s string
		var n json.Number
		switch {
		case string(value) == "null":
		case json.Unmarshal(value, &s) == nil:
		case json.Unmarshal(value, &n) == nil:
			s = n.String()
		default:
			return &json.UnmarshalTypeError{Value: kind(value), Type: reflect.TypeFor[string](), Field: key}
		}
		out[key] = s
	}
	*v = out
	return nil
}

// FieldChanged records a custom field's value changing; an empty From or
// To is no value. The key is kept beside the id for a field deleted
// since.
type FieldChanged struct {
	FieldID int64  `json:"field_id"`
	Key     string `json:"key"`
	From    string `json:"from"`
	To      string `json:"to"`
}

func (FieldChanged) EventKind() EventKind { return EventFieldChanged }

// ApplyFields sets the values of fields that values names (by key; an
// empty value clears it) and returns the changes to record, in the order
// of fields. Every value is checked first: one that is wrong, or a key
// that is no field, changes nothing.
func (t *Ticket) ApplyFields(fields []*Field, values map[string]string) ([]EventData, error) {
	p := Problems{}
	next := map[string]string{}
	for key, v := range values {
		i := slices.IndexFunc(fields, func(f *Field) bool { return f.Key == key })
		if i < 0 {
			p.Add("fields."+key, "is not a field of this desk")
			continue
		}
		value, err := fields[i].Value(v)
		if err != nil {
			p.Add("fields."+key, "%v", err)
			continue
		}
		next[key] = value
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var changes []EventData
	for _, f := range fields {
		to, ok := next[f.Key]
		if !ok || to == t.Fields[f.Key] {
			continue
		}
		changes = append(changes, FieldChanged{FieldID: f.ID, Key: f.Key, From: t.Fields[f.Key], To: to})
		if t.Fields == nil {
			t.Fields = map[string]string{}
		}
		if to == "" {
			delete(t.Fields, f.Key)
		} else {
			t.Fields[f.Key] = to
		}
	}
	return changes, nil
}

// MissingFields returns the required fields t has no value for, which an
// agent must fill in before solving it, as EINVALID naming each; nil
// when there are none.
func (t *Ticket) MissingFields(fields []*Field) error {
	p := Problems{}
	for _, f := range fields {
		if f.Required && t.Fields[f.Key] == "" {
			p.Add("fields."+f.Key, "%s is required before ticket #%d can be solved", f.Label, t.Number)
		}
	}
	return p.Err()
}

// ClearedRequired refuses clearing, on a solved ticket, a required field
// (by key in cleared): a solved ticket keeps what solving it asked for.
func (t *Ticket) ClearedRequired(fields []*Field, cleared []string) error {
	if t.Status != StatusSolved {
		return nil
	}
	p := Problems{}
	for _, f := range fields {
		if f.Required && slices.Contains(cleared, f.Key) && t.Fields[f.Key] == "" {
			p.Add("fields."+f.Key, "%s is required on a solved ticket; reopen ticket #%d to clear it", f.Label, t.Number)
		}
	}
	return p.Err()
}

// FieldService defines the custom ticket fields. All staff read them;
// changing them needs PermManageSettings. Deleting a field deletes its
// values (the history keeps what they were).
type FieldService interface {
	FindFields(ctx context.Context) ([]*Field, error)
	FindFieldByID(ctx context.Context, id int64) (*Field, error)
	CreateField(ctx context.Context, in *FieldInput) (*Field, error)
	// UpdateField changes the label, choices, requirement and position;
	// a key or type the patch gives must be the field's own. A choice that
	// tickets hold may not be taken away.
	UpdateField(ctx context.Context, id int64, patch *FieldPatch) (*Field, error)
	DeleteField(ctx context.Context, id int64) error
}
