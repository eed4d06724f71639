package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// reportRun is the status of an async report run (AdReportRun).
type reportRun struct {
	ID           string `json:"id"`
	Status       string `json:"async_status"`
	Percent      int    `json:"async_percent_completion"`
	ErrorCode    int    `json:"error_code"`
	ErrorSubcode int    `json:"error_subcode"`
	ErrorMessage string `json:"error_message"`
}

// maxJobAttempts bounds resubmissions of a skipped or transiently failed job.
const maxJobAttempts = 3

// runAsync runs a unit as an async report run: POST, poll, page the result.
func (r *insightsRun) runAsync(ctx context.Context, u *unit, emit func(json.RawMessage) error) error {
	p, err := r.params(u)
	if err != nil {
		return err
	}
	path := "act_" + u.acct + "/insights"
	var created struct {
		ReportRunID string `json:"report_run_id"`
	}
	release, err := r.e.jobSlot(ctx, u.acct)
	if err != nil {
		return err
	}
	defer release()
	if err := r.e.client.Post(ctx, path, p, &created); err != nil {
		if isTooBig(err) {
			return &errTooBig{err}
		}
		return fmt.Errorf("start report run for %s: %w", path, err)
	}
	if created.ReportRunID == "" {
		return fmt.Errorf("start report run for %s: the API returned no report_run_id", path)
	}
	r.e.runs.Store(created.ReportRunID, u.acct)
	defer r.e.runs.Delete(created.ReportRunID)
	run, err := r.poll(ctx, created.ReportRunID)
	if err != nil {
		return err
	}
	switch {
	case run.Status == "Job Completed":
	case run.ErrorCode == -3 || run.ErrorSubcode == 1504045: // Report Too Large
		return &errTooBig{fmt.Errorf("report run %s failed: %s", run.ID, run.ErrorMessage)}
	case u.attempts+1 < maxJobAttempts: // skipped, or failed for a reason that may pass
		u.attempts++
		release()
		release = func() {}
		return r.runAsync(ctx, u, emit)
	case run.Status == "Job Failed":
		// Failing again and again is the API's way of asking for less.
		return &errTooBig{fmt.Errorf("report run %s failed %d times: %s (error %d/%d)", run.ID, maxJobAttempts, run.ErrorMessage, run.ErrorCode, run.ErrorSubcode)}
	default:
		return fmt.Errorf("report run %s ended %q %d times", run.ID, run.Status, maxJobAttempts)
	}
	return r.e.client.Get(ctx, run.ID+"/insights", graph.Params{"limit": insightsPageSize}, emit)
}

// poll waits for a report run to end. The interval adapts to the progress
// the API reports: it polls about twice in the time the job still needs,
// between PollMin and PollMax, instead of a fixed 30 s.
func (r *insightsRun) poll(ctx context.Context, id string) (reportRun, error) {
	minWait, maxWait := r.e.pollBounds()
	start := time.Now()
	wait := minWait
	for {
		if err := sleepCtx(ctx, wait); err != nil {
			return reportRun{}, err
		}
		var run reportRun
		if err := r.e.client.GetObject(ctx, id, nil, &run); err != nil {
			return reportRun{}, fmt.Errorf("status of report run %s: %w", id, err)
		}
		if run.ID == "" {
			run.ID = id
		}
		r.tr.jobPercent(id, run.Percent)
		switch run.Status {
		case "Job Completed":
			if run.Percent >= 100 {
				return run, nil
			}
		case "Job Failed", "Job Skipped":
			return run, nil
		}
		elapsed := time.Since(start)
		if run.Percent > 0 {
			remaining := time.Duration(float64(elapsed) * float64(100-run.Percent) / float64(run.Percent))
			wait = remaining / 2
		} else {
			wait = wait * 3 / 2
		}
		wait = min(max(wait, minWait), maxWait)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jobSlot waits for one of an account's async job slots: an ad account runs
// only a few report runs at once (reference §5.4, 4/1504022).
func (e *Engine) jobSlot(ctx context.Context, acct string) (func(), error) {
	v, _ := e.jobs.LoadOrStore(acct, make(chan struct{}, e.maxPerAccount()))
	slots := v.(chan struct{})
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-slots }) }, nil
}
