package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// airbyteScale is the time scale the Airbyte-style schedule runs at. Its
// wall time is almost all waiting — job time and 30 s polls, both model
// durations — so it runs compressed (the sandbox's own 1/30) and its time
// is stretched back to the benchmark's scale; run at the benchmark's scale
// it would take most of an hour.
const airbyteScale = 30.0

// The schedule follows Airbyte's Facebook Marketing source
// (airbytehq/airbyte, airbyte-integrations/connectors/source-facebook-marketing/
// source_facebook_marketing/streams/, async_job_manager.py at commit
// 43870f4c5d6c9e86b3bd405c76d622a64eb9052f and async_job.py at
// 4ff218f434caa2bf0d0d7d040f9197b5082ee162); facts, not code:
//
//   - one account after another, one async report run per day of the
//     range (insights streams slice by account, jobs by day);
//   - InsightAsyncJobManager._start_jobs: first a bare GET act_X/insights to
//     read x-fb-ads-insights-throttle (_update_api_throttle_limit), wait in
//     30 s steps while min(account, app) share > THROTTLE_LIMIT = 70
//     (_wait_throttle_limit_down), then start jobs while the share stays
//     under 70 and fewer than MAX_JOBS_IN_QUEUE = 100 run;
//   - completed_jobs: status of every running job through Graph batches of
//     at most 50 (update_in_batch, max_batch_size = 50); none completed →
//     sleep JOB_STATUS_UPDATE_SLEEP_SECONDS = 30 and check again; each
//     completed job's result read before more jobs start;
//   - InsightAsyncJob.get_result reads page_size = 100 rows a page, one
//     page after another;
//   - rate limits (reference airbyte-connector.md, "How it handles errors
//     and limits"): on every response it reads the usage headers, and at
//     ≥ 85% sleeps max(2 min, estimated_time_to_regain_access), at ≥ 95%
//     max(10 min, …); throttle errors are retried.
//
// The sandbox's call budget stays on: Airbyte pays it like anyone.
type airbyteRun struct {
	client   *graph.Client
	requests atomic.Int64
	throttle atomic.Int64 // min(acc, app) share of the last insights response
	usage    atomic.Int64 // the account's call-budget share of the last response
	poll     time.Duration
	level    string
	fields   []string
}

// airbyteStyle runs the schedule against a fresh sandbox with the
// workload's world and the realistic model (at airbyteScale). It returns
// the wall time at the benchmark's scale and as measured, and the requests.
func airbyteStyle(ctx context.Context, w workload, spec sandboxSpec) (scaled, measured time.Duration, requests int, err error) {
	spec.Model = scaledModel(airbyteScale)
	sb, err := startSandbox(spec)
	if err != nil {
		return 0, 0, 0, err
	}
	defer sb.stop()
	r := &airbyteRun{poll: time.Duration(float64(30*time.Second) / airbyteScale), level: w.level,
		fields: []string{"account_id", w.level + "_id", "impressions", "spend"}}
	r.client, err = graph.New(graph.Config{BaseURL: sb.URL, Token: "sandbox-token", MaxRetries: 100,
		Sleep: func(ctx context.Context, d time.Duration) error {
			return sleep(ctx, time.Duration(float64(d)/airbyteScale))
		},
		OnResponse: func(info graph.ResponseInfo) {
			r.requests.Add(1)
			if u, ok := insightsThrottle(info.Header); ok {
				r.throttle.Store(u)
			}
			if u, ok := accountUsage(info.Header); ok {
				r.usage.Store(u)
			}
		}})
	if err != nil {
		return 0, 0, 0, err
	}
	since, _ := w.dates()
	first, _ := time.Parse(time.DateOnly, since)
	start := time.Now()
	for _, acct := range sb.Accounts {
		var days []time.Time
		for d := 0; d < w.days; d++ {
			days = append(days, first.AddDate(0, 0, d))
		}
		if err := r.account(ctx, acct, days); err != nil {
			return 0, 0, 0, err
		}
	}
	measured = time.Since(start)
	return time.Duration(float64(measured) * airbyteScale / timeScale), measured, int(r.requests.Load()), nil
}

// account runs one account's jobs, InsightAsyncJobManager's way. Each job
// is one graph Client.RunReport (creation, result paging, the API's errors)
// whose status comes from the manager's batched polls (RunOptions.Wait):
// the manager starts jobs one after another, then polls every running job
// and lets the completed ones read their results, one at a time, before it
// starts more.
func (r *airbyteRun) account(ctx context.Context, acct string, days []time.Time) error {
	const throttleLimit, maxJobs = 70, 100
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var running []*airbyteJob
	startJobs := func() error {
		if err := r.pace(ctx); err != nil {
			return err
		}
		if err := r.client.Get(ctx, "act_"+acct+"/insights", nil, func(json.RawMessage) error { return nil }); err != nil {
			return err
		}
		if err := r.waitThrottle(ctx, acct); err != nil {
			return err
		}
		for len(days) > 0 && r.throttle.Load() < throttleLimit && len(running) < maxJobs {
			if err := r.pace(ctx); err != nil {
				return err
			}
			j, err := r.start(ctx, acct, days[0])
			if err != nil {
				return err
			}
			days = days[1:]
			running = append(running, j)
		}
		return nil
	}
	if err := startJobs(); err != nil {
		return err
	}
	for len(running) > 0 {
		ended, err := r.checkInBatches(ctx, running)
		if err != nil {
			return err
		}
		for len(ended) == 0 {
			if err := sleep(ctx, r.poll); err != nil {
				return err
			}
			if ended, err = r.checkInBatches(ctx, running); err != nil {
				return err
			}
		}
		var still []*airbyteJob
		for _, j := range running {
			run, ok := ended[j.id]
			if !ok {
				still = append(still, j)
				continue
			}
			if err := r.pace(ctx); err != nil {
				return err
			}
			j.status <- run // the job reads its result now
			if err := <-j.done; err != nil {
				return err
			}
		}
		running = still
		if err := startJobs(); err != nil {
			return err
		}
	}
	return nil
}

// airbyteJob is one day's report run, running in graph's RunReport.
type airbyteJob struct {
	id     string
	status chan graph.ReportRun // the manager's poll found the run ended
	done   chan error           // RunReport returned
}

// start creates one day's report run and returns once the run exists: its
// RunReport then waits for the manager's polls.
func (r *airbyteRun) start(ctx context.Context, acct string, day time.Time) (*airbyteJob, error) {
	j := &airbyteJob{status: make(chan graph.ReportRun), done: make(chan error, 1)}
	created := make(chan string, 1)
	q := graph.Insights{Account: acct, Params: graph.ParamList{{Key: "level", Value: r.level}, {Key: "fields", Value: r.fields},
		{Key: "breakdowns", Value: []string{"country"}}, {Key: "time_increment", Value: "1"}},
		Range: &graph.DateRange{Since: day, Until: day}}
	o := graph.RunOptions{PageSize: 100, Wait: func(ctx context.Context, id string) (graph.ReportRun, error) {
		created <- id
		select {
		case run := <-j.status:
			return run, nil
		case <-ctx.Done():
			return graph.ReportRun{}, ctx.Err()
		}
	}}
	go func() {
		j.done <- r.client.RunReport(ctx, q, o, graph.Rows{Each: func(json.RawMessage) error { return nil }})
	}()
	select {
	case j.id = <-created:
		return j, nil
	case err := <-j.done: // the run was not created
		return nil, err
	}
}

func (r *airbyteRun) waitThrottle(ctx context.Context, acct string) error {
	for r.throttle.Load() > 70 {
		if err := sleep(ctx, r.poll); err != nil {
			return err
		}
		if err := r.client.Get(ctx, "act_"+acct+"/insights", nil, func(json.RawMessage) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}

// pace sleeps as Airbyte does when the last response's usage is high:
// 2 minutes from 85%, 10 from 95% (at the sandbox's scale).
func (r *airbyteRun) pace(ctx context.Context) error {
	switch u := r.usage.Load(); {
	case u >= 95:
		return sleep(ctx, time.Duration(float64(10*time.Minute)/airbyteScale))
	case u >= 85:
		return sleep(ctx, time.Duration(float64(2*time.Minute)/airbyteScale))
	}
	return nil
}

// checkInBatches asks the status of every running job through Graph batch
// requests of at most 50, and returns the ended ones by id.
func (r *airbyteRun) checkInBatches(ctx context.Context, jobs []*airbyteJob) (map[string]graph.ReportRun, error) {
	ended := map[string]graph.ReportRun{}
	for i := 0; i < len(jobs); i += 50 {
		if err := r.pace(ctx); err != nil {
			return nil, err
		}
		part := jobs[i:min(i+50, len(jobs))]
		var ops []map[string]string
		for _, j := range part {
			ops = append(ops, map[string]string{"method": "GET", "relative_url": j.id})
		}
		var answers []struct {
			Code int    `json:"code"`
			Body string `json:"body"`
		}
		if err := r.client.Post(ctx, "", graph.Params{"batch": ops}, &answers); err != nil {
			return nil, fmt.Errorf("status batch: %w", err)
		}
		if len(answers) != len(part) {
			return nil, fmt.Errorf("status batch: %d answers for %d runs", len(answers), len(part))
		}
		for k, a := range answers {
			var run graph.ReportRun
			if a.Code != 200 || json.Unmarshal([]byte(a.Body), &run) != nil {
				continue
			}
			switch run.Status {
			case "Job Completed", "Job Failed", "Job Skipped":
				ended[part[k].id] = run
			}
		}
	}
	return ended, nil
}

// insightsThrottle reads min(acc_id_util_pct, app_id_util_pct) from an
// x-fb-ads-insights-throttle header, as Airbyte's manager does.
func insightsThrottle(h http.Header) (int64, bool) {
	raw := h.Get("x-fb-ads-insights-throttle")
	if raw == "" {
		return 0, false
	}
	var t struct {
		App float64 `json:"app_id_util_pct"`
		Acc float64 `json:"acc_id_util_pct"`
	}
	if json.Unmarshal([]byte(raw), &t) != nil {
		return 0, false
	}
	return int64(min(t.App, t.Acc)), true
}

// accountUsage reads the account's share of its call budget, the larger of
// x-ad-account-usage and the business-use-case entries (Airbyte takes the
// max of call_count, total_cputime and total_time).
func accountUsage(h http.Header) (int64, bool) {
	var best float64
	found := false
	var acc struct {
		Pct float64 `json:"acc_id_util_pct"`
	}
	if raw := h.Get("x-ad-account-usage"); raw != "" && json.Unmarshal([]byte(raw), &acc) == nil {
		best, found = acc.Pct, true
	}
	var buc map[string][]map[string]any
	if raw := h.Get("x-business-use-case-usage"); raw != "" && json.Unmarshal([]byte(raw), &buc) == nil {
		for _, entries := range buc {
			if len(entries) == 0 {
				continue
			}
			for _, k := range []string{"call_count", "total_cputime", "total_time"} {
				if v, ok := entries[0][k].(float64); ok {
					best, found = max(best, v), true
				}
			}
		}
	}
	return int64(best), found
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
