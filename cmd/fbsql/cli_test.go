package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
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
			want := map[string]string{"fields": "spend", "level": "account", "breakdowns": `["country"]`,
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
	if ins.Path != "act_{account}/insights" || ins.Params["level"] != "campaign" || ins.Params["fields"] != "campaign_id,campaign_name,spend" {
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

// runBinary runs fbsql in dir with exactly env.
func runBinary(dir, stdin string, env, args []string) result {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		errb.WriteString("\nstart: " + err.Error())
	}
	return result{out.String(), errb.String(), code}
}

// filesUnder lists the files below dir (none if it does not exist).
func filesUnder(dir string) []string {
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// TestBuildWithoutCgoExplains: fbsql needs cgo for DuckDB; a build without
// it fails with a message that says so, not deep in the bindings.
func TestBuildWithoutCgoExplains(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the build without cgo succeeded")
	}
	if !strings.Contains(string(out), "needs_cgo__install_a_C_compiler") || strings.Contains(string(out), "duckdb-go-bindings") {
		t.Errorf("build output does not explain:\n%s", out)
	}
}
