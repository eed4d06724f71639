package planner_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/planner"
)

// FuzzPlan feeds arbitrary SQL text to the planner. Build must never panic: it returns a plan
// or an error. A plan's scans all name a request (path and parameters) and a temporary table,
// and each statement's SQL is the statement as written with only the virtual table references
// renamed — nothing else of the user's text added, dropped or reordered.
//
// The seed corpus (every golden case, odd inputs and testdata/fuzz/FuzzPlan) runs in a plain
// `go test`; `go test ./planner -run '^$' -fuzz FuzzPlan -fuzztime 20s` explores further.
func FuzzPlan(f *testing.F) {
	in := newInput(f)
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		for _, c := range readGolden(f, file) {
			f.Add(c.sql)
		}
	}
	for _, s := range oddSQL {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		p, err := planner.Build(sql, in)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error with an empty message")
			}
			return
		}
		if p == nil {
			t.Fatal("nil plan and nil error")
		}
		for _, st := range p.Statements {
			checkStatement(t, st)
		}
	})
}

// oddSQL are seeds a person would not write on purpose.
var oddSQL = []string{
	"", ";", ";;;", " \n\t ", "-- only a comment", "/* unterminated", "/* c */ SELECT 1",
	"'unterminated", `"unterminated`, "SELECT 'a''b'", `SELECT "a""b" FROM insights`,
	"((((((((((", "))))", "SELECT (((((1)))))", "EXPLAIN", "EXPLAIN ANALYZE", "EXPLAIN EXPLAIN SELECT 1",
	"SELECT * FROM insights;SELECT * FROM campaigns", "SELECT * FROM \"insights\"", "SELECT * FROM INSIGHTS",
	"SELECT * FROM \"Insights\" i", "SELECT * FROM insights AS \"a\"\"b\"", "select * from insights, insights",
	"SELECT * FROM fb_insights_0", "SELECT 'fb_insights_0 AS \"insights\"' FROM insights",
	"DROP TABLE insights", "CREATE TABLE t AS SELECT * FROM campaigns", "COPY (SELECT * FROM ads) TO 'x.csv'",
	"INSERT INTO t SELECT * FROM adsets", "SET x = 1", "PRAGMA version",
	"SELECT * FROM insights WHERE date_start > '9999-12-31'", "SELECT * FROM insights WHERE date_start < '0001-01-01'",
	"SELECT * FROM insights WHERE level = 'nope'", "SELECT * FROM insights WHERE level = 'ad' OR level = 'campaign'",
	"SELECT * FROM insights WHERE time_increment = 0", "SELECT * FROM insights WHERE date_preset = 'yesterday' AND date_start = current_date",
	"SELECT \x00\xff\xfe", "SELECT '\xff' FROM insights", "SELECT * FROM insights WHERE campaign_id IN (SELECT id FROM campaigns)",
	"SELECT * FROM insights LIMIT -1", "SELECT * FROM insights LIMIT 99999999999999999999",
	"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT * FROM r, insights",
	"SELECT * FROM campaigns WHERE id = ? ", "SELECT $1 FROM ads", "SELECT * FROM insights i JOIN insights j USING (date_start)",
}

// tempName is the shape of a scan's temporary table.
var tempName = regexp.MustCompile(`^fb_[a-z0-9_]+_[0-9]+$`)

func checkStatement(t *testing.T, st *planner.Statement) {
	t.Helper()
	for _, s := range st.Scans {
		switch {
		case s.Table == nil:
			t.Fatalf("scan without a table in %q", st.Original)
		case s.Path == "" || len(s.Params) == 0:
			t.Fatalf("scan of %s without a path or parameters: %+v", s.Table.Name, s)
		case !tempName.MatchString(s.Temp) || !strings.HasPrefix(s.Temp, "fb_"+s.Table.Name+"_"):
			t.Fatalf("scan of %s loads into %q", s.Table.Name, s.Temp)
		}
	}
	// EXPLAIN's SQL is the statement explained: a suffix of the original, renamed.
	starts := []int{0}
	if st.Explain {
		starts = starts[:0]
		for k := 1; k <= len(st.Original); k++ {
			starts = append(starts, k)
		}
	}
	for _, k := range starts {
		m := renameMatcher{got: st.SQL, orig: st.Original[k:], scans: st.Scans, used: make([]bool, len(st.Scans)), budget: 1 << 16}
		if m.match(0, 0) || m.budget < 0 {
			return
		}
	}
	t.Fatalf("rewritten SQL is not the original with table references renamed:\noriginal: %q\nrewritten: %q", st.Original, st.SQL)
}

// renameMatcher decides whether got is orig with each scan's table reference (its name, any
// case, or a quoted identifier) replaced by the scan's Temp, optionally followed by
// ` AS "<alias>"`, every scan used once. It backtracks, since the user's text may itself
// contain fb_insights_0; budget bounds the work and a spent budget counts as a match.
type renameMatcher struct {
	got, orig string
	scans     []*planner.Scan
	used      []bool
	budget    int
}

func (m *renameMatcher) match(i, j int) bool {
	for {
		if m.budget--; m.budget < 0 {
			return false
		}
		for k, s := range m.scans {
			if m.used[k] || !strings.HasPrefix(m.got[i:], s.Source) {
				continue
			}
			end, ok := m.reference(j, s)
			if !ok {
				continue
			}
			m.used[k] = true
			after := i + len(s.Source)
			alias := ` AS "` + strings.ReplaceAll(s.Alias, `"`, `""`) + `"`
			if strings.HasPrefix(m.got[after:], alias) && m.match(after+len(alias), end) {
				return true
			}
			if m.match(after, end) {
				return true
			}
			m.used[k] = false
		}
		if i == len(m.got) || j == len(m.orig) {
			if i != len(m.got) || j != len(m.orig) {
				return false
			}
			for _, u := range m.used {
				if !u {
					return false
				}
			}
			return true
		}
		if m.got[i] != m.orig[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

// reference returns the end of a reference to s's table at orig[j:].
func (m *renameMatcher) reference(j int, s *planner.Scan) (int, bool) {
	rest := m.orig[j:]
	if strings.HasPrefix(rest, `"`) {
		q := strings.IndexByte(rest[1:], '"')
		return j + q + 2, q >= 0
	}
	n := len(s.Table.Name)
	return j + n, len(rest) >= n && strings.EqualFold(rest[:n], s.Table.Name)
}
