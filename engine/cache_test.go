package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/engine/render"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// cacheBed is a sandbox and a cache file that engines, one per simulated
// fbsql run, share.
type cacheBed struct {
	served *sandbox.Running
	sb     *sandbox.Server
	path   string
}

func newCacheBed(t *testing.T, model sandbox.Model) *cacheBed {
	run, err := sandbox.Start(context.Background(), sandbox.Config{Seed: 7, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &cacheBed{served: run, sb: run.Server, path: filepath.Join(t.TempDir(), "fbsql", "cache.duckdb")}
}

// config is an engine configuration reading the bed's sandbox with the
// cache cc.
func (b *cacheBed) config(cc engine.CacheConfig) engine.Config {
	cfg := enginetest.Config(b.served)
	cfg.Cache = cc
	return cfg
}

// run opens an engine (a new "process") with the cache in mode at the
// given clock offset, runs sql, and returns the rows and the stats.
func (b *cacheBed) run(t *testing.T, mode engine.CacheMode, offset time.Duration, sql string) ([][]string, engine.Stats) {
	t.Helper()
	cc := engine.CacheConfig{Mode: mode, Path: b.path, Now: func() time.Time { return time.Now().Add(offset) }}
	eng, err := engine.Open(context.Background(), b.config(cc))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	d := &demo{eng: eng, sb: b.sb}
	var st engine.Stats
	rows := d.rowsStats(t, sql, &st)
	return rows, st
}

// requestedDays lists, per account, the days the insights requests since
// the last reset asked for (sync reads and async report runs).
func (b *cacheBed) requestedDays(t *testing.T) map[string][]string {
	t.Helper()
	seen := map[string]bool{}
	out := map[string][]string{}
	for _, r := range b.sb.Requests() {
		if !strings.HasSuffix(r.Path, "/insights") || !strings.Contains(r.Path, "/act_") || r.Params["time_range"] == "" {
			continue
		}
		acct := strings.TrimSuffix(r.Path[strings.Index(r.Path, "/act_")+5:], "/insights")
		var tr map[string]string
		if err := json.Unmarshal([]byte(r.Params["time_range"]), &tr); err != nil {
			t.Fatal(err)
		}
		since, _ := time.Parse(time.DateOnly, tr["since"])
		until, _ := time.Parse(time.DateOnly, tr["until"])
		for d := since; !d.After(until); d = d.AddDate(0, 0, 1) {
			k := acct + " " + d.Format(time.DateOnly)
			if !seen[k] {
				seen[k] = true
				out[acct] = append(out[acct], d.Format(time.DateOnly))
			}
		}
	}
	for _, days := range out {
		sort.Strings(days)
	}
	return out
}

// apiRequests counts requests but account discovery (GET me/adaccounts),
// which every new engine without --account makes once.
func (b *cacheBed) apiRequests() int {
	n := 0
	for _, r := range b.sb.Requests() {
		if !strings.HasSuffix(r.Path, "/me/adaccounts") {
			n++
		}
	}
	return n
}

func dayRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, day(i))
	}
	return out
}

var yearDaily = fmt.Sprintf("SELECT campaign_id, date_start, impressions, spend, clicks FROM insights WHERE date_start BETWEEN '%s' AND '%s' ORDER BY ALL", day(-365), day(-1))

// TestCacheYearDaily: a year of daily insights, asked again, costs only the
// days that may still change, and the rows are those of an uncached run;
// as the freeze window moves, exactly the days not yet final refresh.
func TestCacheYearDaily(t *testing.T) {
	b := newCacheBed(t, sandbox.Model{})
	want, _ := b.run(t, engine.CacheOff, 0, yearDaily)
	if len(want) < 1000 {
		t.Fatalf("only %d rows", len(want))
	}
	first, st := b.run(t, engine.CacheOn, 0, yearDaily)
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first cached run: %d rows, uncached %d", len(first), len(want))
	}
	if st.CacheDays != 0 || st.FetchedDays < 365 {
		t.Errorf("first run: stats %+v", st)
	}
	if info, err := os.Stat(b.path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("cache file: %v, mode %v; want 0600", err, info.Mode())
	}
	if raw, _ := os.ReadFile(b.path); bytes.Contains(raw, []byte("sandbox-token")) {
		t.Error("the cache file holds the token")
	}

	// Within the TTL: nothing to fetch.
	b.sb.ResetRequests()
	again, st := b.run(t, engine.CacheOn, time.Minute, yearDaily)
	if !reflect.DeepEqual(again, want) {
		t.Fatalf("run within the TTL: %d rows, want %d", len(again), len(want))
	}
	if n := b.apiRequests(); n != 0 || st.CacheRows != int64(len(want)) {
		t.Errorf("run within the TTL: %d requests (want 0), stats %+v", n, st)
	}

	// After the TTL: only the 28 days inside the freeze window.
	steps := []struct {
		offset time.Duration
		want   []string // days fetched, per account
	}{
		{20 * time.Minute, dayRange(-28, -1)},
		// Ten days on, the days fetched 10 days earlier while not final
		// refresh; days older than the new freeze window become final.
		{10 * 24 * time.Hour, dayRange(-28, -1)},
		{10*24*time.Hour + 20*time.Minute, dayRange(-18, -1)},
	}
	for i, s := range steps {
		b.sb.ResetRequests()
		got, st := b.run(t, engine.CacheOn, s.offset, yearDaily)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: %d rows, want %d", i, len(got), len(want))
		}
		days := b.requestedDays(t)
		if len(days) == 0 {
			t.Fatalf("step %d: no insights requests", i)
		}
		for acct, d := range days {
			if len(d) > 31 || !reflect.DeepEqual(d, s.want) {
				t.Errorf("step %d: act_%s fetched %d days %v…, want %d days %s..%s", i, acct, len(d), d[:min(3, len(d))], len(s.want), s.want[0], s.want[len(s.want)-1])
			}
		}
		if st.CacheDays == 0 || st.FetchedDays != len(s.want)*len(days) {
			t.Errorf("step %d: stats %+v", i, st)
		}
	}
}

// TestCacheSubsetAndKeys: fewer columns at the same grain are served from a
// wider entry; another level, breakdown or filter is never.
func TestCacheSubsetAndKeys(t *testing.T) {
	b := newCacheBed(t, sandbox.Model{})
	rng := fmt.Sprintf("date_start BETWEEN '%s' AND '%s'", day(-90), day(-40))
	wide := "SELECT campaign_id, campaign_name, date_start, impressions, spend, clicks FROM insights WHERE " + rng + " ORDER BY ALL"
	b.run(t, engine.CacheOn, 0, wide)
	cases := []struct {
		sql    string
		cached bool
	}{
		{"SELECT campaign_id, date_start, spend FROM insights WHERE " + rng + " ORDER BY ALL", true},
		{"SELECT date_start, sum(clicks) FROM insights WHERE date_start BETWEEN '" + day(-60) + "' AND '" + day(-50) + "' AND level = 'campaign' GROUP BY 1 ORDER BY 1", true},
		{"SELECT campaign_id, date_start, spend, inline_link_clicks FROM insights WHERE " + rng + " ORDER BY ALL", false},
		{"SELECT adset_id, date_start, spend FROM insights WHERE " + rng + " ORDER BY ALL", false},
		{"SELECT campaign_id, date_start, country, spend FROM insights WHERE " + rng + " ORDER BY ALL", false},
		{"SELECT campaign_id, date_start, spend FROM insights WHERE " + rng + " AND campaign_name LIKE '%Holiday%' ORDER BY ALL", false},
		{"SELECT campaign_id, date_start, spend FROM insights WHERE " + rng + " AND attribution_windows = '1d_click' ORDER BY ALL", false},
	}
	for _, c := range cases {
		want, _ := b.run(t, engine.CacheOff, 0, c.sql)
		b.sb.ResetRequests()
		got, st := b.run(t, engine.CacheOn, 0, c.sql)
		n := b.apiRequests()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n%d rows, uncached %d", c.sql, len(got), len(want))
		}
		if c.cached && (n != 0 || st.CacheRows == 0) {
			t.Errorf("%s\nwant it served from the cache; %d requests, stats %+v", c.sql, n, st)
		}
		if !c.cached && (n == 0 || st.CacheRows != 0) {
			t.Errorf("%s\nserved from an entry of another question; stats %+v", c.sql, st)
		}
	}
}

// TestCacheEntityTTL: entity tables are served for the TTL, then fetched.
func TestCacheEntityTTL(t *testing.T) {
	b := newCacheBed(t, sandbox.Model{})
	q := "SELECT id, name, status FROM campaigns ORDER BY ALL"
	want, _ := b.run(t, engine.CacheOn, 0, q)
	for _, s := range []struct {
		offset  time.Duration
		fetched bool
	}{{time.Minute, false}, {16 * time.Minute, true}, {17 * time.Minute, false}} {
		b.sb.ResetRequests()
		got, _ := b.run(t, engine.CacheOn, s.offset, q)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("at +%s: %d rows, want %d", s.offset, len(got), len(want))
		}
		if n := b.apiRequests(); (n > 0) != s.fetched {
			t.Errorf("at +%s: %d requests; want fetched=%v", s.offset, n, s.fetched)
		}
	}
	b.sb.ResetRequests()
	b.run(t, engine.CacheRefresh, time.Minute, q)
	if b.apiRequests() == 0 {
		t.Error("refresh mode served from the cache")
	}
}

// TestCacheInterruptedFetch: a fetch cancelled midway keeps nothing, and
// the next run gives the full answer.
func TestCacheInterruptedFetch(t *testing.T) {
	// Each request takes 100 ms: the cancellation at 150 ms comes after the first pieces are
	// read and before the last (at 40 ms, the whole fetch could finish in 150 ms).
	b := newCacheBed(t, sandbox.Model{Latency: 100 * time.Millisecond})
	want, _ := b.run(t, engine.CacheOff, 0, yearDaily)
	eng, err := engine.Open(context.Background(), b.config(engine.CacheConfig{Mode: engine.CacheOn, Path: b.path}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	err = eng.Exec(ctx, yearDaily, func(*engine.Result) error { return nil })
	eng.Close()
	if err == nil {
		t.Fatal("the fetch finished before it was cancelled; raise the sandbox latency")
	}
	got, st := b.run(t, engine.CacheOn, 0, yearDaily)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after an interrupted fetch: %d rows, want %d", len(got), len(want))
	}
	if st.CacheRows != 0 {
		t.Errorf("rows of the interrupted fetch were served: %+v", st)
	}
}

// TestCacheExplainAndClear: EXPLAIN says what the cache holds; clear empties it.
func TestCacheExplainAndClear(t *testing.T) {
	b := newCacheBed(t, sandbox.Model{})
	q := fmt.Sprintf("SELECT campaign_id, date_start, spend FROM insights WHERE date_start BETWEEN '%s' AND '%s'", day(-60), day(-31))
	b.run(t, engine.CacheOn, 0, q)
	cfg := b.config(engine.CacheConfig{Mode: engine.CacheOn, Path: b.path})
	cfg.Accounts = b.sb.AccountIDs()
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	explain := func(q string) string {
		var out bytes.Buffer
		err := eng.Exec(context.Background(), "EXPLAIN "+q, func(res *engine.Result) error {
			_, err := render.Render(&out, res, render.Options{Format: "table"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	n := len(b.sb.AccountIDs())
	if got, want := explain(q), fmt.Sprintf("cache: %d of %d account-days from cache; nothing to fetch", 30*n, 30*n); !strings.Contains(got, want) {
		t.Errorf("EXPLAIN lacks %q:\n%s", want, got)
	}
	wider := strings.Replace(q, day(-31), day(-29), 1)
	if got, want := explain(wider), fmt.Sprintf("cache: %d of %d account-days from cache; fetch act_", 30*n, 32*n); !strings.Contains(got, want) || !strings.Contains(got, day(-30)+".."+day(-29)) {
		t.Errorf("EXPLAIN lacks %q and the days to fetch:\n%s", want, got)
	}
	info, err := eng.CacheStats(context.Background())
	if err != nil || info.Entries != int64(30*n) || info.Rows == 0 {
		t.Errorf("stats %+v, %v", info, err)
	}
	if err := eng.ClearCache(context.Background()); err != nil {
		t.Fatal(err)
	}
	if info, _ := eng.CacheStats(context.Background()); info.Entries != 0 || info.Rows != 0 {
		t.Errorf("after clear: %+v", info)
	}
}

// TestCacheKeepsAttributionWindows: a run served wholly from the cache
// reads its action lists with no decoder, so nothing tells the load the
// lists lack attribution windows: they must load with every window, as an
// uncached run's do.
func TestCacheKeepsAttributionWindows(t *testing.T) {
	b := newCacheBed(t, sandbox.Model{})
	q := fmt.Sprintf(`SELECT campaign_id, date_start, a.action_type, a.value, a."7d_click", a."1d_view"
		FROM (SELECT campaign_id, date_start, unnest(actions) AS a FROM insights
		WHERE attribution_windows = '7d_click,1d_view' AND date_start BETWEEN '%s' AND '%s') ORDER BY ALL`, day(-40), day(-35))
	want, _ := b.run(t, engine.CacheOff, 0, q)
	windows := 0
	for _, r := range want {
		if r[4] != "NULL" && r[4] != "<nil>" && r[4] != "" {
			windows++
		}
	}
	if len(want) == 0 || windows == 0 {
		t.Fatalf("uncached run: %d entries, %d with a 7d_click window; want some of each", len(want), windows)
	}
	if first, _ := b.run(t, engine.CacheOn, 0, q); !reflect.DeepEqual(first, want) {
		t.Fatalf("first cached run: %d entries, uncached %d", len(first), len(want))
	}
	b.sb.ResetRequests()
	again, _ := b.run(t, engine.CacheOn, time.Minute, q)
	if n := b.apiRequests(); n != 0 {
		t.Fatalf("run within the TTL made %d requests, want 0", n)
	}
	if !reflect.DeepEqual(again, want) {
		t.Fatalf("run from the cache: %v…, want %v…", again[:min(2, len(again))], want[:min(2, len(want))])
	}
}

// TestCacheFilesRowsByAccount: rows fetched for several accounts at once
// are filed under each one's own account, daily and over a whole range, so
// a later question about one account is served that account's rows
// alone. Rows filed under the wrong account would still add up when every
// account is asked again, so each is asked on its own, against an
// uncached run.
func TestCacheFilesRowsByAccount(t *testing.T) {
	rng := fmt.Sprintf("date_start BETWEEN '%s' AND '%s'", day(-60), day(-40))
	for _, daily := range []bool{true, false} {
		t.Run(map[bool]string{true: "daily", false: "whole range"}[daily], func(t *testing.T) {
			b := newCacheBed(t, sandbox.Model{})
			cols := "account_id, campaign_id, spend, clicks"
			if daily {
				cols += ", date_start"
			}
			b.run(t, engine.CacheOn, 0, "SELECT "+cols+" FROM insights WHERE "+rng)
			accts := b.sb.AccountIDs()
			if len(accts) < 2 {
				t.Fatalf("%d accounts, want several", len(accts))
			}
			for _, a := range accts {
				q := fmt.Sprintf("SELECT %s FROM insights WHERE account_id = '%s' AND %s ORDER BY ALL", cols, a, rng)
				want, _ := b.run(t, engine.CacheOff, 0, q)
				if len(want) == 0 {
					t.Fatalf("act_%s: no rows", a)
				}
				b.sb.ResetRequests()
				got, st := b.run(t, engine.CacheOn, time.Minute, q)
				if n := b.apiRequests(); n != 0 || st.CacheRows == 0 {
					t.Errorf("act_%s: %d requests, stats %+v; want it served from the cache", a, n, st)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("act_%s: %d rows from the cache, %d uncached", a, len(got), len(want))
				}
			}
		})
	}
}
