package tend_test

import (
	"reflect"
	"testing"

	"github.com/tendhq/tend"
)

func TestFieldValue(t *testing.T) {
	text := &tend.Field{Key: "order", Type: tend.FieldText}
	choice := &tend.Field{Key: "plan", Type: tend.FieldChoice, Choices: []string{"Basic", "Pro"}}
	number := &tend.Field{Key: "seats", Type: tend.FieldNumber}
	date := &tend.Field{Key: "renewal", Type: tend.FieldDate}
	tests := []struct {
		field   *tend.Field
		in      string
		want    string
		wantErr bool
	}{
		{text, "  A-1042 ", "A-1042", false},
		{text, "", "", false},
		{text, "two\nlines", "", true},
		{text, string(make([]byte, 501)), "", true},
		{choice, "pro", "Pro", false},
		{choice, "Enterprise", "", true},
		{number, "12.50", "12.5", false},
		{number, "-3", "-3", false},
		{number, "1e3", "1000", false},
		{number, "twelve", "", true},
		{number, "NaN", "", true},
		{number, "Inf", "", true},
		{number, "12345678901234567", "12345678901234567", false},
		{number, "-0", "0", false},
		{number, "-0.0010", "-0.001", false},
		{number, "1.5e-3", "0.0015", false},
		{number, "1e400", "", true},
		{number, "1_000", "", true},
		{number, "0x10", "", true},
		{number, " +3 ", "3", false},
		{number, ".5", "0.5", false},
		{date, "0000-01-01", "", true},
		{date, "0001-01-01", "0001-01-01", false},
		{date, "2026-12-31", "2026-12-31", false},
		{date, "31/12/2026", "", true},
		{date, "2026-02-30", "", true},
	}
	for _, tt := range tests {
		got, err := tt.field.Value(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s.Value(%q) = %q, %v; want %q, error %v", tt.field.Key, tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFieldInputValidate(t *testing.T) {
	tests := []struct {
		in  tend.FieldInput
		bad []string // the parts named
	}{
		{tend.FieldInput{Key: "order_number", Label: "Order number", Type: tend.FieldText}, nil},
		{tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice, Choices: []string{" Pro ", "Pro", ""}}, nil},
		{tend.FieldInput{Key: "Order Number", Label: "Order", Type: tend.FieldText}, []string{"key"}},
		{tend.FieldInput{Key: "1st", Label: "", Type: "colour"}, []string{"key", "label", "type"}},
		{tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice}, []string{"choices"}},
		{tend.FieldInput{Key: "seats", Label: "Seats", Type: tend.FieldNumber, Choices: []string{"1"}}, []string{"choices"}},
	}
	for _, tt := range tests {
		tt.in.Normalize()
		var got []string
		for part := range tend.ErrorFields(tt.in.Validate()) {
			got = append(got, part)
		}
		if len(got) != len(tt.bad) {
			t.Errorf("%+v: problems with %v, want %v", tt.in, got, tt.bad)
			continue
		}
		for _, b := range tt.bad {
			if _, ok := tend.ErrorFields(tt.in.Validate())[b]; !ok {
				t.Errorf("%+v: no problem with %s (got %v)", tt.in, b, got)
			}
		}
	}
}

func TestApplyFields(t *testing.T) {
	fields := []*tend.Field{
		{ID: 1, Key: "order", Label: "Order number", Type: tend.FieldText, Required: true},
		{ID: 2, Key: "seats", Label: "Seats", Type: tend.FieldNumber},
	}
	tests := []struct {
		name    string
		had     map[string]string
		set     map[string]string
		want    map[string]string
		changes []tend.EventData
		bad     []string
	}{
		{"set two", nil, map[string]string{"seats": "10.0", "order": "A-1"}, map[string]string{"order": "A-1", "seats": "10"},
			[]tend.EventData{tend.FieldChanged{FieldID: 1, Key: "order", To: "A-1"}, tend.FieldChanged{FieldID: 2, Key: "seats", To: "10"}}, nil},
		{"same value records nothing", map[string]string{"seats": "10"}, map[string]string{"seats": "1e1"}, map[string]string{"seats": "10"}, nil, nil},
		{"clear", map[string]string{"order": "A-1"}, map[string]string{"order": " "}, map[string]string{},
			[]tend.EventData{tend.FieldChanged{FieldID: 1, Key: "order", From: "A-1"}}, nil},
		{"one bad value changes nothing", map[string]string{"order": "A-1"}, map[string]string{"order": "B-2", "seats": "many"},
			map[string]string{"order": "A-1"}, nil, []string{"fields.seats"}},
		{"unknown key", nil, map[string]string{"colour": "red"}, nil, nil, []string{"fields.colour"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := &tend.Ticket{Number: 7, Fields: tt.had}
			changes, err := tk.ApplyFields(fields, tt.set)
			problems := tend.ErrorFields(err)
			if len(problems) != len(tt.bad) {
				t.Fatalf("problems %v, want %v", problems, tt.bad)
			}
			for _, b := range tt.bad {
				if problems[b] == "" {
					t.Errorf("no problem with %s: %v", b, problems)
				}
			}
			if !reflect.DeepEqual(changes, tt.changes) {
				t.Errorf("changes %#v, want %#v", changes, tt.changes)
			}
			if len(tk.Fields) != len(tt.want) || (len(tt.want) > 0 && !reflect.DeepEqual(tk.Fields, tt.want)) {
				t.Errorf("fields %v, want %v", tk.Fields, tt.want)
			}
		})
	}
}

func TestMissingFields(t *testing.T) {
	fields := []*tend.Field{
		{Key: "order", Label: "Order number", Type: tend.FieldText, Required: true},
		{Key: "seats", Label: "Seats", Type: tend.FieldNumber},
	}
	err := (&tend.Ticket{Number: 7}).MissingFields(fields)
	if got := tend.ErrorFields(err)["fields.order"]; got != "Order number is required before ticket #7 can be solved" {
		t.Errorf("missing order: %q (%v)", got, err)
	}
	if _, ok := tend.ErrorFields(err)["fields.seats"]; ok {
		t.Error("seats is not required")
	}
	if err := (&tend.Ticket{Fields: map[string]string{"order": "A-1"}}).MissingFields(fields); err != nil {
		t.Errorf("all set: %v", err)
	}
}

func TestClearedRequired(t *testing.T) {
	fields := []*tend.Field{
		{Key: "order", Label: "Order number", Type: tend.FieldText, Required: true},
		{Key: "seats", Label: "Seats", Type: tend.FieldNumber},
	}
	tests := []struct {
		status  tend.Status
		cleared []string
		bad     bool
	}{
		{tend.StatusSolved, []string{"order"}, true},
		{tend.StatusSolved, []string{"seats"}, false},
		{tend.StatusOpen, []string{"order"}, false},
	}
	for _, tt := range tests {
		err := (&tend.Ticket{Number: 7, Status: tt.status}).ClearedRequired(fields, tt.cleared)
		if got := tend.ErrorFields(err)["fields.order"] != ""; got != tt.bad {
			t.Errorf("%s, clearing %v: %v", tt.status, tt.cleared, err)
		}
	}
}
