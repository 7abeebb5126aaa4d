package outbound

import (
	"strings"
	"testing"
	"time"
)

func TestAnswerByText(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		due  *time.Time
		loc  *time.Location
		want string
	}{
		{"no promise, no words", nil, paris, ""},
		{"in the customer's zone", &due, paris, " We will answer by Tuesday 1 December 2026, 10:00 (Europe/Paris time)."},
		{"no zone is UTC", &due, nil, " We will answer by Tuesday 1 December 2026, 09:00 (UTC time)."},
	}
	for _, tt := range tests {
		if got := answerByText(tt.due, tt.loc); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	text := acknowledgementText("Acme support", 1042, "Printer", answerByText(&due, paris))
	if !strings.Contains(text, "will answer you by email. We will answer by Tuesday 1 December 2026, 10:00 (Europe/Paris time).") {
		t.Errorf("acknowledgement: %s", text)
	}
}
