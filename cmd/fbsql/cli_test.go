package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binary is the fbsql built once for every test: CLI tests run the real program.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fbsql-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "fbsql")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build fbsql: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// fbsql runs the binary with a clean environment (a fresh HOME) plus env.
func fbsql(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	r := runBinary("", stdin, append([]string{"HOME=" + t.TempDir()}, env...), args)
	if r.code == -1 {
		t.Fatal(r.stderr)
	}
	return r
}

func dayOffset(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

func TestDemoCampaignSpendCSV(t *testing.T) {
	sql := fmt.Sprintf("SELECT campaign_name, sum(spend) AS spend FROM insights WHERE date_start >= DATE '%s' AND date_start < DATE '%s' GROUP BY 1 ORDER BY 2 DESC", dayOffset(-30), dayOffset(-1))
	r := fbsql(t, "", nil, "--demo", "-e", sql, "--format", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "campaign_name,spend" {
		t.Fatalf("header %q", lines[0])
	}
	if len(lines) < 5 {
		t.Fatalf("only %d lines:\n%s", len(lines), r.stdout)
	}
	prev := 1e18
	for _, l := range lines[1:] {
		i := strings.LastIndex(l, ",")
		var v float64
		if _, err := fmt.Sscan(l[i+1:], &v); err != nil || l[:i] == "" {
			t.Fatalf("bad row %q", l)
		}
		if v > prev {
			t.Fatalf("not sorted by spend descending at %q", l)
		}
		prev = v
	}
}

func TestDemoJSONHasTypedValues(t *testing.T) {
	r := fbsql(t, "", nil, "--demo", "--format", "json", "-e",
		fmt.Sprintf("SELECT date_start, sum(impressions) AS impressions, sum(spend) AS spend, any_value(account_id) AS account FROM insights WHERE date_start = DATE '%s' GROUP BY 1", dayOffset(-3)))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	row := rows[0]
	if _, ok := row["impressions"].(float64); !ok {
		t.Errorf("impressions is %T, want a number", row["impressions"])
	}
	if _, ok := row["spend"].(float64); !ok {
		t.Errorf("spend is %T, want a number", row["spend"])
	}
	if row["date_start"] != dayOffset(-3) {
		t.Errorf("date_start = %v", row["date_start"])
	}
	if _, ok := row["account"].(string); !ok {
		t.Errorf("account id is %T, want a string", row["account"])
	}
}

func TestSQLFromStdin(t *testing.T) {
	r := fbsql(t, "SELECT count(*) AS n FROM campaigns;\nSELECT 42 AS answer;\n", nil, "--demo", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "n\n") || !strings.Contains(r.stdout, "answer\n42\n") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
}

// TestBadInput: every mistake gets a clear message, a non-zero exit and no Go stack trace.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"invalid SQL", nil, []string{"--demo", "-e", "SELEC 1"}, 1, `invalid SQL: syntax error at or near "SELEC"`},
		{"unknown column", nil, []string{"--demo", "-e", "SELECT spnd FROM insights"}, 1, `did you mean "spend"`},
		{"unknown table", nil, []string{"--demo", "-e", "SELECT * FROM insight"}, 1, "insight"},
		{"missing token", nil, []string{"-e", "SELECT 1"}, 2, "no access token: set FB_ACCESS_TOKEN"},
		{"unreachable server", []string{"FB_ACCESS_TOKEN=t0k"}, []string{"--graph-url", "http://127.0.0.1:1", "--account", "act_1", "-e", "SELECT name FROM campaigns"}, 1, "cannot reach the Graph API at http://127.0.0.1:1"},
		{"plain http to a remote host", []string{"FB_ACCESS_TOKEN=t0k"}, []string{"--graph-url", "http://example.com", "-e", "SELECT 1"}, 2, "loopback"},
		{"bad format", nil, []string{"--demo", "--format", "xml", "-e", "SELECT 1"}, 2, "unknown --format \"xml\""},
		{"unknown flag", nil, []string{"--nope"}, 2, "flag provided but not defined"},
		{"bad breakdown mix", nil, []string{"--demo", "-e", "SELECT age, country, sum(spend) FROM insights GROUP BY ALL"}, 1, "valid combinations are (age, gender)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := fbsql(t, "", c.env, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, c.want)
			}
			for _, bad := range []string{"goroutine ", "panic:", "t0k"} {
				if strings.Contains(r.stderr+r.stdout, bad) {
					t.Errorf("output contains %q:\n%s%s", bad, r.stdout, r.stderr)
				}
			}
		})
	}
}

// startSandbox runs `fbsql sandbox` and returns the base URL it prints first.
func startSandbox(t *testing.T, args ...string) string {
	t.Helper()
	srv := exec.Command(binary, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not a base URL", base)
	}
	return base
}

// TestStandaloneSandbox serves the sandbox as its own process and points
// fbsql at it, like a user pointing at any Graph-compatible server.
func TestStandaloneSandbox(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "requests.jsonl")
	base := startSandbox(t, "--token", "s3cret", "--log", logPath)

	since, until := dayOffset(-8), dayOffset(-2)
	sql := fmt.Sprintf("SELECT country, sum(spend) FROM insights WHERE date_start BETWEEN '%s' AND '%s' GROUP BY 1", since, until)
	r := fbsql(t, "", []string{"FB_ACCESS_TOKEN=s3cret"}, "--graph-url", base, "-e", sql, "--format", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "\n"); n < 3 {
		t.Fatalf("too few rows:\n%s", r.stdout)
	}

	bad := fbsql(t, "", []string{"FB_ACCESS_TOKEN=wrong-token"}, "--graph-url", base, "-e", sql)
	if bad.code != 1 || !strings.Contains(bad.stderr, "190") {
		t.Fatalf("wrong token: exit %d, stderr %q; want exit 1 and error 190", bad.code, bad.stderr)
	}
	if strings.Contains(bad.stderr, "wrong-token") {
		t.Fatal("error message contains the token")
	}

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var insights int
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		var req struct {
			Method string
			Path   string
			Params map[string]string
		}
		if err := json.Unmarshal([]byte(l), &req); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if strings.Contains(l, "s3cret") {
			t.Fatal("request log contains the token")
		}
		if strings.HasSuffix(req.Path, "/insights") && req.Params["after"] == "" && req.Params["breakdowns"] != "" {
			insights++
			want := map[string]string{"fields": "account_id,spend", "level": "account", "breakdowns": `["country"]`,
				"time_range": fmt.Sprintf(`{"since":"%s","until":"%s"}`, since, until)}
			for k, v := range want {
				if req.Params[k] != v {
					t.Errorf("logged %s=%q, want %q", k, req.Params[k], v)
				}
			}
		}
	}
	if insights == 0 {
		t.Fatalf("no insights request in the log:\n%s", log)
	}
}

// TestExplainJSON: scripts read EXPLAIN as JSON: requests with table, path
// and params, and the SQL DuckDB will run. Nothing is fetched.
func TestExplainJSON(t *testing.T) {
	r := fbsql(t, "", nil, "--demo", "--format", "json", "-e",
		"EXPLAIN SELECT i.campaign_name, c.objective, sum(i.spend) FROM insights i JOIN campaigns c ON c.id = i.campaign_id WHERE i.date_start >= current_date - 7 GROUP BY ALL")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var plan struct {
		Requests []struct {
			Table  string
			Path   string
			Params map[string]string
		}
		SQL string
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(plan.Requests) != 2 || plan.Requests[0].Table != "insights" || plan.Requests[1].Table != "campaigns" {
		t.Fatalf("requests: %+v", plan.Requests)
	}
	ins := plan.Requests[0]
	if ins.Path != "act_{account}/insights" || ins.Params["level"] != "campaign" || ins.Params["fields"] != "account_id,campaign_id,campaign_name,spend" {
		t.Errorf("insights request: %+v", ins)
	}
	if !strings.Contains(ins.Params["time_range"], dayOffset(-7)) {
		t.Errorf("time_range %q does not start 7 days ago", ins.Params["time_range"])
	}
	if !strings.Contains(plan.SQL, "fb_insights_0 i JOIN fb_campaigns_0 c") {
		t.Errorf("sql: %s", plan.SQL)
	}
}

// TestOutputFileFormats: -o picks the format from the extension; every
// file reads back (parquet through DuckDB itself).
func TestOutputFileFormats(t *testing.T) {
	dir := t.TempDir()
	sql := fmt.Sprintf("SELECT campaign_id, sum(clicks) AS clicks FROM insights WHERE date_start = '%s' GROUP BY 1 ORDER BY 1", dayOffset(-4))
	want := fbsql(t, "", nil, "--demo", "--format", "csv", "-e", sql)
	if want.code != 0 {
		t.Fatal(want.stderr)
	}
	wantRows := strings.Count(want.stdout, "\n") - 1
	for _, ext := range []string{"csv", "json", "jsonl", "md", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(dir, "out."+ext)
			r := fbsql(t, "", nil, "--demo", "-o", path, "-e", sql)
			if r.code != 0 || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var rows int
			switch ext {
			case "csv":
				if string(b) != want.stdout {
					t.Errorf("csv file differs from stdout csv")
				}
				rows = wantRows
			case "json":
				var v []map[string]any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatal(err)
				}
				rows = len(v)
			case "jsonl":
				for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					var v map[string]any
					if err := json.Unmarshal([]byte(l), &v); err != nil {
						t.Fatal(err)
					}
					rows++
				}
			case "md":
				rows = strings.Count(string(b), "\n") - 2
			case "parquet":
				back := fbsql(t, "", nil, "--demo", "--format", "csv", "-e", fmt.Sprintf("SELECT * FROM read_parquet('%s') ORDER BY 1", path))
				if back.stdout != want.stdout {
					t.Errorf("parquet reads back as\n%s\nwant\n%s", back.stdout, want.stdout)
				}
				rows = wantRows
			}
			if rows != wantRows {
				t.Errorf("%d rows in %s, want %d", rows, ext, wantRows)
			}
		})
	}
	r := fbsql(t, "", nil, "--demo", "-o", filepath.Join(dir, "out.xls"), "-e", "SELECT 1")
	if r.code != 2 || !strings.Contains(r.stderr, ".parquet") {
		t.Errorf("unknown extension: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBail: without --bail a failing statement is reported and the rest
// run (exit 1); with --bail nothing after it runs.
func TestBail(t *testing.T) {
	script := "SELECT 1 AS a; SELECT nope FROM insights; SELECT 3 AS c;"
	r := fbsql(t, "", nil, "--demo", "--format", "csv", "-e", script)
	if r.code != 1 || !strings.Contains(r.stdout, "c\n3\n") || !strings.Contains(r.stderr, `unknown column "nope"`) {
		t.Errorf("default: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = fbsql(t, "", nil, "--demo", "--bail", "--format", "csv", "-e", script)
	if r.code != 1 || strings.Contains(r.stdout, "c\n3") || !strings.Contains(r.stdout, "a\n1\n") {
		t.Errorf("--bail: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestConfigProfiles: a profile supplies token, URL and accounts; the
// environment overrides it; mistakes in the file are usage errors that
// say where.
func TestConfigProfiles(t *testing.T) {
	base := startSandbox(t, "--token", "pr0file-token")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`# fbsql profiles
[default]
token = not-this-one

[work]
token = pr0file-token
graph_url = %s
accounts = act_1000000000000002
`, base)), 0o600)
	env := []string{"FBSQL_CONFIG=" + cfg}
	sql := "SELECT DISTINCT account_id FROM campaigns"

	r := fbsql(t, "", env, "--profile", "work", "--format", "csv", "-e", sql)
	if r.code != 0 || r.stdout != "account_id\n1000000000000002\n" {
		t.Fatalf("profile work: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = fbsql(t, "", append(env, "FB_ACCOUNT_IDS=1000000000000001"), "--profile", "work", "--format", "csv", "-e", sql)
	if r.stdout != "account_id\n1000000000000001\n" {
		t.Errorf("environment should override the profile's accounts: %q %s", r.stdout, r.stderr)
	}
	r = fbsql(t, "", append(env, "FB_ACCESS_TOKEN=env-t0ken"), "--profile", "work", "-e", sql)
	if r.code != 1 || !strings.Contains(r.stderr, "190") || strings.Contains(r.stderr, "env-t0ken") {
		t.Errorf("environment token should override the profile's: exit %d, %s", r.code, r.stderr)
	}

	cases := []struct {
		name, file, profile, want string
	}{
		{"unknown profile", "[work]\ntoken = x\n", "home", "no such profile"},
		{"unknown key", "[work]\ntokn = x\n", "work", `:2: unknown key "tokn"; keys are accounts, api_version`},
		{"key outside a section", "token = x\n", "work", ":1: token is outside any [profile] section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			os.WriteFile(path, []byte(c.file), 0o600)
			r := fbsql(t, "", []string{"FBSQL_CONFIG=" + path}, "--profile", c.profile, "-e", "SELECT 1")
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}

	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte(fmt.Sprintf("[default]\ntoken = pr0file-token\ngraph_url = %s\n", base)), 0o644)
	r = fbsql(t, "", []string{"FBSQL_CONFIG=" + open}, "-e", "SELECT 1")
	if r.code != 0 || !strings.Contains(r.stderr, "readable by others; run chmod 600") {
		t.Errorf("world-readable token file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestLineAndChartFormats renders the same result as lines and as a chart.
func TestLineAndChartFormats(t *testing.T) {
	sql := "SELECT * FROM (VALUES ('b', 10), ('a', 40), ('c', 0)) t(label, n)"
	r := fbsql(t, "", nil, "--demo", "--format", "line", "-e", sql)
	if r.code != 0 || !strings.Contains(r.stdout, "label = b\n    n = 10\n\nlabel = a\n") {
		t.Errorf("line: %q %s", r.stdout, r.stderr)
	}
	r = fbsql(t, "", nil, "--demo", "--format", "chart", "-e", sql)
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) < 4 {
		t.Fatalf("chart: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	bars := map[string]int{}
	for _, l := range lines[1:4] {
		bars[l[:1]] = strings.Count(l, "█")
	}
	if bars["a"] != 50 || bars["b"] != 12 || bars["c"] != 0 {
		t.Errorf("bar lengths %v, want a:50 b:12 c:0\n%s", bars, r.stdout)
	}
	r = fbsql(t, "", nil, "--demo", "--format", "chart", "-e", "SELECT 1 AS a, 'x' AS b, 2 AS c")
	if r.code != 1 || !strings.Contains(r.stderr, "a chart needs two columns") {
		t.Errorf("chart of three columns: exit %d %s", r.code, r.stderr)
	}
}

// TestDotCommandsInScripts: piped input and -f files take dot commands,
// as the DuckDB shell does.
func TestDotCommandsInScripts(t *testing.T) {
	script := ".mode csv\nSELECT 1 AS a;\n.schema campaigns\nSELECT 2 AS b\n"
	r := fbsql(t, script, nil, "--demo")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "a\n1\n") || !strings.Contains(r.stdout, "b\n2\n") {
		t.Errorf("csv results missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "effective_status") || !strings.Contains(r.stdout, "= IN") {
		t.Errorf(".schema campaigns should list columns with their pushdown operators:\n%s", r.stdout)
	}
}
