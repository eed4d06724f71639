package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

func newTestShell(t *testing.T) (*shell, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	d := enginetest.New(t, sandbox.Config{Seed: 3}, nil)
	var out, errb bytes.Buffer
	return newShell(d.Engine, Options{Out: &out, Err: &errb}), &out, &errb
}

func TestDotCommands(t *testing.T) {
	ctx := context.Background()
	sh, out, errb := newTestShell(t)
	dir := t.TempDir()

	sh.dot(ctx, ".mode csv")
	sh.run(ctx, "SELECT 1 AS a;")
	if out.String() != "a\n1\n" {
		t.Errorf(".mode csv: got %q", out.String())
	}

	out.Reset()
	sh.dot(ctx, ".timer on")
	sh.dot(ctx, ".explain on")
	sh.run(ctx, "SELECT count(*) AS n FROM campaigns;")
	if !strings.Contains(errb.String(), "GET act_{account}/campaigns") {
		t.Errorf(".explain on printed no plan: %q", errb.String())
	}
	if !strings.Contains(errb.String(), "Run Time: ") || !strings.Contains(errb.String(), "API requests: 3") {
		t.Errorf(".timer on: %q (want 3 requests: account list + one per account)", errb.String())
	}

	path := filepath.Join(dir, "out.csv")
	sh.dot(ctx, ".timer off")
	sh.dot(ctx, ".output "+path)
	sh.run(ctx, "SELECT 2 AS b;")
	sh.dot(ctx, ".output")
	sh.run(ctx, "SELECT 3 AS c;")
	if b, _ := os.ReadFile(path); string(b) != "b\n2\n" {
		t.Errorf(".output file has %q", b)
	}
	if !strings.HasSuffix(out.String(), "c\n3\n") {
		t.Errorf("after .output, terminal got %q", out.String())
	}

	script := filepath.Join(dir, "q.sql")
	os.WriteFile(script, []byte("SELECT 4 AS d;\nSELECT 5 AS e;\n"), 0o600)
	out.Reset()
	sh.dot(ctx, ".read "+script)
	if out.String() != "d\n4\ne\n5\n" {
		t.Errorf(".read: got %q", out.String())
	}

	out.Reset()
	sh.dot(ctx, ".accounts")
	if strings.Count(out.String(), "act_") != 2 {
		t.Errorf(".accounts: %q", out.String())
	}

	errb.Reset()
	sh.dot(ctx, ".mode xml")
	sh.dot(ctx, ".frobnicate")
	if !strings.Contains(errb.String(), "usage: .mode table|csv") || !strings.Contains(errb.String(), "unknown command .frobnicate") {
		t.Errorf("bad commands: %q", errb.String())
	}
	if quit := sh.dot(ctx, ".quit"); !quit {
		t.Error(".quit did not quit")
	}
}
