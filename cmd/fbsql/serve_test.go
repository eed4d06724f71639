package main_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// startServe runs `fbsql serve` on a free loopback port and returns its
// address; the server is stopped with SIGINT and must exit cleanly.
func startServe(t *testing.T, env []string, args ...string) string {
	t.Helper()
	srv := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	srv.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "FBSQL_CONFIG=" + filepath.Join(t.TempDir(), "none")}, env...)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	srv.Stderr = &stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		if err := srv.Wait(); err != nil {
			t.Errorf("fbsql serve after SIGINT: %v\n%s", err, stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("fbsql serve printed no address: %v\n%s", err, stderr.String())
	}
	const prefix = "fbsql serving Postgres clients on "
	addr, _, ok := strings.Cut(strings.TrimPrefix(line, prefix), ";")
	if !strings.HasPrefix(line, prefix) || !ok {
		t.Fatalf("first line %q does not name the address", line)
	}
	return addr
}

func connString(addr string) string {
	host, port, _ := strings.Cut(addr, ":")
	return fmt.Sprintf("host=%s port=%s user=fbsql dbname=fbsql sslmode=disable", host, port)
}

// tourQueries are the SQL statements of the README tour.
func tourQueries(t *testing.T) []string {
	var out []string
	for _, s := range readTour(t) {
		if strings.HasPrefix(s.input[0], ".") {
			continue
		}
		out = append(out, strings.TrimSuffix(strings.Join(s.input, "\n"), ";"))
	}
	return out
}

// csvRows is what `fbsql --demo --format csv -e` prints, without the header.
func csvRows(t *testing.T, sql string) [][]string {
	t.Helper()
	r := fbsql(t, "", nil, "--demo", "--format", "csv", "-e", sql)
	if r.code != 0 {
		t.Fatalf("fbsql -e: exit %d\n%s", r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("csv output %q: %v", r.stdout, err)
	}
	return recs[1:]
}

// TestServeTourMatchesCLI: psql (when installed) and pgx, through
// `fbsql serve --demo` with a password, print the same values as
// `fbsql --demo --format csv -e` for every README tour query.
func TestServeTourMatchesCLI(t *testing.T) {
	addr := startServe(t, []string{"FBSQL_PASSWORD=pw"}, "--demo")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, connString(addr)+" password=pw")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	psql, _ := exec.LookPath("psql")
	if psql == "" {
		t.Log("psql is not installed; checking pgx only")
	}
	for _, q := range tourQueries(t) {
		want := csvRows(t, q)
		if psql != "" {
			cmd := exec.Command(psql, connString(addr), "-X", "-A", "-t", "-F", "\x1f", "-c", q)
			cmd.Env = append(os.Environ(), "PGPASSWORD=pw")
			var stderr strings.Builder
			cmd.Stderr = &stderr // notices (money across currencies) go there, as fbsql -e's do
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("psql: %v\n%s", err, stderr.String())
			}
			var got [][]string
			for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
				got = append(got, strings.Split(l, "\x1f"))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("psql printed\n%v\nfbsql -e printed\n%v\nfor %s", got, want, q)
			}
		}
		// pgx in the text format, then in the binary format of each type.
		rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatal(err)
		}
		var text [][]string
		for rows.Next() {
			var rec []string
			for _, v := range rows.RawValues() {
				rec = append(rec, string(v))
			}
			text = append(text, rec)
		}
		if rows.Err() != nil || fmt.Sprint(text) != fmt.Sprint(want) {
			t.Errorf("pgx (text) read %v (%v)\nfbsql -e printed\n%v", text, rows.Err(), want)
		}
		rows, err = conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for ; rows.Next(); i++ {
			vals, err := rows.Values()
			if err != nil || i >= len(want) {
				t.Fatalf("row %d: %v", i, err)
			}
			for j, v := range vals {
				if !sameValue(v, want[i][j]) {
					t.Errorf("pgx (binary) row %d column %d: %#v, fbsql -e printed %q", i, j, v, want[i][j])
				}
			}
		}
		if rows.Err() != nil || i != len(want) {
			t.Errorf("pgx (binary): %d rows (%v), want %d", i, rows.Err(), len(want))
		}
	}
}

// sameValue compares a decoded value with the csv text of the same value:
// numbers exactly, dates by day.
func sameValue(v any, text string) bool {
	switch x := v.(type) {
	case pgtype.Numeric:
		want, ok := new(big.Rat).SetString(text)
		got := new(big.Rat).SetInt(x.Int)
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(x.Exp))), nil))
		if x.Exp < 0 {
			got.Quo(got, scale)
		} else {
			got.Mul(got, scale)
		}
		return ok && got.Cmp(want) == 0
	case float64:
		f, err := strconv.ParseFloat(text, 64)
		return err == nil && f == x
	case int64:
		return strconv.FormatInt(x, 10) == text
	case time.Time:
		return x.Format(time.DateOnly) == text
	case string:
		return x == text
	}
	return fmt.Sprint(v) == text
}

func abs(n int32) int32 {
	if n < 0 {
		return -n
	}
	return n
}

// TestServePsqlCtrlC: Ctrl-C in psql (SIGINT: psql sends a CancelRequest)
// stops a query whose Graph requests would take a minute.
func TestServePsqlCtrlC(t *testing.T) {
	psql, _ := exec.LookPath("psql")
	if psql == "" {
		t.Skip("psql is not installed")
	}
	log := filepath.Join(t.TempDir(), "requests.jsonl")
	base := startSandbox(t, "--latency", "1m", "--log", log)
	addr := startServe(t, []string{"FB_ACCESS_TOKEN=sandbox-token"}, "--graph-url", base, "--account", "1000000000000001", "--cache", "off")
	cmd := exec.Command(psql, connString(addr), "-X", "-c", "SELECT count(*) FROM campaigns")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, _ := os.ReadFile(log); len(b) > 0 {
			break // the query's Graph request arrived
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the query sent no Graph request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	asked := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		took := time.Since(asked)
		t.Logf("psql returned %v after Ctrl-C", took.Round(time.Millisecond))
		if took > 2*time.Second {
			t.Errorf("Ctrl-C took %v; the query should be cancelled, not awaited", took)
		}
		if !strings.Contains(out.String(), "canceling statement due to user request") {
			t.Errorf("psql printed %q", out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("psql did not return after Ctrl-C")
	}
}

func TestServeRefusesAnOpenAddressWithoutPassword(t *testing.T) {
	r := fbsql(t, "", nil, "serve", "--demo", "--addr", "0.0.0.0:0")
	if r.code != 2 || !strings.Contains(r.stderr, "FBSQL_PASSWORD is not set") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
