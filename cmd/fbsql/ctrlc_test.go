package main_test

import (
	"testing"
	"time"
)

// TestCtrlCCancelsASlowQuery: on a terminal, a slow fetch shows progress
// on stderr; Ctrl-C cancels it (and its requests) at once and the shell
// stays usable.
func TestCtrlCCancelsASlowQuery(t *testing.T) {
	base := startSandbox(t, "--latency", "5s")
	home := t.TempDir()
	tm := startTerm(t, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "FB_ACCESS_TOKEN=sandbox-token"},
		"--graph-url", base, "--account", "1000000000000001")
	tm.expect(prompt, 10*time.Second)
	tm.send("SELECT count(*) FROM campaigns;\r")
	tm.expect("fetching:", 5*time.Second)
	start := time.Now()
	tm.send(keyCtrlC)
	tm.expect("interrupted", 3*time.Second)
	tm.expect(prompt, 3*time.Second)
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("Ctrl-C took %s to return to the prompt; the request should be cancelled, not awaited", waited)
	}
	tm.send("SELECT 40 + 2 AS answer;\r")
	tm.expect("42", 5*time.Second)
	tm.send(keyCtrlD)
	if code := tm.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d after Ctrl-D", code)
	}
}
