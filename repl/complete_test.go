package repl

import (
	"slices"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/fbtables"
)

func TestComplete(t *testing.T) {
	c := completer{cat: fbtables.DefaultCatalog()}
	cases := []struct {
		name, line string // | marks the cursor; the end when absent
		want       string // must be offered
		not        string // must not be offered
	}{
		{"dot command", ".sch", ".schema", ".tables"},
		{"table name", "SELECT * FROM ins", "insights", "campaigns"},
		{"column of the named table", "SELECT camp| FROM insights", "campaign_name", ""},
		{"breakdown column", "SELECT countr| FROM insights", "country", ""},
		{"entity column only from that table", "SELECT acc| FROM campaigns", "account_id", "account_name"},
		{"keyword upper", "SELECT spend FR", "FROM", ""},
		{"keyword lower", "select spend fr", "from", ""},
		{"status value", "SELECT name FROM campaigns WHERE effective_status = 'AR", "'ARCHIVED'", "'ACTIVE'"},
		{"breakdown value", "SELECT spend FROM insights WHERE publisher_platform IN ('inst", "'instagram'", "'facebook'"},
		{"second value in a list", "SELECT spend FROM insights WHERE gender IN ('male', 'fe", "'female'", ""},
		{"level value", "SELECT spend FROM insights WHERE level = 'c", "'campaign'", "'ad'"},
		{"only tables after FROM", "SELECT spend FROM ", "insights", "spend"},
		{"only tables after JOIN", "SELECT 1 FROM insights i JOIN ca", "campaigns", "campaign_name"},
		{"no keyword after FROM", "select spend from ", "ads", "select"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			line, pos := strings.ReplaceAll(tc.line, "|", ""), strings.Index(tc.line, "|")
			if pos < 0 {
				pos = len(line)
			}
			_, got, tail := c.complete(line, pos)
			if tail != line[pos:] {
				t.Errorf("tail %q, want %q", tail, line[pos:])
			}
			if !slices.Contains(got, tc.want) {
				t.Errorf("completions %v lack %q", got, tc.want)
			}
			if tc.not != "" && slices.Contains(got, tc.not) {
				t.Errorf("completions %v include %q", got, tc.not)
			}
		})
	}
}

// TestCompleteSeenValues: names and countries that results showed are
// offered, quoted and sorted, after the column they belong to.
func TestCompleteSeenValues(t *testing.T) {
	seen := &seenValues{}
	obs := seen.observe([]string{"campaign_name", "country", "spend"})
	for _, row := range [][]any{{"Summer Launch", "US", 1.0}, {"Back to School", "DE", 2.0}, {"Spring's Best", "FR", nil}} {
		obs(row)
	}
	c := completer{cat: fbtables.DefaultCatalog(), seen: seen}
	_, got, _ := c.complete("SELECT spend FROM insights WHERE campaign_name = '", len("SELECT spend FROM insights WHERE campaign_name = '"))
	want := []string{"'Back to School'", "'Spring''s Best'", "'Summer Launch'"}
	if !slices.Equal(got, want) {
		t.Errorf("campaign names: %v, want %v", got, want)
	}
	line := "SELECT spend FROM insights i WHERE i.country IN ('US', '"
	_, got, _ = c.complete(line, len(line))
	if !slices.Equal(got, []string{"'DE'", "'FR'", "'US'"}) {
		t.Errorf("countries: %v", got)
	}
	if seen.observe([]string{"spend"}) != nil {
		t.Error("a result without remembered columns is observed")
	}
}

// TestCompletionsSorted: every list of suggestions is sorted.
func TestCompletionsSorted(t *testing.T) {
	c := completer{cat: fbtables.DefaultCatalog()}
	for _, line := range []string{"SELECT ", "SELECT c", "SELECT * FROM ", ".", "SELECT spend FROM insights WHERE age = '"} {
		_, got, _ := c.complete(line, len(line))
		if len(got) == 0 || !slices.IsSorted(got) {
			t.Errorf("%q: %d suggestions, sorted %v", line, len(got), slices.IsSorted(got))
		}
	}
}
