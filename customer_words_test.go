package tend

import (
	"slices"
	"strings"
	"testing"
)

func TestCustomerWords(t *testing.T) {
	tests := []struct {
		name   string
		emails []string
		want   []string
	}{
		{"Mia Wong", []string{"mia.wong@acme.example"}, []string{"mia", "wong", "acme", "example"}},
		{"", []string{"billing+eu@shop.example.co.uk"}, []string{"billing", "eu", "shop", "example", "co", "uk"}},
		{"Zoë O'Brien-Smith", nil, []string{"zoë", "o", "brien", "smith"}},
		{"ÅSA ÖBERG", []string{"ASA@X.EXAMPLE"}, []string{"åsa", "öberg", "asa", "x", "example"}},
		{"  ", nil, nil},
		{"李 小龙", []string{"li@example.cn"}, []string{"李", "小龙", "li", "example", "cn"}},
		{"Dana", []string{"dana@a.example", "dana@b.example"}, []string{"dana", "a", "example", "b"}},
		{strings.Repeat("a", 60), nil, []string{strings.Repeat("a", 40)}},
		{"é" + strings.Repeat("b", 39), nil, []string{"é" + strings.Repeat("b", 38)}},
	}
	for _, tt := range tests {
		if got := CustomerWords(tt.name, tt.emails); !slices.Equal(got, tt.want) {
			t.Errorf("CustomerWords(%q, %q) = %q, want %q", tt.name, tt.emails, got, tt.want)
		}
	}
	var long []string
	for i := range 100 {
		long = append(long, "word"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	if got := CustomerWords(strings.Join(long, " "), nil); len(got) != maxCustomerWords {
		t.Errorf("a name of 100 words gives %d words, want at most %d", len(got), maxCustomerWords)
	}
}
