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
