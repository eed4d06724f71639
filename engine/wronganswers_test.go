package engine_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// The wrong-answer classes of issue 11, end to end on the sandbox. Every
// expected value comes from an oracle that does not trust the planner's
// pushdown: the same query with only the grain pushed (engine.Config
// GrainOnly), an equivalent spelling the planner already reads right, or
// the sandbox's own totals.

// pair is a full-pushdown engine and a grain-only engine on one sandbox.
type pair struct {
	full, ref *demo
}

func newPair(t testing.TB, extra ...string) *pair {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Seed: 7})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	open := func(grainOnly bool) *demo {
		eng, err := engine.Open(context.Background(), engine.Config{
			Graph:     graph.Config{BaseURL: srv.URL, Token: "sandbox-token"},
			Accounts:  append(append([]string{}, sb.AccountIDs()...), extra...),
			GrainOnly: grainOnly,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		return &demo{eng: eng, sb: sb}
	}
	return &pair{full: open(false), ref: open(true)}
}

func text(rows [][]string) string {
	var lines []string
	for _, r := range rows {
		lines = append(lines, strings.Join(r, " | "))
	}
	return strings.Join(lines, "\n")
}

// agree runs sql with full pushdown and checks its rows equal the oracle
// query's rows run with only the grain pushed; it returns the oracle's rows.
func (p *pair) agree(t *testing.T, sql, oracle string) string {
	t.Helper()
	got, want := text(p.full.rows(t, sql)), text(p.ref.rows(t, oracle))
	if got != want {
		t.Errorf("%s\n  gives %q\n%s (grain only)\n  gives %q", sql, got, oracle, want)
	}
	return want
}

// nonEmpty fails when an oracle's answer is empty or all zero, which would
// make a comparison prove nothing.
func nonEmpty(t *testing.T, what, answer string) {
	t.Helper()
	if strings.Trim(answer, "0 |.<nil>\n") == "" {
		t.Fatalf("%s: the oracle's answer %q is empty; the case tests nothing", what, answer)
	}
}

// Class 1: a decimal literal keeps its scale when pushed as a threshold.
func TestDecimalThresholds(t *testing.T) {
	p := newPair(t)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", day(-20), day(-10))
	for _, cond := range []string{"spend > 160.5", "clicks > 241.5", "spend >= 161.25", "spend < 160.5", "spend > 1.6e2", "clicks <= 241.5"} {
		q := fmt.Sprintf("SELECT count(*), round(sum(spend), 2) FROM insights WHERE level = 'ad' AND %s AND %s", rng, cond)
		nonEmpty(t, cond, p.agree(t, q, q))
	}
}

// Class 6: an account named twice, in SQL or in the configuration (X and
// act_X), is read once: totals equal the sandbox's.
func TestAccountsReadOnce(t *testing.T) {
	p := newPair(t)
	acct := p.full.sb.AccountIDs()[0]
	dup := newPair(t, "act_"+acct, acct)
	since, until := day(-20), day(-10)
	truth := p.full.sb.Truth(acct, since, until)
	all := p.full.truth(since, until)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", since, until)
	one := fmt.Sprintf("SELECT sum(impressions), sum(clicks) FROM insights WHERE %s AND account_id IN ('%s', '%[2]s', 'act_%[2]s')", rng, acct)
	if got, want := strings.Join(p.full.one(t, one), " "), fmt.Sprintf("%d %d", truth.Impressions, truth.Clicks); got != want {
		t.Errorf("%s\n  gives %s, the sandbox says %s", one, got, want)
	}
	every := fmt.Sprintf("SELECT sum(impressions), sum(clicks) FROM insights WHERE %s", rng)
	if got, want := strings.Join(dup.full.one(t, every), " "), fmt.Sprintf("%d %d", all.Impressions, all.Clicks); got != want {
		t.Errorf("accounts configured twice: %s\n  gives %s, the sandbox says %s", every, got, want)
	}
	entities := "SELECT count(*) FROM campaigns"
	nonEmpty(t, entities, dup.agree(t, entities, entities))
	if got, want := text(dup.full.rows(t, entities)), text(p.full.rows(t, entities)); got != want {
		t.Errorf("accounts configured twice: %s gives %s, once %s", entities, got, want)
	}
	named := fmt.Sprintf("SELECT count(*) FROM campaigns WHERE account_id IN ('%s', '%[1]s')", acct)
	nonEmpty(t, named, p.agree(t, named, named))
}

// Class 10: an OR of equalities gives the same answer as the IN list.
func TestOrOfEqualitiesIsAnInList(t *testing.T) {
	p := newPair(t)
	for _, tbl := range []string{"campaigns", "adsets", "ads"} {
		in := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status IN ('ARCHIVED', 'DELETED')", tbl)
		or := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status = 'ARCHIVED' OR effective_status = 'DELETED'", tbl)
		want := text(p.full.rows(t, in))
		nonEmpty(t, in, want)
		if got := p.agree(t, or, or); got != want {
			t.Errorf("%s: OR gives %s, IN gives %s", tbl, got, want)
		}
	}
}

// Class 9: a view over a virtual table is refused up front with a clear
// message; it never fails later on an internal table name or reads empty.
func TestViewsOverVirtualTablesAreRefused(t *testing.T) {
	d := newDemo(t)
	var st engine.Stats
	_, err := collect(context.Background(), d.eng, "CREATE VIEW v AS SELECT spend FROM insights", &st)
	if err == nil || !strings.Contains(err.Error(), "a view cannot read the virtual table insights") ||
		!strings.Contains(err.Error(), "CREATE TABLE") || strings.Contains(err.Error(), "fb_") {
		t.Fatalf("CREATE VIEW over insights: error %v, want the refusal naming insights and the CREATE TABLE form", err)
	}
	if st.Requests != 0 {
		t.Errorf("the refused view sent %d requests", st.Requests)
	}
	if _, err := collect(context.Background(), d.eng, "SELECT * FROM v", nil); err == nil {
		t.Error("the refused view exists")
	}
	// A snapshot works and keeps its rows.
	d.rows(t, "CREATE TABLE snap AS SELECT id FROM campaigns")
	if got, want := d.one(t, "SELECT count(*) FROM snap")[0], d.one(t, "SELECT count(*) FROM campaigns")[0]; got != want || got == "0" {
		t.Errorf("snapshot has %s rows, campaigns %s", got, want)
	}
}

// Class 11: the JSON arrow reads its column (DuckDB parses `->` as a
// lambda node); the oracle is json_extract on the same column.
func TestJSONArrowReadsItsColumn(t *testing.T) {
	d := newDemo(t)
	got := text(d.rows(t, "SELECT id, (targeting->'age_max')::VARCHAR FROM adsets ORDER BY id"))
	want := text(d.rows(t, "SELECT id, json_extract(targeting, '$.age_max')::VARCHAR FROM adsets ORDER BY id"))
	nonEmpty(t, "age_max", want)
	if got != want {
		t.Errorf("targeting->'age_max' gives\n%s\njson_extract gives\n%s", got, want)
	}
}
