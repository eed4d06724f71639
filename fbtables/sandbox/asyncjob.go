package sandbox

import (
	"net/http"
	"strconv"
	"time"
)

// Async report runs (AdReportRun, reference §1.2): POST /{node}/insights
// validates like the sync GET, computes the result at once (into the same
// cache the sync GET uses, so both page identical rows and cursors) and
// returns a report_run_id. The job's progress is a pure function of the
// clock: it "runs" for Model.jobDuration(rows) after creation, so tests move
// Config.Now instead of sleeping, and nothing runs in the background.

// jobFate is how a report run ends, decided when it is created.
type jobFate int

const (
	fateCompleted jobFate = iota
	fateFailed
	fateSkipped
)

// asyncErr is the error_* block of a failed report run (v25.0+, §1.2).
type asyncErr struct {
	code, subcode          int
	message, title, detail string
}

var (
	errReportTooLarge = asyncErr{-3, 1504045, "Report Too Large", "Report Too Large",
		"The report you requested has too much data. Please reduce the amount of data you're asking for (a shorter date range, fewer breakdowns or a higher level), then retry your request."}
	errReportFailed = asyncErr{-2, 2490547, "Report Failed", "Report Failed",
		"The report could not be generated. Please try again later."}
)

// job is one report run.
type job struct {
	id           string
	acct         *account
	key          string // result cache key, equal to the sync GET's with the same params
	q            *insightsQuery
	rows         int
	created      time.Time
	dur          time.Duration
	fate         jobFate
	err          asyncErr
	since, until int // the days the report covers
}

func (j *job) end() time.Time { return j.created.Add(j.dur) }

// state derives async_status and async_percent_completion from the clock:
// the first tenth of the run is "Job Not Started", the next tenth "Job
// Started", then "Job Running" until the end, where the fate decides.
func (j *job) state(now time.Time) (status string, pct int, done bool) {
	el := now.Sub(j.created)
	if el >= j.dur {
		switch j.fate {
		case fateFailed:
			return "Job Failed", 100, true
		case fateSkipped:
			return "Job Skipped", 100, true
		}
		return "Job Completed", 100, true
	}
	if el < 0 {
		el = 0
	}
	// Never 100 before the end: clients treat 100 as done (PY __nonzero__).
	pct = min(99, int(100*el/j.dur))
	switch {
	case el < j.dur/10:
		return "Job Not Started", 0, false
	case el < j.dur/5:
		return "Job Started", pct, false
	}
	return "Job Running", pct, false
}

// createReportRun serves POST /{node}/insights.
func (s *Server) createReportRun(c *call) (any, *apiError) {
	a, node, inScope, ok := s.insightsTarget(c.parts[0])
	if !ok {
		return nil, errUnsupported(c.r.Method, c.parts[0])
	}
	c.acct = a
	today := s.today()
	q, err := parseInsights(c.p, a, node, inScope, today)
	if err != nil {
		return nil, err
	}
	if _, err := c.p.limit(25); err != nil {
		return nil, err
	}
	key := cacheKey(c, today)
	rs := s.cache.get(key)
	if rs == nil {
		rs = q.compute()
		s.cache.put(key, rs)
	}
	j := &job{acct: a, key: key, q: rs.q, rows: rs.len(), created: s.now(), since: q.ts.ranges[0].since, until: q.ts.ranges[0].until}
	for _, r := range q.ts.ranges {
		j.since, j.until = min(j.since, r.since), max(j.until, r.until)
	}
	j.dur = s.model.jobDuration(j.rows)
	switch {
	case s.model.JobRowLimit > 0 && j.rows > s.model.JobRowLimit:
		j.fate, j.err = fateFailed, errReportTooLarge
	case c.fault == FaultJobFailed:
		j.fate, j.err = fateFailed, errReportFailed
	case c.fault == FaultJobSkipped:
		j.fate = fateSkipped
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.model.MaxJobsPerAccount; m > 0 && s.runningLocked(a, j.created) >= m {
		return nil, errTooManyJobs()
	}
	if j.fate != fateCompleted && c.fault != "" {
		s.stats.FaultsInjected++
	}
	s.jobSeq++
	// Real report_run_ids are long numeric strings; deriving them from a
	// counter keeps bodies reproducible across runs.
	j.id = strconv.FormatUint(6023920149050000+s.jobSeq, 10)
	s.jobs[j.id] = j
	s.stats.JobsCreated++
	s.stats.MaxConcurrentJobs = max(s.stats.MaxConcurrentJobs, s.runningLocked(nil, j.created))
	return obj{{"report_run_id", j.id}}, nil
}

// runningLocked counts the jobs of a (all accounts when nil) running at now.
func (s *Server) runningLocked(a *account, now time.Time) int {
	n := 0
	for _, j := range s.jobs {
		if (a == nil || j.acct == a) && !now.Before(j.created) && now.Before(j.end()) {
			n++
		}
	}
	return n
}

// job returns the report run with id, or nil.
func (s *Server) job(id string) *job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs[id]
}

// reportRun serves GET /{report_run_id} and GET /{report_run_id}/insights.
func (s *Server) reportRun(c *call, j *job, edge string) (any, *apiError) {
	c.acct = j.acct
	switch edge {
	case "":
		s.bump(&s.stats.StatusPolls)
		return s.reportRunNode(j), nil
	case "insights":
		s.bump(&s.stats.ResultPages)
		if _, _, done := j.state(s.now()); !done || j.fate != fateCompleted {
			return nil, errReportNotReady()
		}
		rs := s.cache.get(j.key)
		if rs == nil {
			rs = j.q.compute()
			s.cache.put(j.key, rs)
		}
		return insightsPage(c, rs)
	}
	return nil, errParam("Tried accessing nonexisting field (%s) on node type (AdReportRun)", edge)
}

// reportRunNode renders the AdReportRun in the key order of the doc example
// (§1.2); time_completed appears once the run has ended, error_* only on
// failure.
func (s *Server) reportRunNode(j *job) obj {
	status, pct, done := j.state(s.now())
	o := obj{{"id", j.id}, {"account_id", j.acct.id}, {"time_ref", j.created.Unix()}}
	if done {
		o = append(o, kv{"time_completed", j.end().Unix()})
	}
	o = append(o, kv{"async_status", status}, kv{"async_percent_completion", pct}, kv{"is_running", !done},
		kv{"date_start", dayString(j.since)}, kv{"date_stop", dayString(j.until)})
	if done && j.fate == fateFailed {
		o = append(o, kv{"error_code", j.err.code}, kv{"error_message", j.err.message}, kv{"error_subcode", j.err.subcode},
			kv{"error_user_title", j.err.title}, kv{"error_user_msg", j.err.detail})
	}
	return o
}

// insightsTarget resolves the node of an insights edge: its account, level
// and the ads under it (nil = the whole account).
func (s *Server) insightsTarget(head string) (*account, level, func(*ad) bool, bool) {
	if a := s.account(head); a != nil && len(head) > 4 && head[:4] == "act_" {
		return a, levelAccount, nil, true
	}
	switch n := s.world.byID[head].(type) {
	case *campaign:
		return n.acct, levelCampaign, func(d *ad) bool { return d.camp == n }, true
	case *adset:
		return n.acct, levelAdset, func(d *ad) bool { return d.set == n }, true
	case *ad:
		return n.acct, levelAd, func(d *ad) bool { return d == n }, true
	}
	return nil, 0, nil, false
}

// isPost reports whether c is a POST.
func (c *call) isPost() bool { return c.r.Method == http.MethodPost }
