package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestLatency(t *testing.T) {
	f := newFixture(t, Config{Model: Model{Latency: 40 * time.Millisecond, PerRowLatency: 2 * time.Millisecond}})
	timed := func(path string, q url.Values) time.Duration {
		start := time.Now()
		if r := f.get(t, path, q); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		return time.Since(start)
	}
	node := timed("/v25.0/act_"+f.acct, nil)
	if node < 40*time.Millisecond {
		t.Errorf("node answered in %v, want ≥ 40ms", node)
	}
	// 25 rows × 2ms on top of the base latency.
	page := timed("/v25.0/act_"+f.acct+"/insights", url.Values{"level": {"ad"}, "limit": {"25"}})
	if page < 90*time.Millisecond {
		t.Errorf("25-row page answered in %v, want ≥ 90ms", page)
	}
}

func TestLatencyStopsWhenTheClientLeaves(t *testing.T) {
	f := newFixture(t, Config{Model: Model{Latency: 10 * time.Second}})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+"/v25.0/act_"+f.acct, nil)
	req.Header.Set("Authorization", "Bearer sandbox-token")
	start := time.Now()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("want the client's deadline to end the request")
	}
	// Close waits for running handlers: it returns fast only if the
	// handler stopped sleeping when the client went away.
	f.http.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("handler kept sleeping after the client left: %v", d)
	}
}
