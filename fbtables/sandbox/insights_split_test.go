package sandbox

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSmallestFirst holds the quickselect to a sort: for many sizes, orders
// and k, keys[:k] must be the k smallest keys.
func TestSmallestFirst(t *testing.T) {
	s := &stream{state: 42}
	for n := 1; n <= 300; n += 1 + n/8 {
		for trial := 0; trial < 20; trial++ {
			keys := make([]uint64, 0, n)
			seen := map[uint64]bool{}
			for len(keys) < n {
				// Few distinct high bits half of the time, like
				// remainders of equal weights.
				k := s.next() % 1_000_000
				if trial%2 == 0 {
					k = (s.next()%4)<<cellBits | uint64(len(keys))
				}
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
			if trial%5 == 1 {
				slices.Sort(keys) // already sorted
			}
			if trial%5 == 2 {
				slices.Sort(keys)
				slices.Reverse(keys)
			}
			want := slices.Sorted(slices.Values(keys))
			k := 1 + int(s.next()%uint64(n))
			got := slices.Clone(keys)
			smallestFirst(got, k)
			top := slices.Sorted(slices.Values(got[:k]))
			if !slices.Equal(top, want[:k]) {
				t.Fatalf("n=%d k=%d: keys[:k] are not the k smallest", n, k)
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), want) {
				t.Fatalf("n=%d k=%d: keys changed", n, k)
			}
		}
	}
}

// TestNeededMetricsChangeNoByte computes every field alone (with and
// without a breakdown), and with each metric filter and sort, once splitting
// and storing only the metrics the request needs and once all of them (the
// reference: every metric is split and stored, as before the need set
// existed), and compares the rendered rows byte for byte.
// A field whose fieldMetrics entry forgets a metric it reads fails here.
func TestNeededMetricsChangeNoByte(t *testing.T) {
	s := New(Config{Seed: 3, Now: func() time.Time { return testNow }})
	a := s.world.accounts[0]
	var fields []string
	for f := range validInsightsFields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	type req struct{ fields, breakdowns, filter, sort string }
	var reqs []req
	for _, f := range fields {
		if noBreakdownFields[f] {
			continue
		}
		reqs = append(reqs, req{fields: f, breakdowns: "country"}, req{fields: f})
	}
	for _, m := range filterMetrics {
		reqs = append(reqs,
			req{fields: "impressions", breakdowns: "age", filter: fmt.Sprintf(`[{"field":"%s","operator":"GREATER_THAN","value":0.5}]`, m)},
			req{fields: "ad_id", breakdowns: "publisher_platform", sort: m + "_descending"})
	}
	reqs = append(reqs, req{fields: "impressions", breakdowns: "age", sort: "actions:purchase_descending"})
	compared := 0
	for _, r := range reqs {
		p := params{"level": "ad", "time_increment": "1", "time_range": tr("2026-03-01", "2026-03-03"),
			"fields": r.fields, "breakdowns": r.breakdowns, "filtering": r.filter, "sort": r.sort}
		q, err := parseInsights(p, a, levelAccount, nil, s.today())
		if err != nil {
			t.Fatalf("%v: %v", r, err.Message)
		}
		got := renderAll(t, q.compute())
		ref := *q
		ref.need = allMetrics
		want := renderAll(t, ref.compute())
		if !bytes.Equal(got, want) {
			t.Errorf("%v: rows differ when only the needed metrics (%b) are split", r, q.need)
		}
		if q.need != allMetrics {
			compared++
		}
		if !strings.Contains(string(want), `"date_start"`) {
			t.Fatalf("%v: no rows", r)
		}
	}
	if compared < 20 {
		t.Errorf("only %d requests split fewer than all metrics", compared)
	}
}

// renderAll renders every row of rs as the pages do.
func renderAll(t *testing.T, rs *resultSet) []byte {
	t.Helper()
	b, err := rs.appendRows(nil, 0, rs.len())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
