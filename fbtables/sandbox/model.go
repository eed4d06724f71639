package sandbox

import (
	"context"
	"time"
)

// Model holds the parameters of the sandbox's realistic mode: how slow the
// API is, how long async report runs take, how much data one call may ask
// for and how many calls an ad account may make. The zero Model turns all of
// it off: every answer is instant, jobs complete at once and nothing is
// limited, which is what unit tests of other packages want.
type Model struct {
	// Latency is added to every request (sync GETs, POSTs, status polls,
	// result pages, batches) before the answer is written.
	Latency time.Duration
	// PerRowLatency is added per row of a sync insights page: the API's
	// cost of computing and serializing a big page on the request path.
	PerRowLatency time.Duration
	// JobBase and JobPerRow give an async report run's duration:
	// JobBase + JobPerRow × the rows of its whole result.
	JobBase   time.Duration
	JobPerRow time.Duration
	// MaxJobsPerAccount caps the report runs running at once per ad
	// account; a POST beyond it fails with 4/1504022. 0 = no cap.
	MaxJobsPerAccount int
	// SyncRowLimit fails a sync GET /insights whose full result has more
	// rows with 100/1487534. 0 = unlimited.
	SyncRowLimit int
	// JobRowLimit makes a report run over more rows end "Job Failed" with
	// -3/1504045 "Report Too Large". 0 = unlimited.
	JobRowLimit int
	// CallsPerWindow is the insights calls (sync GETs, POSTs, status polls,
	// result pages) an ad account may make per rolling Window; 0 = unlimited.
	CallsPerWindow int
	// Window is the rolling window of CallsPerWindow; 0 means one hour, the
	// window of the real business-use-case limits (§5.5).
	Window time.Duration
	// AccountSlots and AppSlots are the insights load limit (load.go): how
	// many insights calls of one ad account, and of the whole app, the
	// server works on at once; more wait. With either set, every insights
	// page — sync or a report run's result — costs PerRowLatency per row,
	// and Floor bounds any client's time. 0 = unlimited.
	AccountSlots int
	AppSlots     int
}

// RealisticModel returns the documented realistic defaults. Durations are
// the real API's divided by 30 (scale factor 1/30), so a benchmark that would
// spend minutes against graph.facebook.com finishes here in tens of seconds
// while keeping the same shape: sync is cheap for small results and slow for
// big pages, async costs a fixed overhead, and an account's call budget runs
// out at the same relative pace. The real-world figures behind them are
// order-of-magnitude observations, not numbers Meta documents, except where a
// reference section is cited.
func RealisticModel() Model {
	return Model{
		// ~0.9 s real: a typical Graph API insights round trip, of which
		// most is server time, not network.
		Latency: 30 * time.Millisecond,
		// ~0.3 ms/row real: a 5000-row sync page (the page cap) costs ~1.5 s
		// more than a one-row page, which is why big reads go async (§5.2).
		PerRowLatency: 10 * time.Microsecond,
		// ~15 s real: even a tiny report run spends seconds queued before it
		// starts; the doc example's run took 62 s (time_ref→time_completed, §1.2).
		JobBase: 500 * time.Millisecond,
		// ~0.6 ms/row real: a 100k-row report takes about a minute; jobs
		// can take up to an hour with retries (§5.2).
		JobPerRow: 20 * time.Microsecond,
		// No documented number; past a handful of concurrent runs per
		// account the API answers 4/1504022 "Too many API requests" (§5.4).
		MaxJobsPerAccount: 10,
		// "There is no explicit limit" (§5.1): the API fails sync calls by
		// data size with 100/1487534. 50k rows is ten full pages, about where
		// sync reads of daily ad-level data start to fail.
		SyncRowLimit: 50_000,
		// Report Too Large (-3/1504045, §5.4) hits runs of millions of
		// rows; a year of ad × day × country (~650k rows) must still pass.
		JobRowLimit: 1_000_000,
		// 600 calls per hour is the development tier's ads_insights base
		// budget (§5.5); with the hour scaled 1/30 to two minutes, the
		// allowed call rate is scaled like every other duration.
		CallsPerWindow: 600,
		Window:         2 * time.Minute,
		// No documented number: Meta reports an account's and the app's
		// insights load as a share of a capacity it does not publish
		// (§5.5). Ten calls at once per account (the report-run cap's
		// order) and a hundred per app (ten accounts' worth: an app
		// reading fifty accounts shares its capacity between them).
		AccountSlots: 10,
		AppSlots:     100,
	}
}

// window returns the throttle window, defaulting to the real hour.
func (m Model) window() time.Duration {
	if m.Window <= 0 {
		return time.Hour
	}
	return m.Window
}

// jobDuration is how long a report run over rows rows takes.
func (m Model) jobDuration(rows int) time.Duration {
	return m.JobBase + time.Duration(rows)*m.JobPerRow
}

// Stats are counters over the server's lifetime, for tests and benchmarks to
// check how a client behaved (how many polls, whether it respected throttles).
type Stats struct {
	Requests          int // requests served, each operation of a batch included (each counts toward limits, §6.2)
	SyncInsights      int // sync GET /{node}/insights answered (after validation and throttling)
	JobsCreated       int // report runs created by POST /{node}/insights
	JobsFailed        int // report runs that have ended "Job Failed" or "Job Skipped" by now
	StatusPolls       int // GET /{report_run_id}
	ResultPages       int // GET /{report_run_id}/insights, ready or not
	FaultsInjected    int // requests that got an injected fault (Config.Faults)
	ThrottledRejected int // requests rejected with 80000/2446079, while blocked included

	// RequestsWhileBlocked counts requests received from an account during
	// a period the server had told it to wait (after a throttle error, until
	// the window freed a slot). A client that honours
	// estimated_time_to_regain_access keeps this at 0.
	RequestsWhileBlocked int
	// MaxConcurrentJobs is the most report runs running at once, across
	// accounts. Jobs of the zero Model finish instantly and never count.
	MaxConcurrentJobs int
}

// Stats returns a snapshot of the counters. Safe for concurrent use.
func (s *Server) Stats() Stats {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	for _, j := range s.jobs {
		if j.fate != fateCompleted && !now.Before(j.end()) {
			st.JobsFailed++
		}
	}
	return st
}

// bump adds one to a counter under the lock.
func (s *Server) bump(counter *int) {
	s.mu.Lock()
	*counter++
	s.mu.Unlock()
}

// pause sleeps d, or until ctx is done (the client went away); it reports
// whether the full time passed. Latency uses real time, not Config.Now: the
// point is to make the client wait.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// latency is the delay before answering c.
func (s *Server) latency(c *call) time.Duration {
	rows := c.syncRows
	if s.model.slots() {
		rows = c.pageRows // serving a row costs slot time whichever way it was computed
	}
	return s.model.Latency + time.Duration(rows)*s.model.PerRowLatency
}
