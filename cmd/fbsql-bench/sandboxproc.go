package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// The sandbox runs in a child process (this same binary, re-executed with
// sandboxEnv set), so the CPU it spends computing and serializing pages is
// not charged to fbsql: the benchmark's own process holds only fbsql and
// DuckDB, and its CPU time is fbsql's. The child's CPU is reported apart.

// sandboxEnv carries the child's configuration (a sandboxSpec as JSON).
const sandboxEnv = "FBSQL_BENCH_SANDBOX"

// sandboxSpec is what the child builds its sandbox from.
type sandboxSpec struct {
	Accounts int           `json:"accounts"`
	AdsMult  int           `json:"ads_mult"`
	Model    sandbox.Model `json:"model"`
	Profile  string        `json:"profile,omitempty"` // write the child's CPU profile here
}

// serveSandboxChild runs the child's side when sandboxEnv is set: it
// serves the sandbox on a loopback port, prints its URL and the account
// ids on one line of stdout, and exits when stdin closes. It reports
// whether it ran.
func serveSandboxChild() bool {
	raw := os.Getenv(sandboxEnv)
	if raw == "" {
		return false
	}
	var spec sandboxSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "fbsql-bench sandbox:", err)
		os.Exit(2)
	}
	if spec.Profile != "" {
		if f, err := os.Create(spec.Profile); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	run, err := sandbox.Start(ctx, sandbox.Config{Seed: 1, Accounts: spec.Accounts, AdsMult: spec.AdsMult, Model: spec.Model})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fbsql-bench sandbox:", err)
		os.Exit(2)
	}
	fmt.Printf("%s %s\n", run.URL, strings.Join(run.Server.AccountIDs(), ","))
	io.Copy(io.Discard, os.Stdin)
	cancel()
	run.Close()
	pprof.StopCPUProfile()
	os.Exit(0)
	return true
}

// sandboxProc is a running child sandbox.
type sandboxProc struct {
	URL      string
	Accounts []string
	cmd      *exec.Cmd
	stdin    io.Closer
}

// startSandbox starts a child sandbox with the model and world size.
func startSandbox(spec sandboxSpec) (*sandboxProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(spec)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), sandboxEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the sandbox process: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ids, ok := strings.Cut(strings.TrimSpace(line), " ")
	if err != nil || !ok {
		stdin.Close()
		cmd.Wait()
		return nil, fmt.Errorf("the sandbox process did not start: %q %v", line, err)
	}
	return &sandboxProc{URL: url, Accounts: strings.Split(ids, ","), cmd: cmd, stdin: stdin}, nil
}

// stop ends the child and returns the CPU time (user + system) it used.
func (p *sandboxProc) stop() time.Duration {
	p.stdin.Close()
	p.cmd.Wait()
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

// cpuTime is this process's CPU time so far (user + system): fbsql's and
// DuckDB's threads, nothing of the sandbox.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
