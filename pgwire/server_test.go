package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/fbtables/sandbox"
	"github.com/fbsql/fbsql/pgwire"
)

// testServer is a pgwire server on 127.0.0.1 over a sandbox of its own.
type testServer struct {
	addr string
	sb   *sandbox.Running
	srv  *pgwire.Server
}

func start(t *testing.T, password string, sbcfg sandbox.Config) *testServer {
	t.Helper()
	return startWith(t, sbcfg, pgwire.Config{Password: password})
}

// startWith is start with a server configuration; its Sessions are filled in.
func startWith(t *testing.T, sbcfg sandbox.Config, pcfg pgwire.Config) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := sandbox.Start(ctx, sbcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FB_ACCESS_TOKEN", sb.Token)
	t.Setenv("FBSQL_CONFIG", filepath.Join(t.TempDir(), "none"))
	cfg, err := fbsql.Configure(fbsql.Options{GraphURL: sb.URL, Cache: "off"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pcfg.Sessions = cfg
	srv := pgwire.New(pcfg)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		cfg.Close()
		sb.Close()
	})
	return &testServer{addr: ln.Addr().String(), sb: sb, srv: srv}
}

func (ts *testServer) url(password string) string {
	return fmt.Sprintf("postgres://fbsql:%s@%s/fbsql?sslmode=disable", password, ts.addr)
}

func (ts *testServer) connect(t *testing.T, password string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), ts.url(password))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// waitFor polls cond until it holds, failing after a generous deadline:
// tests wait for events, not for fixed times.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// truthCents is the sandbox's spend in cents over all accounts for a day.
func truthCents(sb *sandbox.Running, day string) int64 {
	var n int64
	for _, a := range sb.Server.AccountIDs() {
		n += sb.Server.Truth(a, day, day).SpendCents
	}
	return n
}

// TestTypesReachClients checks each DuckDB type against the value written
// in the SQL, through the text (simple protocol) and binary (extended)
// formats.
func TestTypesReachClients(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1})
	c := ts.connect(t, "")
	q := `SELECT 12.50::DECIMAL(18,2) AS d, 3::HUGEINT AS h, 7::BIGINT AS i, 0.25::DOUBLE AS f, true AS b,
		DATE '2026-11-01' AS day, TIMESTAMPTZ '2026-11-01 10:00:00+00' AS ts, ['a', 'b'] AS l,
		{'x': 1.5} AS s, 'text' AS v, NULL::VARCHAR AS n`
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		var d pgtype.Numeric
		var h, i int64
		var f float64
		var b bool
		var day, tsv time.Time
		var l []string
		var s map[string]any
		var v string
		var n *string
		err := c.QueryRow(context.Background(), q, mode).Scan(&d, &h, &i, &f, &b, &day, &tsv, &l, &s, &v, &n)
		if err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		dv, _ := d.Value()
		got := fmt.Sprintf("%v %d %d %v %v %s %s %v %v %s %v", dv, h, i, f, b, day.Format(time.DateOnly), tsv.UTC().Format(time.RFC3339), l, s, v, n)
		want := "12.50 3 7 0.25 true 2026-11-01 2026-11-01T10:00:00Z [a b] map[x:1.5] text <nil>"
		if got != want {
			t.Errorf("mode %v:\n got %s\nwant %s", mode, got, want)
		}
	}
	rows, err := c.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		oids = append(oids, f.DataTypeOID)
	}
	rows.Close()
	want := []uint32{pgtype.NumericOID, pgtype.NumericOID, pgtype.Int8OID, pgtype.Float8OID, pgtype.BoolOID, pgtype.DateOID,
		pgtype.TimestamptzOID, pgtype.TextArrayOID, pgtype.JSONOID, pgtype.TextOID, pgtype.TextOID}
	if fmt.Sprint(oids) != fmt.Sprint(want) {
		t.Errorf("oids %v, want %v", oids, want)
	}
}

// TestBoundDatesSendTheLiteralRequests: $1/$2 date parameters reach the
// Graph API exactly as the same dates written in the SQL.
func TestBoundDatesSendTheLiteralRequests(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1})
	c := ts.connect(t, "")
	ctx := context.Background()
	if _, err := c.Exec(ctx, "SELECT count(*) FROM ad_accounts"); err != nil { // account discovery, once per session
		t.Fatal(err)
	}
	run := func(q string, args ...any) (string, []string) {
		ts.sb.Server.ResetRequests()
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			vals, _ := rows.Values()
			out = append(out, fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		var reqs []string
		for _, r := range ts.sb.Server.Requests() {
			reqs = append(reqs, fmt.Sprint(r))
		}
		sort.Strings(reqs) // accounts are fetched in parallel
		return strings.Join(out, "\n"), reqs
	}
	q := "SELECT campaign_name, CAST(sum(spend) * 100 AS BIGINT) FROM insights WHERE date_start BETWEEN %s AND %s GROUP BY 1 ORDER BY 1"
	lit, litReqs := run(fmt.Sprintf(q, "DATE '2026-10-01'", "DATE '2026-10-07'"))
	par, parReqs := run(fmt.Sprintf(q, "$1", "$2"), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC))
	if lit == "" || lit != par {
		t.Errorf("rows differ:\nliteral\n%s\nbound\n%s", lit, par)
	}
	if len(litReqs) == 0 || strings.Join(litReqs, "\n") != strings.Join(parReqs, "\n") {
		t.Errorf("requests differ:\nliteral\n%s\nbound\n%s", strings.Join(litReqs, "\n"), strings.Join(parReqs, "\n"))
	}
	for _, r := range parReqs {
		if !strings.Contains(r, `time_range:{"since":"2026-10-01","until":"2026-10-07"}`) {
			t.Errorf("bound dates not pushed down: %s", r)
		}
	}
	// The same through the text protocol of the parameters.
	var cents int64
	if err := c.QueryRow(ctx, "SELECT CAST(sum(spend) * 100 AS BIGINT) FROM insights WHERE date_start = $1", pgx.QueryExecModeSimpleProtocol, "2026-10-03").Scan(&cents); err != nil {
		t.Fatal(err)
	}
	if want := truthCents(ts.sb, "2026-10-03"); cents != want {
		t.Errorf("spend on 2026-10-03 = %d cents, sandbox truth %d", cents, want)
	}
}

// TestConcurrentClients runs 20 clients at once, each asking for another
// day, and checks every answer against the sandbox's truth.
func TestConcurrentClients(t *testing.T) {
	ts := start(t, "pw", sandbox.Config{Seed: 1})
	const clients = 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			c, err := pgx.Connect(ctx, ts.url("pw"))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			day := time.Date(2026, 10, 1+i, 0, 0, 0, 0, time.UTC)
			var cents int64
			if err := c.QueryRow(ctx, "SELECT CAST(sum(spend) * 100 AS BIGINT) FROM insights WHERE date_start = $1", day).Scan(&cents); err != nil {
				errs <- err
				return
			}
			if want := truthCents(ts.sb, day.Format(time.DateOnly)); cents != want {
				errs <- fmt.Errorf("client %d: %d cents, truth %d", i, cents, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "every session to end", func() bool { return ts.srv.Sessions() == 0 })
}

// TestErrorsAndDroppedConnections: a wrong password, bad SQL and a client
// that vanishes get proper errors, and no session goroutine outlives them.
func TestErrorsAndDroppedConnections(t *testing.T) {
	ts := start(t, "pw", sandbox.Config{Seed: 1})
	ctx := context.Background()
	if _, err := pgx.Connect(ctx, ts.url("wrong")); pgCode(err) != "28P01" {
		t.Errorf("wrong password: %v, want SQLSTATE 28P01", err)
	}
	c := ts.connect(t, "pw")
	for q, code := range map[string]string{
		"SELEC 1":                          "42601",
		"SELECT * FROM campains":           "42P01",
		"SELECT nope FROM (SELECT 1 AS x)": "42703",
	} {
		_, err := c.Exec(ctx, q)
		if pgCode(err) != code {
			t.Errorf("%s: %v, want SQLSTATE %s", q, err, code)
		}
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("the session is unusable after errors: %v", err)
	}
	// Clients that drop the connection: during startup, and after a query.
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	raw.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}) // SSLRequest
	raw.Close()
	c2, err := pgconn.Connect(ctx, ts.url("pw"))
	if err != nil {
		t.Fatal(err)
	}
	c2.Exec(ctx, "SELECT 1").ReadAll()
	c2.Conn().Close() // gone without Terminate
	c.Close(ctx)
	waitFor(t, "every session to end", func() bool { return ts.srv.Sessions() == 0 })
	waitFor(t, "no session goroutine left", func() bool {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		return !strings.Contains(stacks, "pgwire.(*Server).handle") && !strings.Contains(stacks, "engine.(*Engine).Query")
	})
}

// TestCancelRequest: a CancelRequest (Ctrl-C in psql) stops a query whose
// Graph requests would take a minute.
func TestCancelRequest(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1, Model: sandbox.Model{Latency: time.Minute}})
	c := ts.connect(t, "")
	ctx := context.Background()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exec(ctx, "SELECT sum(spend) FROM insights WHERE date_start = DATE '2026-10-01'")
		errc <- err
	}()
	waitFor(t, "the query's first Graph request", func() bool { return len(ts.sb.Server.Requests()) > 0 })
	asked := time.Now()
	if err := c.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		t.Logf("cancelled %v after the CancelRequest", time.Since(asked).Round(time.Millisecond))
		if pgCode(err) != "57014" {
			t.Errorf("cancelled query: %v, want SQLSTATE 57014", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the query was not cancelled")
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Errorf("session after cancel: %v", err)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, c := range []struct {
		addr, pw string
		ok       bool
	}{
		{"127.0.0.1:5433", "", true}, {"[::1]:5433", "", true}, {"localhost:5433", "", true},
		{"0.0.0.0:5433", "", false}, {":5433", "", false}, {"10.0.0.1:5433", "", false}, {"0.0.0.0:5433", "pw", true},
	} {
		if err := pgwire.CheckAddr(c.addr, c.pw); (err == nil) != c.ok {
			t.Errorf("CheckAddr(%q, %q) = %v", c.addr, c.pw, err)
		}
	}
}

// TestDroppedClientCancelsItsQuery: a client that disconnects during a
// slow query ends its session at once, its Graph requests cancelled.
func TestDroppedClientCancelsItsQuery(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1, Model: sandbox.Model{Latency: time.Minute}})
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, ts.url(""))
	if err != nil {
		t.Fatal(err)
	}
	go c.Exec(ctx, "SELECT sum(spend) FROM insights WHERE date_start = DATE '2026-10-01'").ReadAll()
	waitFor(t, "the query's first Graph request", func() bool { return len(ts.sb.Server.Requests()) > 0 })
	c.Conn().Close()
	waitFor(t, "the session to end", func() bool { return ts.srv.Sessions() == 0 })
}

// TestEveryPgxMode binds a date through each of pgx's ways of running a
// statement (prepared and cached, described each time, unnamed, simple)
// and checks the answer against the sandbox's truth.
func TestEveryPgxMode(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1})
	c := ts.connect(t, "")
	day := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	want := truthCents(ts.sb, "2026-10-05")
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		var cents int64
		err := c.QueryRow(context.Background(), "SELECT CAST(sum(spend) * 100 AS BIGINT) FROM insights WHERE date_start = $1", mode, day).Scan(&cents)
		if err != nil || cents != want {
			t.Errorf("mode %v: %d cents (%v), truth %d", mode, cents, err, want)
		}
	}
}

// TestConnectQuestions: what drivers and BI tools ask on connect gets a
// Postgres-shaped answer.
func TestConnectQuestions(t *testing.T) {
	ts := start(t, "", sandbox.Config{Seed: 1})
	c := ts.connect(t, "")
	ctx := context.Background()
	for q, want := range map[string]string{
		"SELECT version()":                  "PostgreSQL 16.0",
		"SHOW server_version":               "16.0",
		"show transaction isolation level":  "read committed",
		"SHOW standard_conforming_strings;": "on",
		"SHOW TimeZone":                     "UTC",
	} {
		var got string
		if err := c.QueryRow(ctx, q, pgx.QueryExecModeSimpleProtocol).Scan(&got); err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, %v; want %q…", q, got, err, want)
		}
		if err := c.QueryRow(ctx, q).Scan(&got); err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("%s (extended): %q, %v; want %q…", q, got, err, want)
		}
	}
	for _, q := range []string{"SET extra_float_digits = 3", "SET application_name = 'Metabase'", "BEGIN", "COMMIT", "SET SESSION statement_timeout TO 0"} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if c.PgConn().ParameterStatus("server_version") == "" {
		t.Error("no server_version parameter at startup")
	}
}

// TestSilentClientIsDropped: a connection that never starts up is closed
// after the startup timeout instead of holding a session slot forever.
func TestSilentClientIsDropped(t *testing.T) {
	ts := startWith(t, sandbox.Config{Seed: 1}, pgwire.Config{StartupTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a bound on the test, not the behaviour
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read from a silent connection: %v; want the server to close it", err)
	}
}
