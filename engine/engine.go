package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/engine/sqlfront"
	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// Config is what an Engine needs to answer queries.
type Config struct {
	// Graph configures the Graph API client.
	Graph graph.Config
	// Accounts are the ad accounts to query (with or without act_); empty
	// means every account the token can read (GET /me/adaccounts).
	Accounts []string
	// Catalog is the set of virtual tables; nil means fbtables.DefaultCatalog().
	Catalog *fbtables.Catalog
	// Database is the DuckDB file to open; "" is in-memory.
	Database string
	// AttributionWindows is the default action_attribution_windows of
	// insights queries, e.g. "7d_click,1d_view"; "" keeps the API's default.
	AttributionWindows string
	// MaxConcurrentPerAccount bounds requests in flight per ad account
	// while its usage headers show headroom (default 16); they lower it as
	// the account nears its limit. Async report runs are at most 8 per
	// account whatever it is.
	MaxConcurrentPerAccount int
	// MaxInFlight bounds requests in flight in all, every account
	// together (default graph.DefaultMaxInFlight); x-app-usage lowers it
	// as the app nears its limit.
	MaxInFlight int
	// MaxWait is the longest wait a throttle answer may impose (default
	// 15 min); beyond it the query fails with "act_X throttled until HH:MM".
	MaxWait time.Duration
	// JobDeadline bounds an async report run from creation to end
	// (default 1 h).
	JobDeadline time.Duration
	// Notice, if set, is told of every wait over 10 s (throttles,
	// retries, slow report runs) as it starts, so a user sees why nothing
	// happens; cmd/fbsql prints it on stderr.
	Notice func(msg string)
	// PollMin and PollMax bound the wait between status polls of an async
	// report run (defaults 1 s and 30 s).
	PollMin, PollMax time.Duration
	// ThrottlePause spaces requests of an account whose usage passed 90%
	// (default 30 s).
	ThrottlePause time.Duration
	// WaitScale multiplies every wait the API states (and the client's
	// retry backoff), for a sandbox whose clock runs faster than the real
	// API's; 0 means 1.
	WaitScale float64
	// Progress, if set, is called as requests and rows arrive (at most
	// every 100 ms) and once more when a statement's fetching is done.
	Progress func(Progress)
	// Cache configures the local cache of fetched rows (cache.go); the
	// zero value is off.
	Cache CacheConfig
	// MemoryLimit is DuckDB's memory_limit (e.g. "512MB"): past it, DuckDB
	// spills to its temporary directory instead of growing. "" keeps
	// DuckDB's default (80% of RAM).
	MemoryLimit string
	// GrainOnly pushes only what the grain requires (planner.Input.GrainOnly):
	// the reference answers of differential tests.
	GrainOnly bool
}

// Engine owns one DuckDB session and the Graph client.
type Engine struct {
	cfg        Config
	cat        *fbtables.Catalog
	client     *graph.Client
	db         *sql.DB
	conn       *sql.Conn
	fe         *sqlfront.Frontend
	requests   atomic.Int64
	currencies sync.Map // account → currency, for whole-unit budgets
	jobs       sync.Map // account → chan struct{}: async jobs running

	accountsMu sync.Mutex
	accounts   []string

	appendThreads appendThreads // DuckDB's threads while rows are appended

	cache   *cacheState
	tokenID string // the token's identity in cache keys, never the token
	tmp     string // DuckDB's private spill directory, removed by Close

	catalogMu   sync.Mutex
	catalogDone bool // the introspection views exist (ensureCatalog)
}

// Open starts DuckDB and prepares the Graph client. No request is sent
// until a query needs one.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, cat: cfg.Catalog, cache: &cacheState{cfg: cfg.Cache, mode: cfg.Cache.Mode},
		tokenID: tokenID(cfg.Graph.Token)}
	if e.cat == nil {
		e.cat = fbtables.DefaultCatalog()
	}
	pause := cfg.ThrottlePause
	if pause == 0 {
		pause = 30 * time.Second
	}
	scale := cfg.WaitScale
	if scale <= 0 {
		scale = 1
	}
	gcfg := cfg.Graph
	gcfg.Throttle = &graph.Throttle{MaxPerAccount: e.maxPerAccount(), MaxInFlight: cfg.MaxInFlight, Pause: pause, WaitScale: scale}
	gcfg.MaxWait = cfg.MaxWait
	// Every row the engine reads is decoded in full (decoder, json.Unmarshal), which checks
	// its grammar: the client need not check it a second time.
	gcfg.CallerChecksRows = true
	if gcfg.Notice == nil {
		gcfg.Notice = cfg.Notice
	}
	if scale != 1 {
		inner := gcfg.Sleep
		gcfg.Sleep = func(ctx context.Context, d time.Duration) error {
			d = time.Duration(float64(d) * scale)
			if inner != nil {
				return inner(ctx, d)
			}
			return graph.Sleep(ctx, d)
		}
	}
	user := gcfg.OnResponse
	gcfg.OnResponse = func(r graph.ResponseInfo) {
		e.requests.Add(1)
		if user != nil {
			user(r)
		}
	}
	client, err := graph.New(gcfg)
	if err != nil {
		return nil, err
	}
	e.client = client
	e.tmp = tempDir(cfg.Cache.Path)
	connector, err := duckdb.NewConnector(cfg.Database, func(ex driver.ExecerContext) error {
		// Ad data stays on this machine and in the user's private directory: no extension is
		// fetched or loaded behind the user's back, and spills go under the cache directory
		// (0700), not ./.tmp. DuckDB's statistics propagation folds a DATE compared
		// with a TIMESTAMPTZ as if the session were in UTC (v1.5: a table whose
		// date_start holds one day drops it under `date_start >= now() - INTERVAL
		// 16 DAY` in America/Los_Angeles, while the same rows evaluated one by one
		// keep it), so the re-check of the days fetched could drop the only row
		// of a one-slice fetch (FINDINGS-11 O12); without it every row is checked
		// in the session's time zone, as the planner decided the days.
		_, err := ex.ExecContext(context.Background(), fmt.Sprintf(
			"SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; SET disabled_optimizers = 'statistics_propagation'; SET temp_directory = %s",
			sqlString(e.tmp)), nil)
		return err
	})
	if err != nil {
		e.removeTemp()
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	e.db = sql.OpenDB(connector)
	if e.conn, err = e.db.Conn(ctx); err != nil {
		e.db.Close()
		e.removeTemp()
		return nil, fmt.Errorf("open duckdb connection: %w", err)
	}
	if _, err := e.conn.ExecContext(ctx, "ATTACH ':memory:' AS "+stageDB); err != nil {
		e.Close()
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	if cfg.MemoryLimit != "" {
		if _, err := e.conn.ExecContext(ctx, "SET memory_limit = "+sqlString(cfg.MemoryLimit)); err != nil {
			e.Close()
			return nil, fmt.Errorf("memory limit %q: %w", cfg.MemoryLimit, err)
		}
	}
	if e.fe, err = sqlfront.New(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases DuckDB.
func (e *Engine) Close() error {
	if e.fe != nil {
		e.fe.Close()
	}
	if e.conn != nil {
		e.conn.Close()
	}
	err := e.db.Close()
	e.removeTemp()
	return err
}

// removeTemp deletes DuckDB's spill directory.
func (e *Engine) removeTemp() {
	if e.tmp != "" {
		os.RemoveAll(e.tmp)
	}
}

// Catalog is the engine's set of virtual tables.
func (e *Engine) Catalog() *fbtables.Catalog { return e.cat }

// Stats describe the work behind one statement.
type Stats struct {
	Requests    int64
	RowsFetched int64
	Elapsed     time.Duration
	// CacheRows are the rows served from the cache.
	CacheRows int64
	// CacheDays and FetchedDays count the account-days of daily insights
	// served from the cache and fetched.
	CacheDays, FetchedDays int
	// CacheWhole and FetchedWhole count other requests (per account)
	// served from the cache and fetched.
	CacheWhole, FetchedWhole int
	// CacheUsed is set when the statement consulted the cache.
	CacheUsed bool
}

// Result is one statement's outcome: rows to render, or a plan for EXPLAIN.
type Result struct {
	// Plan is the statement's plan; for EXPLAIN it is the whole result.
	Plan *planner.Statement
	// Columns and Types describe the rows (empty for EXPLAIN).
	Columns []string
	Types   []string
	// Stats are filled in once the rows have been read.
	Stats Stats
	// CacheNotes say, per scan, what came from the cache and what was (or,
	// for EXPLAIN, would be) fetched.
	CacheNotes []string
	// Observe, when set before the rows are read, sees every row Next
	// returns (the shell remembers names for completion).
	Observe func(row []any)
	// Notices warn about the result itself (money added up across
	// currencies); the shell prints them on stderr.
	Notices []string
	rows    *sql.Rows
}

// Next returns the next row, or nil at the end.
func (r *Result) Next() ([]any, error) {
	if r.rows == nil || !r.rows.Next() {
		if r.rows != nil {
			return nil, r.rows.Err()
		}
		return nil, nil
	}
	vals := make([]any, len(r.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	if r.Observe != nil {
		r.Observe(vals)
	}
	return vals, nil
}

// Each calls fn for every remaining row and counts them; a failure to
// read a row is a *QueryError.
func (r *Result) Each(fn func(row []any) error) (int, error) {
	n := 0
	for {
		row, err := r.Next()
		if err != nil {
			return n, &QueryError{Err: err}
		}
		if row == nil {
			return n, nil
		}
		if err := fn(row); err != nil {
			return n, err
		}
		n++
	}
}

// Plan plans a script without running it. Each insights scan says how the
// engine will fetch it (Scan.Fetch, Scan.Async): sync pages or report runs.
func (e *Engine) Plan(ctx context.Context, script string) (*planner.Plan, error) {
	in, err := e.planInput(ctx)
	if err != nil {
		return nil, err
	}
	p, err := planner.Build(script, in)
	if err != nil {
		return nil, err
	}
	for _, st := range p.Statements {
		e.explainFetch(st)
	}
	return p, nil
}

// planInput is what planning a statement of this session depends on.
func (e *Engine) planInput(ctx context.Context) (planner.Input, error) {
	today, err := e.today(ctx)
	if err != nil {
		return planner.Input{}, err
	}
	fe := sqlfront.Session{Frontend: e.fe, Ctx: ctx, Conn: e.conn}
	return planner.Input{Catalog: e.cat, Frontend: fe, Today: today, Now: time.Now(),
		AttributionWindows: e.cfg.AttributionWindows, APIVersion: e.version(), GrainOnly: e.cfg.GrainOnly}, nil
}

// Exec runs every statement of a script in order, handing each result to
// emit before running the next; it stops at the first error.
func (e *Engine) Exec(ctx context.Context, script string, emit func(*Result) error) error {
	return e.ExecWith(ctx, script, ExecOptions{}, emit)
}

// ExecOptions change where results go.
type ExecOptions struct {
	// Parquet, when set, writes each query's rows to this file with
	// DuckDB's COPY … (FORMAT parquet) instead of handing them to emit.
	Parquet string
}

// ExecWith is Exec with options. The script is split into statements
// here, once; each is planned and run as it is.
func (e *Engine) ExecWith(ctx context.Context, script string, o ExecOptions, emit func(*Result) error) error {
	for _, text := range planner.SplitStatements(script) {
		if err := e.ExecStatement(ctx, text, o, emit); err != nil {
			return err
		}
	}
	return nil
}

// ExecStatement runs one statement of a script split by
// planner.SplitStatements, for callers that handle each statement's
// failure themselves (the shell goes on after one).
func (e *Engine) ExecStatement(ctx context.Context, text string, o ExecOptions, emit func(*Result) error) error {
	start := time.Now()
	reqBefore := e.requests.Load()
	if err := e.ensureCatalog(ctx, text); err != nil {
		return err
	}
	in, err := e.planInput(ctx)
	if err != nil {
		return err
	}
	st, err := planner.BuildStatement(e.introspection(text), in)
	if err != nil {
		return err
	}
	e.explainFetch(st)
	res := &Result{Plan: st}
	defer e.detachCache()
	if st.Explain {
		res.CacheNotes = e.explainCache(ctx, st)
		return emit(res)
	}
	defer e.dropTemps(st)
	for _, sc := range st.Scans {
		if err := e.createTemp(ctx, sc); err != nil {
			return err
		}
	}
	// Bind the statement against the empty tables first, so a query DuckDB
	// would reject costs no API request.
	if len(st.Scans) > 0 {
		stmt, err := e.conn.PrepareContext(ctx, st.SQL)
		if err != nil {
			return e.queryError(err, st)
		}
		stmt.Close()
	}
	var fetched int64
	tr := e.newTracker()
	for _, sc := range st.Scans {
		n, err := e.fetch(ctx, sc, tr)
		if err != nil {
			tr.tick(true)
			return err
		}
		fetched += n
	}
	if len(st.Scans) > 0 {
		tr.tick(true)
		if n := e.currencyNotice(st); n != "" {
			res.Notices = append(res.Notices, n)
		}
	}
	if o.Parquet != "" && st.Query {
		q := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", st.SQL, strings.ReplaceAll(o.Parquet, "'", "''"))
		if _, err := e.conn.ExecContext(ctx, q); err != nil {
			return e.queryError(err, st)
		}
		return nil
	}
	rows, err := e.conn.QueryContext(ctx, st.SQL)
	if err != nil {
		return e.queryError(err, st)
	}
	defer rows.Close()
	res.rows = rows
	res.Columns, _ = rows.Columns()
	if cts, err := rows.ColumnTypes(); err == nil {
		for _, ct := range cts {
			res.Types = append(res.Types, ct.DatabaseTypeName())
		}
	}
	res.Stats = tr.cache
	res.Stats.Requests, res.Stats.RowsFetched = e.requests.Load()-reqBefore, fetched
	res.CacheNotes = tr.cacheNotes
	res.Stats.CacheUsed = len(tr.cacheNotes) > 0
	if err := emit(res); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return e.queryError(err, st)
	}
	res.Stats.Elapsed = time.Since(start)
	return nil
}

// maxInFlight is the most requests the client sends at once, all accounts together.
func (e *Engine) maxInFlight() int {
	if e.cfg.MaxInFlight > 0 {
		return e.cfg.MaxInFlight
	}
	return graph.DefaultMaxInFlight
}

func (e *Engine) maxPerAccount() int {
	if e.cfg.MaxConcurrentPerAccount > 0 {
		return e.cfg.MaxConcurrentPerAccount
	}
	return graph.DefaultMaxPerAccount
}

func (e *Engine) pollBounds() (time.Duration, time.Duration) {
	lo, hi := e.cfg.PollMin, e.cfg.PollMax
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 30 * time.Second
	}
	return lo, max(lo, hi)
}

// version is the Graph API version requests use.
func (e *Engine) version() string {
	if e.cfg.Graph.Version != "" {
		return e.cfg.Graph.Version
	}
	return graph.DefaultVersion
}

// today is the last day the API may serve: the later of DuckDB's
// current_date (the session's date, which the re-check of the days sees)
// and UTC's date.
func (e *Engine) today(ctx context.Context) (time.Time, error) {
	// The API serves the accounts' dates: the sandbox's (and the demo's)
	// are UTC's. A session behind UTC must not cap the days at its own
	// date, which would drop the API's today (FINDINGS-11 O13); a session
	// ahead of UTC may ask for its date, which the API answers as empty.
	var session, utc time.Time
	if err := e.conn.QueryRowContext(ctx, `SELECT current_date, CAST(timezone('UTC', get_current_timestamp()) AS DATE)`).Scan(&session, &utc); err != nil {
		return time.Time{}, fmt.Errorf("read current date: %w", err)
	}
	t := session
	if utc.After(t) {
		t = utc
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// QueryError is DuckDB rejecting or failing a statement.
type QueryError struct {
	Err  error
	Hint string // what fbsql adds to DuckDB's message
	msg  string // DuckDB's message with the user's table names
}

func (e *QueryError) Error() string {
	if e.msg != "" {
		return e.msg + e.Hint
	}
	return e.Err.Error() + e.Hint
}

// tableNotFound matches DuckDB's error for a table that does not exist.
var tableNotFound = regexp.MustCompile(`Table with name ([^ ]+) does not exist`)

// duckdbGuess is the line DuckDB adds to a missing table's error.
var duckdbGuess = regexp.MustCompile(`(?m)^Did you mean "[^"\n]*"\?\n`)

// queryError wraps a DuckDB error. DuckDB suggests its own system tables
// for a misspelt name; fbsql adds its virtual tables.
func (e *Engine) queryError(err error, st *planner.Statement) error {
	qe := &QueryError{Err: err, msg: userNames(err.Error(), st)}
	if m := tableNotFound.FindStringSubmatch(err.Error()); m != nil {
		name := strings.Trim(m[1], `"!`)
		hint := "\nfbsql's tables: " + strings.Join(e.cat.TableNames(), ", ")
		if _, virtual := e.cat.Table(strings.ToLower(name)); virtual {
			hint = "\n" + unplannedText(name)
		} else if s := e.cat.SuggestTable(name); s != "" {
			hint += fmt.Sprintf("; did you mean %q?", s)
		}
		qe.Hint = hint
		// DuckDB's own guess is among its system tables (pg_constraint) or
		// repeats fbsql's: only fbsql's suggestion is kept.
		qe.msg = duckdbGuess.ReplaceAllString(qe.msg, "")
	}
	return qe
}
func (e *QueryError) Unwrap() error { return e.Err }

// IsQueryError reports whether err came from DuckDB rather than the API.
func IsQueryError(err error) bool {
	var qe *QueryError
	return errors.As(err, &qe)
}
