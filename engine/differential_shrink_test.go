package engine_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Shrinking a failing query, keeping it as a regression case, replaying
// the kept cases.

// shrink drops clauses, conjuncts, dimensions and metrics while the query
// still fails the same oracle, and returns the smallest failing query.
func (h *diffHarness) shrink(q genQuery, oracle string) genQuery {
	fails := func(c genQuery) bool {
		d, _ := h.checkOnly(c, oracle)
		return d.oracle == oracle
	}
	for changed := true; changed; {
		changed = false
		for _, c := range shrinkSteps(q) {
			if fails(c) {
				q, changed = c, true
				break
			}
		}
	}
	return q
}

// shrinkSteps are the queries one step smaller than q, each still valid
// (no reference to a dropped join, parameter or variable).
func shrinkSteps(q genQuery) []genQuery {
	var out []genQuery
	for i := range q.Where {
		c := q
		c.Where = slices.Delete(slices.Clone(q.Where), i, i+1)
		out = append(out, c.tidy())
		// An AND/OR inside one conjunct: keep one side.
		for _, side := range splitTop(q.Where[i].SQL) {
			c := q
			c.Where = slices.Clone(q.Where)
			c.Where[i].SQL = side
			out = append(out, c)
		}
	}
	for i := range q.Dims {
		c := q
		c.Dims = slices.Delete(slices.Clone(q.Dims), i, i+1)
		out = append(out, c.tidy())
	}
	for i := range q.Metrics {
		if len(q.Metrics) > 1 && !(i == 0 && q.Window) {
			c := q
			c.Metrics = slices.Delete(slices.Clone(q.Metrics), i, i+1)
			out = append(out, c)
		}
	}
	for i := range q.Options {
		c := q
		c.Options = slices.Delete(slices.Clone(q.Options), i, i+1)
		out = append(out, c)
	}
	drop := func(f func(*genQuery)) {
		c := q
		f(&c)
		out = append(out, c.tidy())
	}
	if q.Wrap != "" {
		drop(func(c *genQuery) { c.Wrap = "" })
	}
	if q.Window {
		drop(func(c *genQuery) { c.Window = false })
	}
	if q.Having != "" {
		drop(func(c *genQuery) { c.Having = "" })
	}
	if q.Limit > 0 && !q.Bare {
		drop(func(c *genQuery) { c.Limit = 0 })
	}
	if q.TZ != "" {
		drop(func(c *genQuery) { c.TZ = "" })
	}
	if q.Join {
		drop(func(c *genQuery) { c.Join = false })
	}
	return out
}

// tidy drops what nothing references any more, and returns q unchanged
// when a dropped join is still referenced (the caller's step is then a
// no-op that check rejects as not smaller).
func (q genQuery) tidy() genQuery {
	usesJoin, usesParams, usesVar := false, false, false
	for _, c := range q.Where {
		usesJoin = usesJoin || c.Join
		usesParams = usesParams || c.Params
		usesVar = usesVar || c.Var
	}
	for _, d := range q.Dims {
		usesJoin = usesJoin || d.Join
	}
	if !q.Join && usesJoin {
		var keep []genCond
		for _, c := range q.Where {
			if !c.Join {
				keep = append(keep, c)
			}
		}
		q.Where = keep
		var dims []genDim
		for _, d := range q.Dims {
			if !d.Join {
				dims = append(dims, d)
			}
		}
		q.Dims = dims
	}
	if !usesParams {
		q.Params = ""
	}
	if !usesVar {
		q.Vars = nil
	}
	return q
}

// splitTop splits "(a OR b)" or "(a AND b)" at its top-level operator.
func splitTop(s string) []string {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil
	}
	in := s[1 : len(s)-1]
	depth, quoted := 0, false
	for i := 0; i < len(in); i++ {
		switch ch := in[i]; {
		case ch == '\'':
			quoted = !quoted
		case quoted:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case depth == 0:
			for _, op := range []string{" OR ", " AND "} {
				if strings.HasPrefix(in[i:], op) {
					return []string{in[:i], in[i+len(op):]}
				}
			}
		}
	}
	return nil
}

// regressionDir holds the shrunk failures, one JSON genQuery per file.
const regressionDir = "testdata/differential"

// saveRegression writes a shrunk failing query as a regression case.
func saveRegression(t testing.TB, q genQuery, d diffResult, today time.Time) string {
	data, err := json.MarshalIndent(struct {
		Oracle string   `json:"oracle"`
		SQL    string   `json:"sql"` // as rendered on the day it was found, for reading
		Query  genQuery `json:"query"`
	}{d.oracle, fillDays(strings.Join(append(q.prelude(), q.sql()), "; "), today), q}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := regressionDir
	if v := os.Getenv("FBSQL_DIFF_OUT"); v != "" {
		dir = v // a long run keeps its finds apart, for a person to sort
	}
	name := filepath.Join(dir, fmt.Sprintf("%s-%08x.json", d.oracle, hashString(string(data))))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func hashString(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// TestDifferentialRegressions replays every kept case under every oracle.
func TestDifferentialRegressions(t *testing.T) {
	replay(t, regressionDir, func(t *testing.T, f string, q genQuery, d diffResult, h *diffHarness) {
		t.Errorf("%s differs under oracle %s:\n%s\n%s", f, d.oracle, fillDays(q.sql(), h.today), d.detail)
	})
}

// TestDifferentialOpenFindings replays the cases of findings not fixed
// yet (testdata/differential/open, each naming its FINDINGS-11 entry): a
// case that still differs is reported as a skip, one that agrees asks to
// be moved up to the regression cases.
func TestDifferentialOpenFindings(t *testing.T) {
	defer func(taut bool) { tautologyOracle = taut }(tautologyOracle)
	tautologyOracle = true
	replay(t, filepath.Join(regressionDir, "open"), func(t *testing.T, f string, q genQuery, d diffResult, h *diffHarness) {
		t.Skipf("still open: %s differs under oracle %s:\n%s\n%s", f, d.oracle, fillDays(q.sql(), h.today), d.detail)
	})
}

// replay runs every case in dir; differs is called for each that differs,
// and a case that agrees in the open dir is logged as fixed.
func replay(t *testing.T, dir string, differs func(*testing.T, string, genQuery, diffResult, *diffHarness)) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skip("no cases kept in " + dir)
	}
	h := newDiffHarness(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Query genQuery `json:"query"`
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			d, _ := h.check(c.Query)
			switch {
			case d.oracle != "":
				differs(t, f, c.Query, d, h)
			case filepath.Base(dir) == "open":
				t.Logf("fixed: move %s to %s", f, regressionDir)
			}
		})
	}
}
