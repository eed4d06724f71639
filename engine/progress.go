package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/fbsql/fbsql/planner"
)

// Progress is a snapshot of the fetching behind one statement, for a
// progress line on a terminal.
type Progress struct {
	// Requests is the number of HTTP requests answered so far.
	Requests int64
	// Fetches and FetchesDone count (table reference × account) fetches.
	Fetches, FetchesDone int
	// Rows is the number of rows received so far.
	Rows int64
	// Jobs and JobPercent describe async report runs polled so far: how
	// many, and their mean completion.
	Jobs, JobPercent int
	// Elapsed is the time since the statement started.
	Elapsed time.Duration
	// Done is set on the last report of a statement.
	Done bool
}

// tracker counts one statement's work and reports it to Config.Progress.
type tracker struct {
	report  func(Progress)
	start   time.Time
	reqBase int64
	reqs    *atomic.Int64
	rows    atomic.Int64

	mu           sync.Mutex
	fetches      int
	fetchesDone  int
	jobs         map[string]int // report run → percent complete
	lastReported time.Time

	cache      Stats // the cache fields only
	cacheNotes []string
}

// cacheServed counts what a scan took from the cache.
func (t *tracker) cacheServed(p *scanCache, rows int64, sc *planner.Scan) {
	t.mu.Lock()
	t.cache.CacheRows += rows
	t.cache.CacheDays += p.hitDays
	t.cache.FetchedDays += p.fetchDays
	t.cache.CacheWhole += p.hitWhole
	t.cache.FetchedWhole += p.fetchWhole
	t.cacheNotes = append(t.cacheNotes, sc.Temp+" "+p.note(sc))
	t.mu.Unlock()
}

func (e *Engine) newTracker() *tracker {
	return &tracker{report: e.cfg.Progress, start: time.Now(), reqBase: e.requests.Load(), reqs: &e.requests}
}

func (t *tracker) addFetches(n int) {
	t.mu.Lock()
	t.fetches += n
	t.mu.Unlock()
	t.tick(false)
}

func (t *tracker) fetchDone() {
	t.mu.Lock()
	t.fetchesDone++
	t.mu.Unlock()
	t.tick(false)
}

func (t *tracker) jobPercent(id string, pct int) {
	t.mu.Lock()
	if t.jobs == nil {
		t.jobs = map[string]int{}
	}
	t.jobs[id] = pct
	t.mu.Unlock()
	t.tick(false)
}

func (t *tracker) addRows(n int64) {
	t.rows.Add(n)
	t.tick(false)
}

// tick reports at most every 100 ms, and always when done.
func (t *tracker) tick(done bool) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	now := time.Now()
	if !done && now.Sub(t.lastReported) < 100*time.Millisecond {
		t.mu.Unlock()
		return
	}
	t.lastReported = now
	p := Progress{Requests: t.reqs.Load() - t.reqBase, Fetches: t.fetches, FetchesDone: t.fetchesDone,
		Rows: t.rows.Load(), Elapsed: now.Sub(t.start), Done: done, Jobs: len(t.jobs)}
	for _, pct := range t.jobs {
		p.JobPercent += pct
	}
	if p.Jobs > 0 {
		p.JobPercent /= p.Jobs
	}
	t.report(p) // under the lock: reports arrive one at a time, in order
	t.mu.Unlock()
}
