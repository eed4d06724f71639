package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// airbyteScale is the time scale the Airbyte-style schedule runs at. Its
// wall time is almost all waiting — job time and 30 s polls, both model
// durations — so it runs compressed (the sandbox's own 1/30) and its time
// is stretched back to the benchmark's scale; run at the benchmark's scale
// it would take most of an hour.
const airbyteScale = 30.0

// airbyteStyle runs the schedule Airbyte's Facebook source uses (reference
// airbyte-connector.md, "How it fetches insights"): one async report run
// per account per day, at most 10 in flight, status polled every 30 s
// (scaled like the model), results read 100 rows a page. It reads the same
// rows as the workload, against a fresh sandbox with the same model. It
// returns the wall time at the benchmark's scale and as measured.
func airbyteStyle(ctx context.Context, w workload, accounts []string) (scaled, measured time.Duration, err error) {
	// No call budget for this schedule: its ~5 calls per account-day would
	// be throttled by the model's ads_insights budget and take far longer,
	// so the ratio against it is a lower bound on fbsql's advantage.
	model := sandbox.RealisticModel()
	model.CallsPerWindow = 0
	sb := sandbox.New(sandbox.Config{Seed: 1, Model: model})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	client, err := graph.New(graph.Config{BaseURL: srv.URL, Token: "sandbox-token", MaxRetries: 10,
		Sleep: func(ctx context.Context, d time.Duration) error {
			return sleep(ctx, time.Duration(float64(d)/timeScale))
		}})
	if err != nil {
		return 0, 0, err
	}
	const inFlight = 10
	poll := time.Duration(float64(30*time.Second) / airbyteScale)
	fields := []string{"account_id", w.level + "_id", "impressions", "spend"}
	type job struct{ acct, day string }
	jobs := make(chan job)
	start := time.Now()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := 0; i < inFlight; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := airbyteJob(ctx, client, j.acct, j.day, w.level, fields, poll); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	since, _ := w.dates()
	first, _ := time.Parse(time.DateOnly, since)
	for _, acct := range accounts {
		for d := 0; d < w.days; d++ {
			jobs <- job{acct, first.AddDate(0, 0, d).Format(time.DateOnly)}
		}
	}
	close(jobs)
	wg.Wait()
	measured = time.Since(start)
	return time.Duration(float64(measured) * airbyteScale / timeScale), measured, firstErr
}

func airbyteJob(ctx context.Context, c *graph.Client, acct, day, level string, fields []string, poll time.Duration) error {
	var created struct {
		ID string `json:"report_run_id"`
	}
	params := graph.Params{"level": level, "fields": fields, "breakdowns": []string{"country"},
		"time_range": map[string]string{"since": day, "until": day}, "time_increment": "1"}
	if err := c.Post(ctx, "act_"+acct+"/insights", params, &created); err != nil {
		return err
	}
	for {
		if err := sleep(ctx, poll); err != nil {
			return err
		}
		var st struct {
			Status  string `json:"async_status"`
			Percent int    `json:"async_percent_completion"`
		}
		if err := c.GetObject(ctx, created.ID, nil, &st); err != nil {
			return err
		}
		if st.Status == "Job Completed" && st.Percent == 100 {
			break
		}
	}
	return c.Get(ctx, created.ID+"/insights", graph.Params{"limit": 100}, func(json.RawMessage) error { return nil })
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
