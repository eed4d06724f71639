package sandbox

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDeterminism(t *testing.T) {
	q := url.Values{"level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"age,gender"},
		"fields": {"ad_name,impressions,clicks,spend,reach,actions"}, "time_range": {tr("2025-12-01", "2025-12-03")}, "limit": {"5000"}}
	t.Run("same seed and clock give identical bodies", func(t *testing.T) {
		a, b := newFixture(t, Config{Seed: 7}), newFixture(t, Config{Seed: 7})
		for _, path := range []string{"/insights", "/campaigns", "/ads"} {
			ra := a.get(t, "/v25.0/act_"+a.acct+path, q)
			rb := b.get(t, "/v25.0/act_"+b.acct+path, q)
			// The two servers listen on different ports; next URLs differ only there.
			strip := func(raw []byte) []byte { return []byte(strings.ReplaceAll(string(raw), a.http.URL, b.http.URL)) }
			if !bytes.Equal(strip(ra.raw), rb.raw) {
				t.Errorf("%s bodies differ", path)
			}
		}
	})
	t.Run("different seeds differ", func(t *testing.T) {
		a, b := newFixture(t, Config{Seed: 7}), newFixture(t, Config{Seed: 8})
		if bytes.Equal(a.get(t, "/v25.0/act_"+a.acct+"/insights", q).raw, b.get(t, "/v25.0/act_"+b.acct+"/insights", q).raw) {
			t.Error("seeds 7 and 8 gave the same insights")
		}
	})
	t.Run("past metrics do not move with the clock", func(t *testing.T) {
		later := testNow.AddDate(0, 1, 3)
		a := newFixture(t, Config{})
		b := newFixture(t, Config{Now: func() time.Time { return later }})
		ra := a.get(t, "/v25.0/act_"+a.acct+"/insights", q)
		rb := b.get(t, "/v25.0/act_"+b.acct+"/insights", q)
		if string(ra.body["data"].([]any)[0].(map[string]any)["impressions"].(string)) == "" {
			t.Fatal("no data")
		}
		da, _ := marshal(ra.body["data"])
		db, _ := marshal(rb.body["data"])
		if !bytes.Equal(da, db) {
			t.Error("rows for 2025-12-01..03 changed when the clock moved a month")
		}
		if a.srv.Truth(a.acct, "2025-06-01", "2025-06-30") != b.srv.Truth(b.acct, "2025-06-01", "2025-06-30") {
			t.Error("Truth changed with the clock")
		}
	})
}
