package tend_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
)

func TestUnknownPlaceholders(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"none", "Hello, thanks for writing.", nil},
		{"all known", "Hi {{customer.first_name}} {{customer.name}} #{{ticket.number}} {{ticket.subject}} {{ticket.owner.name}} {{agent.name}}", nil},
		{"spaces inside", "Hi {{ customer.first_name }}", nil},
		{"unknown", "Hi {{customer.last_name}}", []string{"customer.last_name"}},
		{"unknown once, in order", "{{b}} {{a}} {{b}}", []string{"b", "a"}},
		{"case matters", "{{Customer.Name}}", []string{"Customer.Name"}},
		{"empty", "{{}}", []string{""}},
		{"not closed", "Hi {{customer.name, bye", []string{"{{customer.name, bye"}},
		{"single braces are text", "{customer.name}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tend.UnknownPlaceholders(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("UnknownPlaceholders(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestValidatePlaceholdersNamesUnknownAndKnown(t *testing.T) {
	err := tend.ValidatePlaceholders("body", "Dear {{customer.surname}} and {{ticket.id}}")
	if tend.ErrorCode(err) != tend.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	msg := tend.ErrorFields(err)["body"]
	for _, want := range []string{"{{customer.surname}}", "{{ticket.id}}", "{{customer.first_name}}", "{{agent.name}}"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %s", msg, want)
		}
	}
	if err := tend.ValidatePlaceholders("body", "Hi {{customer.name}}"); err != nil {
		t.Errorf("known placeholder refused: %v", err)
	}
}

func TestRenderPlaceholders(t *testing.T) {
	v := tend.PlaceholderValues{CustomerName: "Ann Lee", TicketNumber: 42, TicketSubject: "Broken kettle",
		OwnerName: "Bo Ek", AgentName: "Cy Ng"}
	tests := []struct {
		name, text string
		v          tend.PlaceholderValues
		want       string
	}{
		{"all", "Hi {{customer.first_name}} ({{customer.name}}), #{{ticket.number}} “{{ticket.subject}}” is {{ticket.owner.name}}'s. {{agent.name}}", v,
			"Hi Ann (Ann Lee), #42 “Broken kettle” is Bo Ek's. Cy Ng"},
		{"first name set", "Hi {{customer.first_name}}", func() tend.PlaceholderValues { w := v; w.CustomerFirstName = "Annie"; return w }(), "Hi Annie"},
		{"spaces inside", "Hi {{ customer.first_name }}", v, "Hi Ann"},
		{"no owner", "{{ticket.owner.name}} will call", tend.PlaceholderValues{}, "our team will call"},
		{"no name", "Hi {{customer.first_name}}, {{customer.name}}", tend.PlaceholderValues{}, "Hi there, there"},
		{"address for a name", "Hi {{customer.first_name}}", tend.PlaceholderValues{CustomerName: "ann@example.com"}, "Hi there"},
		{"unknown stays", "{{nope}} {{agent.name}}", v, "{{nope}} Cy Ng"},
		{"no placeholders", "plain", v, "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tend.RenderPlaceholders(tt.text, tt.v); got != tt.want {
				t.Errorf("RenderPlaceholders(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestFirstName(t *testing.T) {
	tests := []struct{ name, first, want string }{
		{"Ann Lee", "", "Ann"},
		{"  Ann   Lee ", "", "Ann"},
		{"Lee, Ann", "", "Lee"},
		{"Ann Lee", "Annie", "Annie"},
		{"Ann Lee", "  ", "Ann"},
		{"", "", "there"},
		{"ann@example.com", "", "there"},
		{"Ann", "", "Ann"},
		{"<img src=x> Ann", "", "Ann"},
		{"<b>Ann</b> Lee", "", "Ann"},
		{"\"Ann\" Lee", "", "Ann"},
		{"(Ann) Lee", "", "Ann"},
		{"-- Ann", "", "Ann"},
		{"123 Ann", "", "Ann"},
		{"O'Brien Sean", "", "O'Brien"},
		{"Ann-Marie Lee", "", "Ann-Marie"},
		{"ann@example.com Ann", "", "Ann"},
		{"Zoë", "", "Zoë"},
		{"<img src=x>", "", "there"},
		{"!!! ???", "", "there"},
	}
	for _, tt := range tests {
		if got := tend.FirstName(tt.name, tt.first); got != tt.want {
			t.Errorf("FirstName(%q, %q) = %q, want %q", tt.name, tt.first, got, tt.want)
		}
	}
}
