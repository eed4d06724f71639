package main_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cacheEnv runs fbsql with its cache under dir, never the user's.
func cacheEnv(dir string) []string {
	return []string{"HOME=" + dir + "/home", "XDG_CACHE_HOME=" + dir + "/cache", "XDG_CONFIG_HOME=" + dir + "/config", "FB_ACCESS_TOKEN=sandbox-token"}
}

// startFbsql starts fbsql in the background; its output can be read while it runs.
func startFbsql(t *testing.T, env []string, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, errb := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out, errb
}

// TestCacheSurvivesSIGKILL: fbsql killed mid-fetch leaves nothing a later
// run trusts; the next run gives the full answer, and the one after is
// served from the cache. A second fbsql that finds the cache in use runs
// without it and says so.
func TestCacheSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	requestLog := filepath.Join(dir, "requests.jsonl")
	base := startSandbox(t, "--latency", "600ms", "--log", requestLog)
	env := cacheEnv(dir)
	query := fmt.Sprintf("SELECT campaign_id, date_start, impressions, spend FROM insights WHERE date_start BETWEEN '%s' AND '%s' ORDER BY ALL", dayOffset(-365), dayOffset(-1))
	args := []string{"--graph-url", base, "--format", "csv", "-e"}

	clean := fbsql(t, "", env, append([]string{"--cache", "off"}, append(args, query)...)...)
	if clean.code != 0 || strings.Count(clean.stdout, "\n") < 1000 {
		t.Fatalf("clean run: exit %d, %d lines\n%s", clean.code, strings.Count(clean.stdout, "\n"), clean.stderr)
	}
	// A first cached query, so the file exists and the next one holds it while fetching.
	small := fmt.Sprintf("SELECT campaign_id, date_start, spend FROM insights WHERE date_start BETWEEN '%s' AND '%s'", dayOffset(-400), dayOffset(-390))
	if r := fbsql(t, "", env, append(args, small)...); r.code != 0 {
		t.Fatalf("small query: %s", r.stderr)
	}
	cachePath := filepath.Join(dir, "cache", "fbsql", "cache.duckdb")
	if st, err := os.Stat(cachePath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v", err, st)
	}

	accts := fbsql(t, ".accounts\n", env, "--graph-url", base, "--cache", "off")
	var acctArgs []string
	for _, a := range strings.Fields(accts.stdout) {
		acctArgs = append(acctArgs, "--account", a)
	}
	if len(acctArgs) == 0 {
		t.Fatalf("no accounts: %s", accts.stderr)
	}

	insightsBefore := countInsightsRequests(requestLog)
	killed, _, _ := startFbsql(t, env, append(args, query)...)
	// Account discovery takes one round trip; then the cache is attached
	// and the insights requests go out. Once the sandbox has logged one,
	// another fbsql finds the cache in use and runs without it; it is
	// killed once that one has said so.
	waitFor(t, "the killed run's first insights request", 60*time.Second, func() bool {
		return countInsightsRequests(requestLog) > insightsBefore
	})
	other, otherOut, otherErr := startFbsql(t, env, append(append(acctArgs, args...), small)...)
	waitFor(t, "the second run's notice", 60*time.Second, func() bool {
		return strings.Contains(otherErr.String(), "running without the cache")
	})
	killed.Process.Signal(syscall.SIGKILL)
	if err := killed.Wait(); err == nil {
		t.Fatal("fbsql finished before it was killed; raise the sandbox latency")
	}
	if err := other.Wait(); err != nil || otherOut.Len() == 0 || !strings.Contains(otherErr.String(), "running without the cache") {
		t.Errorf("second process: %v, stderr %q; want success and a notice", err, otherErr.String())
	}
	if strings.Count(otherErr.String(), "\n") != 1 {
		t.Errorf("the notice is not one line: %q", otherErr.String())
	}

	for i := range 2 {
		r := fbsql(t, "", env, append([]string{"--cache", "on"}, append(args, query)...)...)
		if r.code != 0 {
			t.Fatalf("run %d after the kill: exit %d: %s", i, r.code, r.stderr)
		}
		if r.stdout != clean.stdout {
			t.Fatalf("run %d after the kill: %d lines, clean run %d", i, strings.Count(r.stdout, "\n"), strings.Count(clean.stdout, "\n"))
		}
	}
	timer := fbsql(t, ".timer on\n"+query+";\n", env, "--graph-url", base, "--format", "csv")
	if !strings.Contains(timer.stderr, "API requests: 1, rows fetched: 0, from cache:") {
		t.Errorf("a repeat should cost only account discovery and say what came from the cache:\n%s", timer.stderr)
	}
}

// countInsightsRequests counts the insights requests in the sandbox's log.
func countInsightsRequests(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "/insights")
}

// waitFor polls cond until it holds: tests wait for events, not for times.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
