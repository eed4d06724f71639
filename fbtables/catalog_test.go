package fbtables

import (
	"strings"
	"testing"
)

func TestCatalogValid(t *testing.T) {
	if _, err := NewCatalog(AdAccounts(), Campaigns(), Adsets(), Ads(), Insights()); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogRejectsBadDefinitions(t *testing.T) {
	bad := &Table{Name: "x", Columns: []Column{{Name: "a"}, {Name: "a", Type: "VARCHAR", Kind: KindID, Additive: true}}}
	_, err := NewCatalog(bad)
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"x.a declared twice", "x.a has no type", "additive but not a metric", "no default columns"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestValidateBreakdowns(t *testing.T) {
	cases := []struct {
		name string
		bds  []string
		err  string
	}{
		{"none", nil, ""},
		{"single", []string{"country"}, ""},
		{"age gender either order", []string{"gender", "age"}, ""},
		{"platform triple", []string{"impression_device", "publisher_platform", "platform_position"}, ""},
		{"impression_device alone", []string{"impression_device"}, "cannot be used by itself"},
		{"age country", []string{"age", "country"}, "cannot be combined; valid combinations are (age, gender)"},
		{"unknown", []string{"countryy"}, `unknown breakdown "countryy"; valid breakdowns include country`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateBreakdowns(c.bds)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %v, want %q", err, c.err)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	got := Insights().Suggest("spendd")
	if len(got) == 0 || got[0] != "spend" {
		t.Fatalf("Suggest(spendd) = %v", got)
	}
}
