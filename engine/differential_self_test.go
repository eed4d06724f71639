package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/sandbox"
	"github.com/fbsql/fbsql/planner"
)

// The oracles themselves are tested here: each must report a difference
// it is shown, or a green run would prove nothing.

func TestOracleComparesRowsAsMultisets(t *testing.T) {
	q := genQuery{Dims: []genDim{{SQL: "i.country"}}, Metrics: []string{"sum(i.spend)"}}
	a := [][]string{{"US", "1.50"}, {"GB", "2.00"}}
	if d := compareRows(q, a, [][]string{{"GB", "2.00"}, {"US", "1.50"}}); d != "" {
		t.Errorf("same rows in another order differ: %s", d)
	}
	if d := compareRows(q, a, [][]string{{"US", "1.50"}, {"GB", "2.01"}}); d == "" {
		t.Error("a cent's difference went unnoticed")
	}
	if d := compareRows(q, a, append(a, a[0])); d == "" {
		t.Error("a duplicated row went unnoticed")
	}
}

func TestOracleSumsExactly(t *testing.T) {
	q := genQuery{Dims: []genDim{{SQL: "i.country"}}, Metrics: []string{"sum(i.spend)"}}
	parts, _ := sums(q, [][]string{{"US", "0.10"}, {"US", "0.20"}, {"GB", "<nil>"}})
	whole, _ := sums(q, [][]string{{"US", "0.30"}, {"GB", "0"}})
	if d := diffSums(whole, parts, "whole", "parts"); d != "" {
		t.Errorf("0.10 + 0.20 should be exactly 0.30: %s", d)
	}
	whole, _ = sums(q, [][]string{{"US", "0.31"}})
	if d := diffSums(whole, parts, "whole", "parts"); d == "" {
		t.Error("a wrong sum went unnoticed")
	}
}

func TestOracleTruthCatchesAWrongTotal(t *testing.T) {
	h := newDiffHarness(t)
	day := "{d:-5}"
	q := genQuery{Metrics: []string{"sum(i.impressions)"}, Where: []genCond{{SQL: "i.date_start = DATE '" + day + "'", Date: true}}}
	rows, err := h.run(h.full, q)
	if err != nil {
		t.Fatal(err)
	}
	if d := h.truth(q, rows); d != "" {
		t.Fatalf("fbsql disagrees with the sandbox on one day: %s", d)
	}
	if d := h.truth(q, [][]string{{"1"}}); d == "" {
		t.Error("a wrong total went unnoticed")
	}
}

func TestOracleExplainCatchesUnshownRequests(t *testing.T) {
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tbl, _ := fbtables.DefaultCatalog().Table("insights")
	st := &planner.Statement{Scans: []*planner.Scan{{Table: tbl, Path: "act_{account}/insights", Params: []planner.Param{
		{Key: "level", Value: "campaign"}, {Key: "fields", Value: []string{"account_id", "spend"}},
		{Key: "time_range", Value: map[string]string{"since": "2026-11-01", "until": "2026-11-04"}},
	}}}}
	req := func(method, acct, since, until, level string) sandbox.Request {
		return sandbox.Request{Method: method, Path: "/v25.0/act_" + acct + "/insights", Params: map[string]string{
			"level": level, "fields": "account_id,spend", "limit": "5000",
			"time_range": `{"since":"` + since + `","until":"` + until + `"}`}}
	}
	accts := []string{"1", "2"}
	good := []sandbox.Request{req("GET", "1", "2026-11-01", "2026-11-02", "campaign"), req("GET", "1", "2026-11-03", "2026-11-04", "campaign"),
		req("GET", "2", "2026-11-01", "2026-11-04", "campaign")}
	if d := compareExplain(st, good, accts, today); d != "" {
		t.Errorf("time slices that cover the plan's range differ: %s", d)
	}
	cases := map[string][]sandbox.Request{
		"a day missing":    {good[0], good[2]},
		"another level":    {good[0], good[1], req("GET", "2", "2026-11-01", "2026-11-04", "ad")},
		"an extra account": append(good, req("GET", "3", "2026-11-01", "2026-11-04", "campaign")),
		"async":            {good[0], good[1], req("POST", "2", "2026-11-01", "2026-11-04", "campaign")},
	}
	for name, log := range cases {
		if d := compareExplain(st, log, accts, today); d == "" {
			t.Errorf("%s went unnoticed", name)
		}
	}
}

func TestShrinkStepsStayValid(t *testing.T) {
	q := genQuery{Join: true, Params: "DATE '{d:-3}' AS since", Metrics: []string{"sum(i.spend)", "sum(i.clicks)"},
		Dims:  []genDim{{SQL: "c.objective", Join: true}},
		Where: []genCond{{SQL: "i.date_start >= p.since", Date: true, Params: true}, {SQL: "(i.spend > 1 OR c.name IS NULL)", Join: true}}}
	for _, c := range shrinkSteps(q) {
		sql := c.sql()
		if !c.Join && strings.Contains(sql, "c.") {
			t.Errorf("a step dropped the join but kept a reference: %s", sql)
		}
		if c.Params == "" && strings.Contains(sql, "p.since") {
			t.Errorf("a step dropped the parameters but kept a reference: %s", sql)
		}
	}
	if got := splitTop("(a = '(x OR y)' OR (b AND c))"); len(got) != 2 || got[0] != "a = '(x OR y)'" || got[1] != "(b AND c)" {
		t.Errorf("splitTop = %q", got)
	}
}
