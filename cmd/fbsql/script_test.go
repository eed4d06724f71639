package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// badToken is the access token every script runs with: it must never appear in output.
const badToken = "badinput-t0ken"

// TestScripts walks the end-to-end cases in the repository's testdata/:
// one txtar file per case, run by testscript against the fbsql built once
// by TestMain. README.md ("Tests") says how to add one.
//
// Each script starts in an empty $WORK with HOME, XDG_CONFIG_HOME and
// XDG_CACHE_HOME under it, FBSQL_CONFIG=$WORK/config, the token
// FB_ACCESS_TOKEN=badinput-t0ken and $API, a hostile Graph API whose
// first path element names its answer (see hostileAPI). Besides the
// standard commands, scripts have:
//
//	fbsql ARGS...             run the binary; `! fbsql` expects a failure.
//	                          Every run is checked: no stack trace, no token
//	                          in the output, a failure prints an error line,
//	                          and nothing written to the home directory (nor
//	                          to the cache directory unless the run succeeded).
//	status N                  the last fbsql run exited with status N
//	gen FILE COUNT PIECE [COUNT PIECE]...
//	                          write COUNT copies of each PIECE to FILE, in
//	                          order; the pieces take Go escapes (\x00, \n)
//	envq NAME VALUE           set an environment variable; VALUE takes Go escapes

func TestScripts(t *testing.T) {
	// The catalogue only grows: bad input of every kind (badinput-*), the
	// command line (cli-*), the shell (shell-*) and the rest.
	if cases, _ := filepath.Glob("../../testdata/*.txtar"); len(cases) < 100 {
		t.Fatalf("testdata/ holds %d cases, want at least 100", len(cases))
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			api, stop := hostileAPI()
			env.Defer(stop)
			home := filepath.Join(env.WorkDir, "home")
			env.Vars = append(env.Vars,
				"HOME="+home,
				"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
				"XDG_CACHE_HOME="+filepath.Join(env.WorkDir, "cache"),
				"FBSQL_CONFIG="+filepath.Join(env.WorkDir, "config"),
				"FB_ACCESS_TOKEN="+badToken,
				"API="+api,
			)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fbsql":  runFbsql,
			"status": checkStatus,
			"gen":    genFile,
			"envq": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: envq NAME VALUE")
				}
				ts.Setenv(args[0], unescape(ts, args[1]))
			},
		},
	})
}

// runFbsql runs the binary and checks what every run must respect.
func runFbsql(ts *testscript.TestScript, neg bool, args []string) {
	cacheFile := filepath.Join(ts.Getenv("XDG_CACHE_HOME"), "fbsql", "cache.duckdb")
	_, statErr := os.Stat(cacheFile)
	hadCache := statErr == nil
	err := ts.Exec(binary, args...)
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		ts.Fatalf("run fbsql: %v", err)
	}
	ts.Setenv("STATUS", strconv.Itoa(code))
	stdout, stderr := ts.ReadFile("stdout"), ts.ReadFile("stderr")
	for _, bad := range []string{"goroutine ", "panic:", "runtime error", "SIGSEGV", badToken} {
		if strings.Contains(stdout+stderr, bad) {
			ts.Fatalf("output contains %q", bad)
		}
	}
	if code != 0 && !strings.HasPrefix(stderr, "error: ") && !strings.Contains(stderr, "\nerror: ") {
		ts.Fatalf("exit %d without an error line on stderr", code)
	}
	if files := filesUnder(ts.Getenv("HOME")); len(files) > 0 {
		ts.Fatalf("wrote to the user's home directory: %v", files)
	}
	files := filesUnder(ts.Getenv("XDG_CACHE_HOME"))
	if code == 0 || hadCache {
		// A query that succeeds keeps its rows in the cache; only that file may be there.
		files = slices.DeleteFunc(files, func(f string) bool { return f == cacheFile })
	}
	if len(files) > 0 {
		ts.Fatalf("wrote to the user's cache directory: %v", files)
	}
	switch {
	case neg && code == 0:
		ts.Fatalf("fbsql succeeded, want a failure")
	case !neg && code != 0:
		ts.Fatalf("fbsql exited %d", code)
	}
}

func checkStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: status N")
	}
	if got := ts.Getenv("STATUS"); got != args[0] {
		ts.Fatalf("exit status %s, want %s", got, args[0])
	}
}

func genFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args)%2 == 0 {
		ts.Fatalf("usage: gen FILE COUNT PIECE [COUNT PIECE]...")
	}
	var b strings.Builder
	for i := 1; i < len(args); i += 2 {
		n, err := strconv.Atoi(args[i])
		ts.Check(err)
		b.WriteString(strings.Repeat(unescape(ts, args[i+1]), n))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o600))
}

// unescape reads Go escapes such as \x00 and \n.
func unescape(ts *testscript.TestScript, s string) string {
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("bad escape in %q: %v", s, err)
	}
	return u
}
