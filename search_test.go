package tend_test

import (
	"reflect"
	"testing"

	"github.com/tendhq/tend"
)

func TestParseSearch(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []tend.SearchTerm
	}{
		{"card arrived", []tend.SearchTerm{{Words: []string{"card"}}, {Words: []string{"arrived"}}}},
		{"Refun*", []tend.SearchTerm{{Words: []string{"refun"}, Prefix: true}}},
		{`"two  weeks" ago`, []tend.SearchTerm{{Words: []string{"two", "weeks"}}, {Words: []string{"ago"}}}},
		{"e-mail", []tend.SearchTerm{{Words: []string{"e", "mail"}}}},
		{`"unclosed phrase`, []tend.SearchTerm{{Words: []string{"unclosed", "phrase"}}}},
		{"Ärger über Gebühren", []tend.SearchTerm{{Words: []string{"ärger"}}, {Words: []string{"über"}}, {Words: []string{"gebühren"}}}},
		{`NEAR(a b) OR "x" -y`, []tend.SearchTerm{{Words: []string{"near", "a"}}, {Words: []string{"b"}}, {Words: []string{"or"}}, {Words: []string{"x"}}, {Words: []string{"y"}}}},
	} {
		got, err := tend.ParseSearch(tc.q)
		if err != nil {
			t.Errorf("ParseSearch(%q): %v", tc.q, err)
		} else if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSearch(%q) = %+v, want %+v", tc.q, got, tc.want)
		}
	}
	for _, q := range []string{"", "   ", `""`, "* - ()"} {
		if _, err := tend.ParseSearch(q); tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("ParseSearch(%q) err = %v, want invalid", q, err)
		}
	}
}

func TestReadSearchKeys(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want tend.SearchKeys
	}{
		{"1297", tend.SearchKeys{Number: 1297}},
		{" #1297 ", tend.SearchKeys{Number: 1297}},
		{"#0", tend.SearchKeys{}},
		{"1297 refund", tend.SearchKeys{Name: "1297 refund"}},
		{"# 1297", tend.SearchKeys{Name: "# 1297"}},
		{"99999999999999999999", tend.SearchKeys{Name: "99999999999999999999"}},
		{"Ann@Example.com", tend.SearchKeys{Email: "ann@example.com"}},
		{"ann@example", tend.SearchKeys{Name: "ann@example"}},
		{"<ann@example.com>", tend.SearchKeys{Name: "<ann@example.com>"}},
		{"  Ann   LEE ", tend.SearchKeys{Name: "ann lee"}},
		{"Ärger", tend.SearchKeys{Name: "ärger"}},
		{`"Ann Lee"`, tend.SearchKeys{}},
		{"refun*", tend.SearchKeys{}},
		{"", tend.SearchKeys{}},
	} {
		if got := tend.ReadSearchKeys(tc.q); got != tc.want {
			t.Errorf("ReadSearchKeys(%q) = %+v, want %+v", tc.q, got, tc.want)
		}
	}
}
