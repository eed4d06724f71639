package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ReportRun is the status of an async report run (AdReportRun).
type ReportRun struct {
	ID           string `json:"id"`
	Status       string `json:"async_status"`
	Percent      int    `json:"async_percent_completion"`
	ErrorCode    int    `json:"error_code"`
	ErrorSubcode int    `json:"error_subcode"`
	ErrorMessage string `json:"error_message"`
	ErrorTitle   string `json:"error_user_title"`
	ErrorUserMsg string `json:"error_user_msg"`
}

// Describe says what a run's status said: the status, its error code and message when it gave
// any, or that it gave none.
func (r ReportRun) Describe() string {
	s := fmt.Sprintf("%q", r.Status)
	if r.ErrorCode != 0 || r.ErrorSubcode != 0 {
		s += fmt.Sprintf(" with error %d (subcode %d)", r.ErrorCode, r.ErrorSubcode)
	}
	msg := r.ErrorMessage
	if msg == "" {
		msg = r.ErrorUserMsg
	}
	if msg == "" {
		msg = r.ErrorTitle
	}
	if msg != "" {
		return s + ": " + msg
	}
	return s + " (the API gave no reason)"
}

// TooBig reports a run that failed as Report Too Large (-3, 1504045): ask for less.
func (r ReportRun) TooBig() bool { return r.ErrorCode == -3 || r.ErrorSubcode == 1504045 }

// RunOptions bound an async report run.
type RunOptions struct {
	// PollMin and PollMax bound the wait between status polls (defaults 1 s and 30 s).
	PollMin, PollMax time.Duration
	// Deadline bounds a run from its creation to its end (default DefaultJobDeadline): a job
	// stuck at 0% is not polled forever.
	Deadline time.Duration
	// OnPercent, if set, is told the completion percent after every poll.
	OnPercent func(id string, percent int)
	// Wait, if set, replaces the client's own polling: it is called once the run id exists and
	// returns the run's final status (or an error). A caller that checks many runs together
	// (the benchmark's Airbyte schedule polls in batches) supplies it; the bounds above then
	// do not apply.
	Wait func(ctx context.Context, id string) (ReportRun, error)
	// PageSize is the number of rows asked per result page (default InsightsPageSize, or
	// fewer when Insights.Limit is smaller).
	PageSize int
}

// DefaultJobDeadline is how long a report run may take before fbsql gives up on it.
const DefaultJobDeadline = time.Hour

// fresh is how long after its creation a report run may be unknown to the API: the real API
// answers 100/33 "Unsupported get request" for a run created seconds ago, and the same request
// succeeds when repeated.
const fresh = 2 * time.Minute

// freshRetries bounds the retries of one request that found a fresh run unknown.
const freshRetries = 5

// JobError is a report run that ended without completing: failed or skipped. Run says what its
// status said.
type JobError struct {
	Account string
	Run     ReportRun
}

// Error names the run and repeats its status.
func (e *JobError) Error() string {
	return fmt.Sprintf("report run %s for act_%s ended %s", e.Run.ID, e.Account, e.Run.Describe())
}

// RunReport runs the insights read q as an async report run: it creates the run, polls it
// until it ends, and pages its rows into each. A run that ends
// without completing is a *JobError; one the API refuses as too large is a TooBig *APIError or
// a *JobError whose Run.TooBig. While the run exists its requests count against acct's
// throttle.
func (c *Client) RunReport(ctx context.Context, q Insights, o RunOptions, rows Rows) error {
	acct, path := q.Account, q.path()
	params, err := q.params(false)
	if err != nil {
		return err
	}
	var created struct {
		ID json.RawMessage `json:"report_run_id"` // Meta's docs show a number, the API a string
	}
	if err := c.Post(ctx, path, params, &created); err != nil {
		return fmt.Errorf("start report run for %s: %w", path, err)
	}
	id := runID(created.ID)
	if id == "" {
		return fmt.Errorf("start report run for %s: the API returned no report_run_id", path)
	}
	born := time.Now()
	if c.throttle != nil {
		defer c.throttle.track(id, acct)()
	}
	var run ReportRun
	if o.Wait != nil {
		run, err = o.Wait(ctx, id)
	} else {
		run, err = c.poll(ctx, acct, id, born, o)
	}
	if err != nil {
		return err
	}
	if run.Status != "Job Completed" {
		return &JobError{Account: acct, Run: run}
	}
	// Only a read that delivered no row may be repeated: rows are never sent twice.
	delivered := false
	if rows.Pages != nil {
		rows.Pages = &keptPages{PageReader: rows.Pages, kept: &delivered}
	} else {
		each := rows.Each
		rows.Each = func(row json.RawMessage) error {
			delivered = true
			return each(row)
		}
	}
	return c.whileFresh(ctx, born, func() bool { return !delivered }, func() error {
		return c.GetRows(ctx, id+"/insights", Params{"limit": pageLimit(orDefault(o.PageSize, InsightsPageSize), q.Limit)}, rows)
	})
}

// keptPages is a PageReader that notes when a row was kept.
type keptPages struct {
	PageReader
	kept *bool
	read int // rows read since the last KeepPage or DropPage
}

func (k *keptPages) ReadRow(page []byte, at int) (int, error) {
	end, err := k.PageReader.ReadRow(page, at)
	if err == nil {
		k.read++
	}
	return end, err
}

func (k *keptPages) KeepPage(ctx context.Context) error {
	if k.read > 0 {
		*k.kept = true
	}
	k.read = 0
	return k.PageReader.KeepPage(ctx)
}

func (k *keptPages) DropPage() {
	k.read = 0
	k.PageReader.DropPage()
}

// runID reads a report_run_id given as a string or a number; "" if it is neither.
func runID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// whileFresh runs f, repeating it with backoff while it fails with 100/33 and the run is fresh:
// the real API's lag shows on the first requests for a new id.
// repeatable says whether f may run again.
func (c *Client) whileFresh(ctx context.Context, born time.Time, repeatable func() bool, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		var ae *APIError
		if err == nil || !repeatable() || !errors.As(err, &ae) || ae.Code != 100 || ae.Subcode != 33 ||
			time.Since(born) > fresh || attempt >= freshRetries {
			return err
		}
		if err := c.sleep(ctx, backoff(attempt, transientBase, transientCap)); err != nil {
			return err
		}
	}
}

// poll waits for a report run to end. The interval adapts to the progress the API reports: it
// polls about twice in the time the job still needs, between PollMin and PollMax.
func (c *Client) poll(ctx context.Context, acct, id string, born time.Time, o RunOptions) (ReportRun, error) {
	minWait, maxWait := orDefault(o.PollMin, time.Second), orDefault(o.PollMax, 30*time.Second)
	maxWait = max(minWait, maxWait)
	deadline := orDefault(o.Deadline, DefaultJobDeadline)
	wait := minWait
	var run ReportRun
	for {
		if wait > NoticeAfter && c.notice != nil {
			c.notice(fmt.Sprintf("act_%s: report run %s at %d%%, next check in %s", acct, id, run.Percent, wait.Round(time.Second)))
		}
		if err := Sleep(ctx, wait); err != nil {
			return run, err
		}
		run = ReportRun{}
		err := c.whileFresh(ctx, born, func() bool { return true }, func() error { return c.GetObject(ctx, id, nil, &run) })
		if err != nil {
			return run, fmt.Errorf("status of report run %s: %w", id, err)
		}
		if run.ID == "" {
			run.ID = id
		}
		if o.OnPercent != nil {
			o.OnPercent(id, run.Percent)
		}
		switch run.Status {
		case "Job Completed":
			if run.Percent >= 100 {
				return run, nil
			}
		case "Job Failed", "Job Skipped":
			return run, nil
		}
		if time.Since(born) >= deadline {
			return run, fmt.Errorf("report run %s for act_%s did not finish within %s (last status %q at %d%%); try a smaller date range or fewer breakdowns",
				id, acct, deadline, run.Status, run.Percent)
		}
		elapsed := time.Since(born)
		if run.Percent > 0 {
			wait = time.Duration(float64(elapsed) * float64(100-run.Percent) / float64(run.Percent) / 2)
		} else {
			wait = wait * 3 / 2
		}
		wait = min(max(wait, minWait), maxWait, max(deadline-elapsed, time.Millisecond))
	}
}
