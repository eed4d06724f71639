package fbsql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// testSandbox serves a sandbox on 127.0.0.1 and points the environment's
// token at it, as a real deployment would set FB_ACCESS_TOKEN.
func testSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	run, err := sandbox.Start(context.Background(), sandbox.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	t.Setenv("FB_ACCESS_TOKEN", run.Token)
	t.Setenv("FBSQL_CONFIG", filepath.Join(t.TempDir(), "none"))
	return run.Server, run.URL
}

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

// TestDriverTypedTotals runs the CLI's typed aggregate checks through
// database/sql: totals equal the sandbox's ground truth, and each column
// scans to the Go type the package doc promises.
func TestDriverTypedTotals(t *testing.T) {
	sb, url := testSandbox(t)
	db, err := sql.Open("fbsql", "cache=off graph_url="+url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	since, until := day(-20), day(-10)
	var want sandbox.Totals
	for _, a := range sb.AccountIDs() {
		tr := sb.Truth(a, since, until)
		want.Impressions += tr.Impressions
		want.Clicks += tr.Clicks
		want.SpendCents += tr.SpendCents
	}
	var spend string
	var imps, clicks int64
	err = db.QueryRowContext(context.Background(),
		`SELECT sum(spend), sum(impressions), sum(clicks) FROM insights WHERE date_start BETWEEN $1 AND $2`,
		since, until).Scan(&spend, &imps, &clicks)
	if err != nil {
		t.Fatal(err)
	}
	cents, ok := new(big.Rat).SetString(spend)
	if !ok {
		t.Fatalf("spend %q is not an exact decimal", spend)
	}
	cents.Mul(cents, big.NewRat(100, 1))
	if got := fmt.Sprintf("%s %d %d", cents.RatString(), imps, clicks); got != fmt.Sprintf("%d %d %d", want.SpendCents, want.Impressions, want.Clicks) {
		t.Errorf("got %s, want %d %d %d (spend cents, impressions, clicks)", got, want.SpendCents, want.Impressions, want.Clicks)
	}

	rows, err := db.Query(`SELECT date_start, sum(impressions) AS impressions, sum(spend) AS spend, any_value(account_id) AS account
		FROM insights WHERE date_start = ? GROUP BY 1`, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	var vals [4]any
	if err := rows.Scan(&vals[0], &vals[1], &vals[2], &vals[3]); err != nil {
		t.Fatal(err)
	}
	if d, ok := vals[0].(time.Time); !ok || d.Format(time.DateOnly) != "2026-11-01" {
		t.Errorf("date_start = %#v, want time.Time 2026-11-01", vals[0])
	}
	if _, ok := vals[1].(int64); !ok {
		t.Errorf("impressions is %T, want int64", vals[1])
	}
	if s, ok := vals[2].(string); !ok || !strings.Contains(s, ".") {
		t.Errorf("spend is %#v, want exact decimal text", vals[2])
	}
	if _, ok := vals[3].(string); !ok {
		t.Errorf("account is %T, want string", vals[3])
	}
	cts, _ := rows.ColumnTypes()
	if cts[0].DatabaseTypeName() != "DATE" || !strings.HasPrefix(cts[2].DatabaseTypeName(), "DECIMAL") {
		t.Errorf("column types %s, %s", cts[0].DatabaseTypeName(), cts[2].DatabaseTypeName())
	}
}

// TestBoundDatesPushDownLikeLiterals compares the Graph requests of a
// query with $1/$2 dates against the same query with the dates written in.
func TestBoundDatesPushDownLikeLiterals(t *testing.T) {
	sb, url := testSandbox(t)
	ctx := context.Background()
	db, err := fbsql.Open(ctx, fbsql.Options{GraphURL: url, Cache: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	since, until := day(-9), day(-3)
	version := graph.DefaultVersion
	run := func(q string, args ...any) (string, []string) {
		sb.ResetRequests()
		rows, err := db.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			out = append(out, fmt.Sprint(rows.Values()...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		var reqs []string // in any order: accounts are fetched in parallel
		for _, r := range sb.Requests() {
			if r.Path != "/"+version+"/me/adaccounts" { // discovered once per session
				reqs = append(reqs, fmt.Sprint(r))
			}
		}
		sort.Strings(reqs)
		return strings.Join(out, "\n"), reqs
	}
	if n, _ := run("SELECT count(*) FROM ad_accounts"); n == "0" {
		t.Fatal("no accounts")
	}
	q := `SELECT campaign_name, sum(spend) FROM insights WHERE date_start BETWEEN %s AND %s AND campaign_id <> %s GROUP BY 1 ORDER BY 1`
	lit, litReqs := run(fmt.Sprintf(q, "'"+since+"'", "'"+until+"'", "'0'"))
	par, parReqs := run(fmt.Sprintf(q, "$1", "$2", "$3"), since, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, daysSince(until)), "0")
	if lit != par || lit == "" {
		t.Errorf("rows differ:\nliteral\n%s\nbound\n%s", lit, par)
	}
	if fmt.Sprint(litReqs) != fmt.Sprint(parReqs) {
		t.Errorf("requests differ:\nliteral %v\nbound   %v", litReqs, parReqs)
	}
	for _, r := range parReqs {
		if !strings.Contains(r, `time_range:{"since":"`+since+`","until":"`+until+`"}`) {
			t.Errorf("bound dates were not pushed down: %s", r)
		}
	}
}

// daysSince turns a date into days after 2026-01-01, so the bound value is
// a time.Time built independently of the literal's text.
func daysSince(d string) int {
	t, _ := time.Parse(time.DateOnly, d)
	return int(t.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

func TestConfigValuesThatDoNotParse(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"cache_ttl = 15 minutes", `:2: cache_ttl: "15 minutes" is not a duration; use a number with a unit, such as 15m`},
		{"freeze_days = two", `:2: freeze_days: "two" is not a number of days; use a whole number such as 28`},
		{"cache = sometimes", `:2: cache: cache mode "sometimes": use on, off or refresh`},
		{"accounts = act_x", `:2: accounts: "act_x" is not an ad account id`},
		{"attribution_windows = 3d_click", `:2: attribution_windows: `},
	} {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte("[default]\n"+c.line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := fbsql.Configure(fbsql.Options{Demo: true, ConfigFile: path})
		var ce *fbsql.ConfigError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errorsAs(err, &ce) {
			t.Errorf("%s: got %v, want a config error containing %q", c.line, err, c.want)
		}
	}
}

func TestDSN(t *testing.T) {
	o, err := fbsql.ParseDSN("demo=true accounts=act_1,2 cache=off attribution_windows='7d_click,1d_view' profile=work")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Demo || strings.Join(o.Accounts, "|") != "act_1|2" || o.Cache != "off" || o.AttributionWindows != "7d_click,1d_view" || o.Profile != "work" {
		t.Errorf("parsed %+v", o)
	}
	for dsn, want := range map[string]string{
		"demo=true token=EAAsecret": "token is not accepted, because a DSN ends up in logs; set FB_ACCESS_TOKEN or token_file=PATH",
		"demo=maybe":                `demo: "maybe" is not a boolean`,
		"cache=sometimes":           "cache: \"sometimes\": use on, off or refresh",
		"acounts=act_1":             `unknown key "acounts"; keys are accounts, api_version`,
		"demo":                      "expected key=value pairs",
		"accounts=abc":              `"abc" is not an ad account id`,
	} {
		_, err := fbsql.ParseDSN(dsn)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", dsn, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "EAAsecret") {
			t.Errorf("%s: the error repeats the token", dsn)
		}
	}
	if _, err := sql.Open("fbsql", "token=x"); err == nil {
		t.Error("sql.Open accepted a token in the DSN")
	}
}

func TestTokenFile(t *testing.T) {
	_, url := testSandbox(t)
	t.Setenv("FB_ACCESS_TOKEN", "")
	path := filepath.Join(t.TempDir(), "token")
	os.WriteFile(path, []byte("sandbox-token\n"), 0o600)
	db, err := sql.Open("fbsql", "cache=off graph_url="+url+" token_file="+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM ad_accounts`).Scan(&n); err != nil || n == 0 {
		t.Errorf("count %d, %v", n, err)
	}
	db2, _ := sql.Open("fbsql", "cache=off graph_url="+url)
	defer db2.Close()
	if err := db2.Ping(); err == nil || !strings.Contains(err.Error(), "no access token") {
		t.Errorf("without a token: %v", err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// TestExampleOutputsAreSandboxTruth checks every "day amount" line of the
// examples' // Output blocks against the demo sandbox's ground truth, so
// the examples' numbers are not merely copied from the code under test.
func TestExampleOutputsAreSandboxTruth(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	demo := sandbox.New(sandbox.Config{Seed: 1}) // what Options.Demo serves
	line := regexp.MustCompile(`// (?:Output: )?(\d{4}-\d{2}-\d{2}) (\d+\.\d{2})\b`)
	found := 0
	for _, m := range line.FindAllStringSubmatch(string(src), -1) {
		var cents int64
		for _, a := range demo.AccountIDs() {
			cents += demo.Truth(a, m[1], m[1]).SpendCents
		}
		if want := fmt.Sprintf("%d.%02d", cents/100, cents%100); want != m[2] {
			t.Errorf("example prints spend %s on %s; the sandbox's truth is %s", m[2], m[1], want)
		}
		found++
	}
	if found < 4 {
		t.Errorf("found %d day/amount lines in the examples' output; want 4", found)
	}
}
