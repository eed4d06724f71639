package main_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// The canaries: a token and an app secret with characters that change under URL and base64
// encoding, so every encoded form differs from the raw one.
const (
	canaryToken  = "EAAcanaryT0KEN+/=zz9"
	canarySecret = "appCANARYs3cret+/=q"
)

// canaryForms are the encodings in which a leaked secret would still be readable.
func canaryForms(secret string) []string {
	b := []byte(secret)
	return []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)}
}

// canaryScan collects everything fbsql wrote, then checks it for the canaries.
type canaryScan struct {
	t       *testing.T
	outputs map[string][]byte // what fbsql wrote to stdout/stderr/terminal, by run
	dirs    []string          // every file under these is scanned
}

func (s *canaryScan) add(name string, b []byte) { s.outputs[name] = append(s.outputs[name], b...) }

// run starts fbsql in work with env and records its output; it returns the exit status.
func (s *canaryScan) run(name, work, stdin string, env []string, args ...string) (string, string, int) {
	s.t.Helper()
	r := runBinary(work, stdin, env, args)
	if r.code == -1 {
		s.t.Fatal(r.stderr)
	}
	s.add(name+" stdout", []byte(r.stdout))
	s.add(name+" stderr", []byte(r.stderr))
	return r.stdout, r.stderr, r.code
}

// check scans every output and every file under dirs; it returns how many bytes it read.
func (s *canaryScan) check() int {
	s.t.Helper()
	scanned := 0
	look := func(where string, b []byte) {
		scanned += len(b)
		for _, secret := range []string{canaryToken, canarySecret} {
			for _, form := range canaryForms(secret) {
				if i := bytes.Index(b, []byte(form)); i >= 0 {
					s.t.Errorf("%s holds a secret (%q) at byte %d: …%s…", where, form, i, b[max(0, i-80):min(len(b), i+len(form)+40)])
				}
			}
		}
	}
	for name, b := range s.outputs {
		look(name, b)
	}
	for _, dir := range s.dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				s.t.Errorf("read %s: %v", path, err)
				return nil
			}
			look(path, b)
			return nil
		})
	}
	return scanned
}

// TestCanaryNeverWritten runs fbsql with a canary token and app secret through normal
// queries, EXPLAIN, planner and API errors, every output route, the interactive shell and a
// server that echoes requests back, then scans every byte fbsql wrote for either secret.
func TestCanaryNeverWritten(t *testing.T) {
	root := t.TempDir()
	home, work, outDir := filepath.Join(root, "home"), filepath.Join(root, "work"), filepath.Join(root, "out")
	for _, d := range []string{home, work, outDir} {
		os.MkdirAll(d, 0o700)
	}
	sandboxLog := filepath.Join(outDir, "sandbox.jsonl")
	base := startSandbox(t, "--token", canaryToken, "--log", sandboxLog)
	otherToken := startSandbox(t, "--token", "a-different-token")
	echo := echoServer(t)

	s := &canaryScan{t: t, outputs: map[string][]byte{}, dirs: []string{home, work, outDir}}
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_CACHE_HOME=" + home + "/cache",
		"FB_ACCESS_TOKEN=" + canaryToken, "FB_APP_SECRET=" + canarySecret}
	since, until := dayOffset(-6), dayOffset(-2)
	query := fmt.Sprintf("SELECT campaign_name, sum(spend) AS spend FROM insights WHERE date_start BETWEEN '%s' AND '%s' GROUP BY 1 ORDER BY 1", since, until)
	runs := []struct {
		name  string
		url   string
		stdin string
		args  []string
		code  int
	}{
		{"query", base, "", []string{"-e", query, "--format", "csv"}, 0},
		{"json", base, "", []string{"-e", query, "--format", "json"}, 0},
		{"every format", base, ".mode markdown\n" + query + ";\n.mode jsonl\n" + query + ";\n.mode line\nSELECT name FROM campaigns LIMIT 2;\n", nil, 0},
		{"explain", base, "", []string{"-e", "EXPLAIN " + query}, 0},
		{"explain json", base, "", []string{"-e", "EXPLAIN " + query, "--format", "json"}, 0},
		{"dot commands", base, ".accounts\n.timer on\n.explain on\n" + query + ";\n.output " + filepath.Join(outDir, "dot-output.txt") + "\n" + query + ";\n", nil, 0},
		{"output csv", base, "", []string{"-e", query, "-o", filepath.Join(outDir, "out.csv")}, 0},
		{"output json", base, "", []string{"-e", query, "-o", filepath.Join(outDir, "out.json")}, 0},
		{"output parquet", base, "", []string{"-e", query, "-o", filepath.Join(outDir, "out.parquet")}, 0},
		{"copy to", base, "", []string{"-e", fmt.Sprintf("COPY (%s) TO '%s'", query, filepath.Join(outDir, "copy.csv"))}, 0},
		{"unknown column", base, "", []string{"-e", "SELECT spnd FROM insights"}, 1},
		{"bad breakdown mix", base, "", []string{"-e", "SELECT age, country, sum(spend) FROM insights GROUP BY ALL"}, 1},
		{"syntax error", base, "", []string{"-e", "SELEC 1"}, 1},
		{"unknown account", base, "", []string{"--account", "act_424242", "-e", "SELECT name FROM campaigns"}, 1},
		{"rejected token", otherToken, "", []string{"-e", query}, 1},
		{"echoing server", echo, "", []string{"--account", "act_1", "-e", "SELECT name FROM campaigns"}, 1},
		{"echoing server insights", echo, "", []string{"--account", "act_1", "-e", query}, 1},
		{"echoing server accounts", echo, ".accounts\n", nil, 0},
		{"unreachable", "http://127.0.0.1:1", "", []string{"--account", "act_1", "-e", query}, 1},
		{"bad version", base, "", []string{"--api-version", "25", "-e", query}, 2},
	}
	for _, r := range runs {
		args := append([]string{"--graph-url", r.url}, r.args...)
		stdout, stderr, code := s.run(r.name, work, r.stdin, env, args...)
		if code != r.code {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", r.name, code, r.code, stdout, stderr)
		}
	}

	// The shell on a terminal: progress lines, a failing statement, and the history file.
	tm := startTerm(t, env, "--graph-url", base)
	tm.expect("fbsql> ", 10*time.Second)
	tm.send(query + ";\r")
	tm.expect("rows)", 30*time.Second)
	tm.send("SELECT spnd FROM insights;\r")
	tm.expect("spend", 10*time.Second)
	tm.send(".accounts\r")
	tm.expect("act_", 10*time.Second)
	tm.send(keyCtrlD)
	if code := tm.wait(10 * time.Second); code != 0 {
		t.Errorf("shell exit status %d", code)
	}
	tm.mu.Lock()
	s.add("terminal", []byte(tm.out.String()))
	tm.mu.Unlock()
	if _, err := os.Stat(filepath.Join(home, "config", "fbsql", "history")); err != nil {
		t.Errorf("no history file was written, so it was not scanned: %v", err)
	}

	// The app secret was used (the sandbox logs the proof), and the scan saw real output.
	logged, _ := os.ReadFile(sandboxLog)
	if !bytes.Contains(logged, []byte(`"appsecret_proof":"`+graph.AppSecretProof(canaryToken, canarySecret)+`"`)) {
		t.Errorf("the sandbox log has no appsecret_proof for the canary secret:\n%.500s", logged)
	}
	if n := s.check(); n < 10_000 {
		t.Errorf("scanned only %d bytes: the runs produced less output than expected", n)
	}
	for _, f := range []string{"out.csv", "out.json", "out.parquet", "copy.csv", "dot-output.txt"} {
		if st, err := os.Stat(filepath.Join(outDir, f)); err != nil || st.Size() == 0 {
			t.Errorf("output file %s missing or empty: %v", f, err)
		}
	}
}

// echoServer is a hostile Graph API on loopback: every answer repeats the request — URL,
// headers, form — back in error messages and a next link with access_token, as proxies and
// misconfigured servers do.
func echoServer(t *testing.T) string {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s body=%s", r.Method, r.URL, body)
		for k, v := range r.Header {
			fmt.Fprintf(&b, " %s=%s", k, strings.Join(v, ","))
		}
		msg, _ := json.Marshal(b.String())
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/me/adaccounts"):
			w.Write([]byte(`{"data":[{"id":"act_1","account_id":"1"}]}`))
		case r.URL.Query().Get("after") == "" && strings.HasSuffix(r.URL.Path, "/campaigns"):
			next := srv.URL + r.URL.Path + "?after=p2&access_token=" + url.QueryEscape(r.Header.Get("Authorization"))
			nextJSON, _ := json.Marshal(next)
			fmt.Fprintf(w, `{"data":[{"id":"1","name":"c1"}],"paging":{"next":%s}}`, nextJSON)
		case strings.HasSuffix(r.URL.Path, "/campaigns"):
			// A JSON error, not an HTML page: those are retried with backoff, which only
			// slows the test; the client's own tests cover echoes in non-JSON bodies.
			w.WriteHeader(403)
			fmt.Fprintf(w, `{"error":%s}`, msg)
		default:
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":%s,"type":%s,"code":100,"error_user_msg":%s,"fbtrace_id":%s}}`, msg, msg, msg, msg)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
