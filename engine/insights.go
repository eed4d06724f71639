package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// insightsRun fetches one insights scan: it cuts the work into units by
// account and time so they run concurrently, sends each as a sync request
// or an async report run by its expected size, and splits a unit further
// when the API says it is too big. Units partition the answer, and a unit
// whose rows were already delivered is never retried, so the result is all
// the rows exactly once, or an error.
type insightsRun struct {
	e      *Engine
	sc     *planner.Scan
	fields []stageField
	out    chan<- rowMsg
	tr     *tracker

	wg       sync.WaitGroup
	errOnce  sync.Once
	err      error
	cancel   context.CancelFunc
	mu       sync.Mutex
	campaign map[string][]string // account → every campaign id, for splitting by entity
}

// leftovers says the bases are the days a cache could not serve: they are
// split only to stay under a sync request's budget, not for parallelism,
// so a repeat question costs about one request per account.
func (e *Engine) fetchInsights(ctx context.Context, sc *planner.Scan, bases []unit, leftovers bool, fields []stageField, out chan<- rowMsg, tr *tracker) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &insightsRun{e: e, sc: sc, fields: fields, out: out, tr: tr, cancel: cancel, campaign: map[string][]string{}}
	// Each account's share of the requests in flight, when all are read at once.
	share := (e.maxInFlight() + len(bases) - 1) / max(1, len(bases))
	for _, u := range bases {
		units, sched := e.units(sc, u, leftovers)
		if sched != nil {
			acct := u.acct
			sched.slots = func() (int, bool) { return e.client.Concurrency(acct) }
			sched.work = func(rows float64) { e.client.SetWork(acct, rows) }
			r.runSchedule(ctx, sched, share)
		}
		for _, p := range units {
			r.start(ctx, p)
		}
	}
	r.wg.Wait()
	if r.err != nil {
		return r.err
	}
	return ctx.Err()
}

// units decides how a base unit is fetched — the decision EXPLAIN shows:
// a schedule that sizes its pieces from the rows the first ones return,
// when the unit is large enough to run in parallel and can be cut by time
// into pieces a sync request serves; otherwise units cut up front, each
// marked sync or async by its expected size.
func (e *Engine) units(sc *planner.Scan, u unit, leftovers bool) ([]*unit, *schedule) {
	units := []*unit{&u}
	est := estimateRows(sc, &u)
	if sc.Limit == 0 && est > parallelRows {
		sl, ok := u.slicing()
		if guess := float64(est) / float64(sl.n); ok && !leftovers && guess <= syncRowBudget {
			return nil, newSchedule(sl, guess, e.maxPerAccount())
		}
		// One piece per slot, more if a piece would exceed a sync
		// request's budget (a piece that turns out too big is split
		// again when the API says so); leftovers only by the budget.
		target, slots := syncRowBudget, min(e.maxPerAccount(), splitSlots)
		if leftovers {
			slots = 1
		}
		if parts := u.splitTime(max(slots, (est+target-1)/target)); parts != nil {
			units = parts
		}
	}
	for _, p := range units {
		p.async = estimateRows(sc, p) > syncRowBudget && sc.Limit == 0
	}
	return units, nil
}

// explainFetch says on each insights scan of an EXPLAIN how it will be
// fetched (before any cache), from the same decision fetchInsights makes.
func (e *Engine) explainFetch(st *planner.Statement) {
	for _, sc := range st.Scans {
		if !sc.Table.Insights || sc.Empty {
			continue
		}
		units, sched := e.units(sc, baseUnit(sc), false)
		if sched != nil {
			sc.Fetch = fmt.Sprintf("sync, paged, in pieces per account: %d from both ends of the range first, the others sized from the rows per time slice those return, the last an even share per request the API serves at once", sched.first)
			continue
		}
		async := 0
		for _, u := range units {
			if u.async {
				async++
			}
		}
		pieces := ""
		if len(units) > 1 {
			pieces = fmt.Sprintf(", in %d pieces per account", len(units))
		}
		switch {
		case async == len(units):
			sc.Fetch, sc.Async = "async report run"+pieces, true
		case async > 0:
			sc.Fetch, sc.Async = fmt.Sprintf("%d async report runs and %d sync, paged reads per account", async, len(units)-async), true
		default:
			sc.Fetch = "sync, paged" + pieces
		}
	}
}

// baseUnit reads the scan's time parameters.
func baseUnit(sc *planner.Scan) unit {
	var u unit
	if v, ok := sc.Param("time_increment"); ok {
		u.increment = v.(string)
	}
	if v, ok := sc.Param("time_range"); ok {
		tr := v.(map[string]string)
		u.since, _ = time.Parse(time.DateOnly, tr["since"])
		u.until, _ = time.Parse(time.DateOnly, tr["until"])
	}
	if v, ok := sc.Param("time_ranges"); ok {
		for _, x := range v.([]any) {
			tr := x.(map[string]string)
			since, _ := time.Parse(time.DateOnly, tr["since"])
			until, _ := time.Parse(time.DateOnly, tr["until"])
			u.ranges = append(u.ranges, dateRange{since, until})
		}
	}
	return u
}

func (r *insightsRun) fail(err error) {
	r.errOnce.Do(func() { r.err = err; r.cancel() })
}

// failedAtRandom says err is a report run the API failed or skipped for no
// stated reason of size, which another attempt may pass.
func failedAtRandom(err error) bool {
	var je *graph.JobError
	return errors.As(err, &je) && !je.Run.TooBig() && (je.Run.Status == "Job Failed" || je.Run.Status == "Job Skipped")
}

// unitIDs numbers units so a failed one's rows can be discarded.
var unitIDs atomic.Int64

// maxRestarts bounds how often a unit whose paging broke off runs again.
const maxRestarts = 3

// restartable errors are worth running a whole unit again for.
func restartable(err error) bool {
	var ae *graph.APIError
	if errors.As(err, &ae) {
		return ae.Code == 2642 || ae.Temporary() || ae.RateLimited()
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// start runs a unit in a goroutine of its own.
func (r *insightsRun) start(ctx context.Context, u *unit) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.run(ctx, u)
	}()
}

// run runs a unit, failing the whole run on an error. It returns the rows
// the unit delivered itself, -1 when it handed its rows over to smaller
// units, and false after an error.
func (r *insightsRun) run(ctx context.Context, u *unit) (int, bool) {
	u.id = unitIDs.Add(1)
	r.tr.addFetches(1)
	rows, err := r.runUnit(ctx, u)
	if err != nil {
		r.fail(err)
		return 0, false
	}
	r.tr.fetchDone()
	return rows, true
}

// errTooBig marks an answer of the API that the request asks for too much.
type errTooBig struct{ cause error }

func (e *errTooBig) Error() string { return e.cause.Error() }
func (e *errTooBig) Unwrap() error { return e.cause }

// runUnit runs one unit; when the API says it is too big (and none of its
// rows were delivered yet) it runs smaller pieces instead. It returns the
// rows the unit delivered, or -1 when smaller pieces deliver them.
func (r *insightsRun) runUnit(ctx context.Context, u *unit) (int, error) {
	delivered := 0
	b := newBatcher(r.out, r.fields, false, u.acct)
	b.unit = u.id
	defer b.release()
	emit := func(raw json.RawMessage) error {
		if err := b.add(ctx, raw); err != nil {
			return fmt.Errorf("act_%s/insights: %w", u.acct, err)
		}
		if delivered++; r.sc.Limit > 0 && delivered >= r.sc.Limit {
			return errEnough
		}
		return nil
	}
	rows := graph.Rows{Each: emit}
	if r.sc.Limit == 0 {
		// Without a LIMIT to stop at a row, pages are read in place: one walk over a page's
		// bytes finds its rows, its paging and any error, and decodes the rows.
		rows = graph.Rows{Pages: unitPages{b, u.acct}}
	}
	var err error
	if u.async {
		err = r.runAsync(ctx, u, rows)
	} else {
		err = r.runSync(ctx, u, rows)
	}
	delivered += b.page.kept
	// The unit's rows so far go out before it ends or is discarded.
	if ferr := b.flush(ctx); err == nil || errors.Is(err, errEnough) {
		err = ferr
	}
	if errors.Is(err, errEnough) {
		return delivered, nil
	}
	var big *errTooBig
	if err != nil && delivered > 0 && restartable(err) && u.restarts < maxRestarts && ctx.Err() == nil {
		// Paging broke off (an invalid cursor, retries used up): throw
		// away this unit's rows and run it again from the start.
		select {
		case r.out <- rowMsg{unit: u.id, discard: true}:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		u.restarts++
		u.id = unitIDs.Add(1)
		return r.runUnit(ctx, u)
	}
	if err == nil || !errors.As(err, &big) || delivered > 0 {
		return delivered, err
	}
	if parts := u.splitTime(2); parts != nil {
		for _, p := range parts {
			r.start(ctx, p)
		}
		return -1, nil
	}
	if !u.async {
		u.async = true // one slice that is too big for a sync request
		return r.runUnit(ctx, u)
	}
	if parts, err := r.splitByCampaign(ctx, u); err != nil || parts != nil {
		for _, p := range parts {
			r.start(ctx, p)
		}
		return -1, err
	}
	if u.lastTries+1 < leafRounds && failedAtRandom(big.cause) {
		// Nothing smaller to ask for: a job that failed or was skipped
		// maxJobAttempts times here gets another round before the query
		// ends, since the API fails some jobs at random.
		u.lastTries++
		u.attempts = 0
		return r.runUnit(ctx, u)
	}
	return 0, fmt.Errorf("act_%s/insights: the API cannot produce this report even for one time slice and one campaign: %w", u.acct, big.cause)
}

// query is the insights read of a unit.
func (r *insightsRun) query(u *unit) graph.Insights {
	q := graph.Insights{Account: u.acct, Params: r.sc.Params, Campaigns: u.campaigns, Limit: r.sc.Limit}
	switch {
	case u.ranges != nil:
		for _, d := range u.ranges {
			q.Ranges = append(q.Ranges, graph.DateRange{Since: d.since, Until: d.until})
		}
	case !u.since.IsZero():
		q.Range = &graph.DateRange{Since: u.since, Until: u.until}
	}
	return q
}

// unitPages reads a unit's pages into its batcher, naming the account in a row's error.
type unitPages struct {
	*batcher
	acct string
}

func (p unitPages) ReadRow(page []byte, at int) (int, error) {
	end, err := p.batcher.ReadRow(page, at)
	if err != nil {
		return 0, fmt.Errorf("act_%s/insights: %w", p.acct, err)
	}
	return end, nil
}

// runSync reads a unit with paged GETs.
func (r *insightsRun) runSync(ctx context.Context, u *unit, rows graph.Rows) error {
	err := r.e.client.Insights(ctx, r.query(u), rows)
	if isTooBig(err) || isSyncTimeout(err) {
		return &errTooBig{err}
	}
	return err
}

// isTooBig: the API asks for less data per request (graph.APIError.TooBig).
func isTooBig(err error) bool {
	var ae *graph.APIError
	return errors.As(err, &ae) && ae.TooBig()
}

// isSyncTimeout: a sync request that timed out at the API (reference §5.4).
func isSyncTimeout(err error) bool {
	var ae *graph.APIError
	return errors.As(err, &ae) && ae.SyncTimeout()
}

// splitByCampaign cuts a unit by campaign when its level allows it.
func (r *insightsRun) splitByCampaign(ctx context.Context, u *unit) ([]*unit, error) {
	if lvl, _ := r.sc.Param("level"); lvl == "account" {
		return nil, nil
	}
	if u.campaigns == nil {
		ids, err := r.campaigns(ctx, u.acct)
		if err != nil {
			return nil, err
		}
		c := *u
		c.campaigns = ids
		u = &c
	}
	return u.splitCampaigns(), nil
}

// campaigns lists every campaign of an account, deleted and archived too:
// their insights count.
func (r *insightsRun) campaigns(ctx context.Context, acct string) ([]string, error) {
	r.mu.Lock()
	ids, ok := r.campaign[acct]
	r.mu.Unlock()
	if ok {
		return ids, nil
	}
	ids, err := r.e.client.CampaignIDs(ctx, acct)
	if err != nil {
		return nil, fmt.Errorf("split a report: %w", err)
	}
	r.mu.Lock()
	r.campaign[acct] = ids
	r.mu.Unlock()
	return ids, nil
}
