package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// The differential harness (issue 11): generated queries (querygen_test.go)
// are run on the demo and held to oracles that do not trust the planner:
//
//	grain-only  full pushdown gives the rows of the planner's GrainOnly mode,
//	            which pushes only what the grain requires;
//	tlp         for additive metrics, the groups' sums over WHERE p, WHERE NOT p
//	            and WHERE p IS NULL add up to the sums without p;
//	truth       when every conjunct reads only dates and accounts, the total
//	            equals the sandbox's own sums over the (account, day) pairs the
//	            conjuncts select, evaluated by a DuckDB that fbsql does not touch;
//	explain     the requests the sandbox received are the ones the plan shows
//	            (differential_explain_test.go).
//
// `go test ./engine` runs a bounded slice with a fixed seed;
// FBSQL_DIFF_QUERIES=N and FBSQL_DIFF_SEED=S run a longer one. A failure is
// shrunk and written to testdata/differential/ as a regression case, which
// every run replays.

// diffHarness holds the two engines, their sandboxes and the oracle's own DuckDB.
type diffHarness struct {
	full, grain     *engine.Engine
	fullSB, grainSB *sandbox.Server
	oracle          *sql.Conn // plain DuckDB: evaluates date conjuncts over a calendar
	today           time.Time // the sandbox's today (UTC)
	values          *genValues
	truths          map[string]sandbox.Totals // account|day → that account-day's truth
}

func openEngine(t testing.TB, grainOnly bool) (*engine.Engine, *sandbox.Server) {
	d := enginetest.New(t, sandbox.Config{Seed: 7}, func(c *engine.Config) {
		c.GrainOnly = grainOnly
		// The sandbox finishes report runs at once: poll without waiting.
		c.PollMin, c.PollMax = time.Millisecond, 5*time.Millisecond
	})
	return d.Engine, d.Sandbox.Server
}

func newDiffHarness(t testing.TB) *diffHarness {
	h := &diffHarness{truths: map[string]sandbox.Totals{}}
	h.full, h.fullSB = openEngine(t, false)
	h.grain, h.grainSB = openEngine(t, true)
	h.today = time.Now().UTC().Truncate(24 * time.Hour)
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	if h.oracle, err = db.Conn(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.oracle.Close() })
	h.values = h.loadValues(t)
	return h
}

// loadValues reads ids and names for the generator, through the grain-only engine.
func (h *diffHarness) loadValues(t testing.TB) *genValues {
	v := &genValues{accounts: h.fullSB.AccountIDs()}
	col := func(sql string, into *[]string) {
		rows, err := collect(context.Background(), h.grain, sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			*into = append(*into, r[0])
		}
		// A value no row has, so IN lists also test absent values.
		*into = append(*into, "999999")
	}
	rng := "date_start >= current_date - 60"
	col("SELECT DISTINCT campaign_id FROM insights WHERE "+rng+" ORDER BY 1", &v.campaigns)
	col("SELECT DISTINCT adset_id FROM insights WHERE "+rng+" ORDER BY 1 LIMIT 30", &v.adsets)
	col("SELECT DISTINCT ad_id FROM insights WHERE "+rng+" ORDER BY 1 LIMIT 40", &v.ads)
	col("SELECT DISTINCT campaign_name FROM insights WHERE "+rng+" ORDER BY 1", &v.campaignNames)
	col("SELECT DISTINCT ad_name FROM insights WHERE "+rng+" ORDER BY 1 LIMIT 30", &v.adNames)
	return v
}

// run executes the query's script on eng and returns the rows of its last
// statement as text.
func (h *diffHarness) run(eng *engine.Engine, q genQuery) ([][]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, s := range q.prelude() {
		if _, err := collect(ctx, eng, fillDays(s, h.today), nil); err != nil {
			return nil, err
		}
	}
	return collect(ctx, eng, fillDays(q.sql(), h.today), nil)
}

// diffResult is one oracle's verdict on one query.
type diffResult struct {
	oracle string
	detail string // why it differs; "" when it agrees
}

// check runs every oracle that applies to q; it returns the first
// difference (oracle "" when all agree) and whether the query was refused
// with an error by both modes (the refusal text in detail).
func (h *diffHarness) check(q genQuery) (diff diffResult, refused string) {
	return h.checkOnly(q, "")
}

// checkOnly is check running only one oracle ("" = all), for shrinking.
func (h *diffHarness) checkOnly(q genQuery, only string) (diff diffResult, refused string) {
	h.fullSB.ResetRequests()
	full, errF := h.run(h.full, q)
	sent := h.fullSB.Requests() // for the explain oracle, before tlp sends more
	grain, errG := h.run(h.grain, q)
	switch {
	case errF != nil && errG != nil:
		if leaksInternal(errF.Error()) {
			return diffResult{"grain-only", "error names an internal table: " + errF.Error()}, ""
		}
		return diffResult{}, errF.Error()
	case errF != nil || errG != nil:
		return diffResult{"grain-only", fmt.Sprintf("full pushdown error: %v\ngrain-only error: %v", errF, errG)}, ""
	}
	oracles := []struct {
		name string
		run  func() string
	}{
		{"grain-only", func() string { return compareRows(q, full, grain) }},
		{"tlp", func() string { return h.tlp(q) }},
		{"truth", func() string { return h.truth(q, full) }},
		{"explain", func() string { return h.explain(q, sent) }},
	}
	for _, o := range oracles {
		if only != "" && only != o.name {
			continue
		}
		if d := o.run(); d != "" {
			return diffResult{o.name, d}, ""
		}
	}
	return diffResult{}, ""
}

// leaksInternal reports an error text that shows fbsql's temporary table names.
func leaksInternal(msg string) bool { return strings.Contains(msg, "fb_insights_") }

// compareRows compares two results as multisets of rows; for a bare
// ORDER BY metric LIMIT n only the metric column, since ties may pick
// different rows with the same value.
func compareRows(q genQuery, a, b [][]string) string {
	key := func(rows [][]string) []string {
		var out []string
		for _, r := range rows {
			if q.Bare {
				out = append(out, r[len(q.Dims)])
			} else {
				out = append(out, strings.Join(r, "|"))
			}
		}
		sort.Strings(out)
		return out
	}
	ka, kb := key(a), key(b)
	if slices.Equal(ka, kb) {
		return ""
	}
	return fmt.Sprintf("full pushdown: %d rows %s\ngrain-only:    %d rows %s", len(ka), clip(ka), len(kb), clip(kb))
}

func clip(rows []string) string {
	if len(rows) > 6 {
		return fmt.Sprint(rows[:6]) + "…"
	}
	return fmt.Sprint(rows)
}

// tlpApplies: the query's metrics are all sums of additive metrics and
// nothing drops groups or rows after aggregation.
func tlpApplies(q genQuery) bool {
	if q.Having != "" || q.Limit > 0 || q.Bare || q.Window {
		return false
	}
	for _, m := range q.Metrics {
		if !isAdditiveSum(m) {
			return false
		}
	}
	return true
}

func isAdditiveSum(m string) bool {
	for _, a := range additive {
		if m == "sum(i."+a+")" {
			return true
		}
	}
	return false
}

// sums adds the metric columns of rows per group (the dimension columns)
// exactly; a NULL sum counts as zero (a group whose rows all lack the metric).
func sums(q genQuery, rows [][]string) (map[string][]*big.Rat, error) {
	out := map[string][]*big.Rat{}
	nd := len(q.Dims)
	for _, r := range rows {
		k := strings.Join(r[:nd], "|")
		acc := out[k]
		if acc == nil {
			acc = make([]*big.Rat, len(q.Metrics))
			for i := range acc {
				acc[i] = new(big.Rat)
			}
			out[k] = acc
		}
		for i := range q.Metrics {
			s := r[nd+i]
			if s == "<nil>" {
				continue
			}
			x, ok := new(big.Rat).SetString(s)
			if !ok {
				return nil, fmt.Errorf("metric %q is not a number", s)
			}
			acc[i].Add(acc[i], x)
		}
	}
	return out, nil
}

// tlp partitions the query on one conjunct p: per group, the sums over
// p, NOT p and p IS NULL must add up to the sums of the query without p.
// p is the last conjunct whose removal leaves the date constraint as it
// was (a non-date conjunct, or a date one next to another date one).
func (h *diffHarness) tlp(q genQuery) string {
	if !tlpApplies(q) {
		return ""
	}
	dates := 0
	for _, c := range q.Where {
		if c.Date {
			dates++
		}
	}
	pi := -1
	for i, c := range q.Where {
		if !c.Date || dates > 1 {
			pi = i
		}
	}
	if pi < 0 {
		return ""
	}
	p := q.Where[pi]
	// The base keeps p's columns, as (p) OR NOT (p) OR (p) IS NULL, which
	// is true on every row: the columns a query reads set the grain of
	// its rows, and thresholds on metrics hold or fail per row.
	base := q
	base.Where = slices.Clone(q.Where)
	base.Where[pi].SQL = fmt.Sprintf("((%[1]s) OR NOT (%[1]s) OR (%[1]s) IS NULL)", p.SQL)
	baseRows, err := h.run(h.full, base)
	if err != nil {
		return "" // the query without p is refused: nothing to compare
	}
	want, err := sums(base, baseRows)
	if err != nil {
		return err.Error()
	}
	got := map[string][]*big.Rat{}
	for _, form := range []string{"(%s)", "NOT (%s)", "(%s) IS NULL"} {
		part := q
		part.Where = slices.Clone(q.Where)
		part.Where[pi].SQL = fmt.Sprintf(form, p.SQL)
		rows, err := h.run(h.full, part)
		if err != nil {
			return fmt.Sprintf("partition WHERE %s fails while the whole answers: %v", part.Where[pi].SQL, err)
		}
		s, err := sums(part, rows)
		if err != nil {
			return err.Error()
		}
		for k, v := range s {
			if got[k] == nil {
				got[k] = v
				continue
			}
			for i := range v {
				got[k][i].Add(got[k][i], v[i])
			}
		}
	}
	return diffSums(want, got, "without p", "p + NOT p + p IS NULL")
}

func diffSums(want, got map[string][]*big.Rat, wantName, gotName string) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var bad []string
	for k := range keys {
		w, g := want[k], got[k]
		for i := range max(len(w), len(g)) {
			wv, gv := new(big.Rat), new(big.Rat)
			if i < len(w) {
				wv = w[i]
			}
			if i < len(g) {
				gv = g[i]
			}
			if wv.Cmp(gv) != 0 {
				bad = append(bad, fmt.Sprintf("group [%s] m%d: %s %s, %s %s", k, i, wantName, wv.FloatString(2), gotName, gv.FloatString(2)))
			}
		}
	}
	sort.Strings(bad)
	if len(bad) == 0 {
		return ""
	}
	if len(bad) > 5 {
		bad = append(bad[:5], fmt.Sprintf("… %d groups differ", len(bad)))
	}
	return strings.Join(bad, "\n")
}

// truthApplies: every conjunct reads only dates and accounts, and the
// metrics are sums of additive ones, so the total is known to the sandbox.
func truthApplies(q genQuery) bool {
	if !tlpApplies(q) {
		return false
	}
	for _, c := range q.Where {
		if !c.Date && !c.Acct {
			return false
		}
	}
	return true
}

// truth compares the query's total over all groups with the sandbox's sums
// over the account-days its conjuncts select.
func (h *diffHarness) truth(q genQuery, rows [][]string) string {
	if !truthApplies(q) {
		return ""
	}
	pairs, err := h.selectedDays(q)
	if err != nil {
		return "oracle: " + err.Error()
	}
	want := make([]*big.Rat, len(q.Metrics))
	for i := range want {
		want[i] = new(big.Rat)
	}
	for _, p := range pairs {
		t := h.dayTruth(p[0], p[1])
		for i, m := range q.Metrics {
			var v *big.Rat
			switch m {
			case "sum(i.impressions)":
				v = big.NewRat(t.Impressions, 1)
			case "sum(i.clicks)":
				v = big.NewRat(t.Clicks, 1)
			case "sum(i.spend)":
				v = big.NewRat(t.SpendCents, 100)
			case "sum(i.inline_link_clicks)":
				v = big.NewRat(t.InlineLinkClicks, 1)
			}
			want[i].Add(want[i], v)
		}
	}
	all := q
	all.Dims = nil
	got, err := sums(all, rows2totals(q, rows))
	if err != nil {
		return err.Error()
	}
	return diffSums(map[string][]*big.Rat{"": want}, got, "sandbox truth", "fbsql")
}

// rows2totals drops the dimension columns, so sums adds every row into one group.
func rows2totals(q genQuery, rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[len(q.Dims):]
	}
	return out
}

func (h *diffHarness) dayTruth(acct, day string) sandbox.Totals {
	k := acct + "|" + day
	t, ok := h.truths[k]
	if !ok {
		t = h.fullSB.Truth(acct, day, day)
		h.truths[k] = t
	}
	return t
}

// selectedDays evaluates the query's conjuncts (all on dates and
// accounts) in the oracle's own DuckDB, under the query's time zone and
// variables, over every account and every day the API can report; with
// no date conjunct, the API's default range (the 30 days before today).
func (h *diffHarness) selectedDays(q genQuery) ([][2]string, error) {
	ctx := context.Background()
	for _, s := range q.prelude() {
		if _, err := h.oracle.ExecContext(ctx, fillDays(s, h.today)); err != nil {
			return nil, err
		}
	}
	lo, hi := h.today.AddDate(0, 0, -400), h.today
	var where []string
	dated := false
	for _, c := range q.Where {
		where = append(where, fillDays(c.SQL, h.today))
		dated = dated || c.Date
	}
	if !dated {
		lo, hi = h.today.AddDate(0, 0, -30), h.today.AddDate(0, 0, -1)
	}
	accts := "'" + strings.Join(h.values.accounts, "', '") + "'"
	var b strings.Builder
	if q.Params != "" {
		b.WriteString("WITH p AS (SELECT " + fillDays(q.Params, h.today) + ") ")
	}
	fmt.Fprintf(&b, "SELECT i.account_id, strftime(i.date_start, '%%Y-%%m-%%d') FROM (SELECT a AS account_id, CAST(d AS DATE) AS date_start, CAST(d AS DATE) AS date_stop FROM unnest([%s]) t(a), range(DATE '%s', DATE '%s' + INTERVAL 1 DAY, INTERVAL 1 DAY) r(d)) i",
		accts, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
	if q.Params != "" {
		b.WriteString(", p")
	}
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	rows, err := h.oracle.QueryContext(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.String(), err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

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
	name := filepath.Join(regressionDir, fmt.Sprintf("%s-%08x.json", d.oracle, hashString(string(data))))
	if err := os.MkdirAll(regressionDir, 0o755); err != nil {
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

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestDifferential runs generated queries through every oracle. A
// difference is shrunk, printed and kept in testdata/differential/.
func TestDifferential(t *testing.T) {
	n := envInt("FBSQL_DIFF_QUERIES", 150)
	if testing.Short() {
		n = 30
	}
	seed := envInt("FBSQL_DIFF_SEED", 11)
	h := newDiffHarness(t)
	shapes := map[string]int{}
	refusals, examples := map[string]int{}, map[string]string{}
	failures := 0
	for i := range n {
		q := newGen(uint64(seed)*1_000_003+uint64(i), h.values).query()
		shapes[q.shape()]++
		start := time.Now()
		d, refused := h.check(q)
		if el := time.Since(start); el > 2*time.Second {
			t.Logf("query %d took %v: %s", i, el.Round(time.Millisecond), fillDays(q.sql(), h.today))
		}
		if refused != "" {
			if refusals[firstLine(refused)]++; refusals[firstLine(refused)] == 1 {
				examples[firstLine(refused)] = fillDays(q.sql(), h.today)
			}
		}
		if d.oracle == "" {
			continue
		}
		failures++
		small := h.shrink(q, d.oracle)
		sd, _ := h.check(small)
		file := saveRegression(t, small, sd, h.today)
		t.Errorf("query %d (seed %d) differs under oracle %s; shrunk to (kept in %s):\n%s\n%s",
			i, seed, d.oracle, file, fillDays(strings.Join(append(small.prelude(), small.sql()), ";\n"), h.today), sd.detail)
		if failures >= 10 {
			t.Fatalf("stopping after %d differences", failures)
		}
	}
	t.Logf("%d queries, %d distinct shapes, %d differences, %d refused by both modes", n, len(shapes), failures, sumCounts(refusals))
	for msg, c := range refusals {
		t.Logf("  refused %d×: %s\n    e.g. %s", c, msg, examples[msg])
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// TestDifferentialRegressions replays every kept case under every oracle.
func TestDifferentialRegressions(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(regressionDir, "*.json"))
	if len(files) == 0 {
		t.Skip("no regression cases kept")
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
			if d, _ := h.check(c.Query); d.oracle != "" {
				t.Errorf("%s differs under oracle %s:\n%s\n%s", f, d.oracle, fillDays(c.Query.sql(), h.today), d.detail)
			}
		})
	}
}
