package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// soakSeeds is how many fault seeds TestSoak runs: a bounded slice by
// default, FBSQL_SOAK_SEEDS (CI sets 200) for the full soak.
func soakSeeds() int {
	if n, err := strconv.Atoi(os.Getenv("FBSQL_SOAK_SEEDS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 1
	}
	return 4
}

// TestSoak runs a fixed set of queries against sandboxes injecting faults
// of every kind, one seed at a time, and compares each result with the
// clean run: zero differences, no query over its time bound, and no
// goroutine left behind once the engine and server are closed.
func TestSoak(t *testing.T) {
	queries := hardQueries()[:3]
	clean := newDemo(t)
	var want [][][]string
	for _, q := range queries {
		want = append(want, clean.rows(t, q))
	}
	seeds := soakSeeds()
	var faults, requests, cleanRequests int
	var longest time.Duration
	// The same queries under the same size limits without faults: the
	// requests above this are the retries and re-runs faults caused.
	base, _, err := soakOnce(t, 0, queries, want)
	if err != nil {
		t.Fatalf("fault-free run: %v", err)
	}
	cleanRequests = base.Requests
	for seed := 1; seed <= seeds; seed++ {
		before := runtime.NumGoroutine()
		st, slowest, err := soakOnce(t, int64(seed), queries, want)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		faults += st.FaultsInjected
		requests += st.Requests
		longest = max(longest, slowest)
		if leaked := settleGoroutines(before); leaked > 0 {
			t.Fatalf("seed %d: %d goroutines left behind", seed, leaked)
		}
	}
	t.Logf("soak: %d seeds, %d faults injected, %d requests of which %d retries and re-runs (%d per fault-free run), 0 differences, longest query %s",
		seeds, faults, requests, requests-seeds*cleanRequests, cleanRequests, longest.Round(time.Millisecond))
}

// soakOnce runs the queries against one faulty sandbox.
func soakOnce(t *testing.T, seed int64, queries []string, want [][][]string) (sandbox.Stats, time.Duration, error) {
	faults := sandbox.Faults{Seed: seed, Rate: 0.1}
	if seed == 0 {
		faults = sandbox.Faults{}
	}
	run, err := sandbox.Start(context.Background(), sandbox.Config{Seed: 7, Model: small, Faults: faults})
	if err != nil {
		return sandbox.Stats{}, 0, err
	}
	defer run.Close()
	sb := run.Server
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	cfg := enginetest.Config(run)
	cfg.Graph = faultGraph(cfg.Graph, tr)
	cfg.WaitScale, cfg.PollMin, cfg.PollMax, cfg.ThrottlePause = 1.0/30, 10*time.Millisecond, 200*time.Millisecond, 50*time.Millisecond
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		return sandbox.Stats{}, 0, err
	}
	defer eng.Close()
	var slowest time.Duration
	for i, q := range queries {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		start := time.Now()
		got, err := collect(ctx, eng, q, nil)
		cancel()
		slowest = max(slowest, time.Since(start))
		if err != nil {
			return sb.Stats(), slowest, fmt.Errorf("query %d: %w", i, err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			return sb.Stats(), slowest, fmt.Errorf("query %d: %d rows differ from the clean run's %d", i, len(got), len(want[i]))
		}
	}
	if st := sb.Stats(); st.RequestsWhileBlocked != 0 {
		return st, slowest, fmt.Errorf("%d requests sent while told to wait", st.RequestsWhileBlocked)
	}
	return sb.Stats(), slowest, nil
}

// collect runs sql and returns its rows as text, and its stats if st is set.
func collect(ctx context.Context, eng *engine.Engine, sql string, st *engine.Stats) ([][]string, error) {
	var out [][]string
	err := eng.Exec(ctx, sql, func(res *engine.Result) error {
		if st != nil {
			defer func() { *st = res.Stats }()
		}
		for {
			row, err := res.Next()
			if err != nil || row == nil {
				return err
			}
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = fmt.Sprint(v)
			}
			out = append(out, rec)
		}
	})
	return out, err
}

// settleGoroutines waits up to two seconds for the goroutine count to fall
// back to before, and returns how many are still extra.
func settleGoroutines(before int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		extra := runtime.NumGoroutine() - before
		if extra <= 0 || time.Now().After(deadline) {
			return max(extra, 0)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
