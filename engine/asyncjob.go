package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// maxJobAttempts bounds resubmissions of a skipped or transiently failed job.
const maxJobAttempts = 3

// leafRounds is how many rounds of maxJobAttempts a unit that cannot be split (one time
// slice, one campaign) gets before the query ends with the API's status: a larger unit that
// keeps failing is split instead, so only here would a run of random failures end the query.
const leafRounds = 2

// maxJobsPerAccount bounds the async report runs of one account at once: an ad account runs
// only a few (reference §5.4, 4/1504022), whatever concurrency its usage allows for reads.
const maxJobsPerAccount = 8

// runAsync runs a unit as an async report run (graph.Client.RunReport): a run that fails or
// is skipped is submitted again, up to maxJobAttempts times in all.
func (r *insightsRun) runAsync(ctx context.Context, u *unit, rows graph.Rows) error {
	release, err := r.e.jobSlot(ctx, u.acct)
	if err != nil {
		return err
	}
	defer release()
	minWait, maxWait := r.e.pollBounds()
	opts := graph.RunOptions{PollMin: minWait, PollMax: maxWait, Deadline: r.e.cfg.JobDeadline, OnPercent: r.tr.jobPercent}
	err = r.e.client.RunReport(ctx, r.query(u), opts, rows)
	var je *graph.JobError
	switch {
	case err == nil:
		return nil
	case isTooBig(err):
		return &errTooBig{err}
	case !errors.As(err, &je):
		return err
	case je.Run.TooBig():
		return &errTooBig{err}
	case u.attempts+1 < maxJobAttempts: // skipped, or failed for a reason that may pass
		u.attempts++
		release()
		return r.runAsync(ctx, u, rows)
	case je.Run.Status == "Job Failed" || je.Run.Status == "Job Skipped":
		// Failing or being skipped again and again is the API's way of
		// asking for less: the unit is split, each piece with attempts of
		// its own, as Airbyte splits a job that fails twice (reference
		// airbyte-connector.md). A piece that cannot be split ends the
		// query with the status the API gave.
		return &errTooBig{fmt.Errorf("%w (%d times)", err, maxJobAttempts)}
	}
	return fmt.Errorf("%w (%d times)", err, maxJobAttempts)
}

// jobSlot waits for one of an account's async job slots.
func (e *Engine) jobSlot(ctx context.Context, acct string) (func(), error) {
	v, _ := e.jobs.LoadOrStore(acct, make(chan struct{}, min(e.maxPerAccount(), maxJobsPerAccount)))
	slots := v.(chan struct{})
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-slots }) }, nil
}
