package main

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// timeScale is how much faster than the real API the benchmark's sandbox
// runs: sandbox.RealisticModel divides real durations by 30, and the
// benchmark stretches it back to real/timeScale. Waits the API states in
// real minutes and the Airbyte-style 30 s poll are scaled the same way.
// At 30 the model's waits are so short that the CPU of the in-process
// sandbox and client (two cores here) dominates and no model bound
// applies; the default keeps the model's time the larger part.
var timeScale = 3.0

// benchModel is the realistic model at the benchmark's time scale.
func benchModel() sandbox.Model {
	m := sandbox.RealisticModel()
	f := 30 / timeScale
	stretch := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	m.Latency, m.PerRowLatency = stretch(m.Latency), stretch(m.PerRowLatency)
	m.JobBase, m.JobPerRow = stretch(m.JobBase), stretch(m.JobPerRow)
	m.Window = stretch(m.Window)
	return m
}

// workload is one fixed question asked of the realistic sandbox.
type workload struct {
	name      string
	level     string // ad, campaign, …
	daily     bool   // one row per day, or one slice for the range
	days      int    // the range: the last `days` days before today
	ingest    bool   // the ingest benchmark instead
	repeat    bool   // run twice against one cache; report the second run
	ingestDay int
}

func workloads(quick bool) []workload {
	if quick {
		return []workload{
			{name: "quick_30d_ad_daily_country", level: "ad", daily: true, days: 30},
			{name: "quick_30d_campaign_country", level: "campaign", days: 30},
			{name: "ingest", ingest: true, ingestDay: 10},
		}
	}
	return []workload{
		{name: "year_ad_daily_country", level: "ad", daily: true, days: 365},
		{name: "year_campaign_country", level: "campaign", days: 365},
		{name: "week_ad_daily_country", level: "ad", daily: true, days: 7},
		{name: "repeat", level: "ad", daily: true, days: 365, repeat: true},
		{name: "ingest", ingest: true, ingestDay: 60},
	}
}

func (w workload) dates() (since, until string) {
	today := time.Now().UTC()
	return today.AddDate(0, 0, -w.days).Format(time.DateOnly), today.AddDate(0, 0, -1).Format(time.DateOnly)
}

// sql asks for the workload's rows and counts them per account.
func (w workload) sql() string {
	since, until := w.dates()
	cols := fmt.Sprintf("account_id, %s_id, country, impressions, spend", w.level)
	if w.daily {
		cols += ", date_start"
	}
	return fmt.Sprintf("SELECT account_id, count(*) FROM (SELECT %s FROM insights WHERE date_start BETWEEN '%s' AND '%s') GROUP BY 1", cols, since, until)
}

func (w workload) run(ctx context.Context, withAirbyte bool) (result, error) {
	if w.ingest {
		return runIngest(ctx, w)
	}
	if w.repeat {
		return runRepeat(ctx, w)
	}
	model := benchModel()
	sb := sandbox.New(sandbox.Config{Seed: 1, Model: model})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	eng, err := engine.Open(ctx, benchConfig(srv.URL, sb, model, engine.CacheConfig{}))
	if err != nil {
		return result{}, err
	}
	defer eng.Close()

	resetPeakRSS()
	start := time.Now()
	perAccount := map[string]int64{}
	err = eng.Exec(ctx, w.sql(), func(res *engine.Result) error {
		for {
			row, err := res.Next()
			if err != nil || row == nil {
				return err
			}
			perAccount[fmt.Sprint(row[0])] = row[1].(int64)
		}
	})
	wall := time.Since(start)
	if err != nil {
		return result{}, err
	}
	r := result{Workload: w.name, WallS: seconds(wall), Requests: sb.Stats().Requests, PeakRSSMB: peakRSSMB()}
	for _, n := range perAccount {
		r.Rows += n
	}
	lb := lowerBound(model, perAccount)
	r.LowerBoundS = seconds(lb)
	r.RatioToLowerBound = round2(wall.Seconds() / lb.Seconds())
	if withAirbyte {
		ab, measured, err := airbyteStyle(ctx, w, sb.AccountIDs())
		if err != nil {
			return r, fmt.Errorf("airbyte-style schedule: %w", err)
		}
		r.AirbyteStyleS = seconds(ab)
		r.AirbyteMeasuredS = seconds(measured)
		r.AirbyteStyleOverFbsql = round2(ab.Seconds() / wall.Seconds())
	}
	return r, nil
}

// benchConfig is the engine of every workload, at the benchmark's time scale.
func benchConfig(url string, sb *sandbox.Server, model sandbox.Model, cache engine.CacheConfig) engine.Config {
	return engine.Config{
		Graph:                   graph.Config{BaseURL: url, Token: "sandbox-token"},
		Accounts:                sb.AccountIDs(),
		MaxConcurrentPerAccount: model.MaxJobsPerAccount,
		WaitScale:               1 / timeScale,
		PollMin:                 time.Duration(float64(time.Second) / timeScale),
		PollMax:                 time.Duration(float64(30*time.Second) / timeScale),
		ThrottlePause:           model.Window,
		Cache:                   cache,
	}
}

// lowerBound is the least wall time the sandbox's model allows for
// reading these rows, whatever the client does: per account, the better of
// (a) sync reads spread over the account's concurrency cap, each stream a
// round trip per 5000-row page plus the per-row serving cost, and (b)
// async report runs spread over the same cap — create, one status poll,
// job time, then one result page round trip plus the rows' serving cost.
// Accounts run in parallel, so the slowest account bounds the whole.
func lowerBound(m sandbox.Model, perAccount map[string]int64) time.Duration {
	c := float64(m.MaxJobsPerAccount)
	var worst time.Duration
	for _, n := range perAccount {
		share := float64(n) / c
		pages := math.Max(1, math.Ceil(share/5000))
		syncLB := time.Duration(pages)*m.Latency + time.Duration(share*float64(m.PerRowLatency))
		asyncLB := 3*m.Latency + m.JobBase + time.Duration(share*float64(m.JobPerRow+m.PerRowLatency))
		worst = max(worst, min(syncLB, asyncLB))
	}
	return worst
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
