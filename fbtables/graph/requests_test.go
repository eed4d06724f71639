package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestInsightsRequest(t *testing.T) {
	var got url.Values
	var path string
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		got, path = r.URL.Query(), r.URL.Path
		writeJSON(w, 200, `{"data":[]}`)
	})
	c, _ := newTestClient(t, f.URL)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	scan := ParamList{{"level", "campaign"}, {"filtering", []map[string]any{{"field": "spend", "operator": "GREATER_THAN", "value": 1}}},
		{"time_range", map[string]string{"since": "2026-01-01", "until": "2026-12-31"}}}
	q := Insights{Account: "42", Params: scan, Range: &DateRange{day("2026-03-01"), day("2026-03-31")}, Campaigns: []string{"7", "8"}, Limit: 10}
	if err := c.Insights(context.Background(), q, Rows{Each: func(json.RawMessage) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"level":      "campaign",
		"time_range": `{"since":"2026-03-01","until":"2026-03-31"}`,
		"filtering":  `[{"field":"spend","operator":"GREATER_THAN","value":1},{"field":"campaign.id","operator":"IN","value":["7","8"]}]`,
		"limit":      "10",
	}
	if path != "/v25.0/act_42/insights" {
		t.Errorf("path %s", path)
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %s, want %s", k, got.Get(k), v)
		}
	}
	if filtering, _ := scan.Get("filtering"); len(scan) != 3 || len(filtering.([]map[string]any)) != 1 {
		t.Errorf("the scan's own parameters were modified: %v", scan)
	}
	q = Insights{Account: "42", Params: scan, Ranges: []DateRange{{day("2026-01-01"), day("2026-01-31")}, {day("2026-02-01"), day("2026-02-28")}}}
	c.Insights(context.Background(), q, Rows{Each: func(json.RawMessage) error { return nil }})
	if got.Get("time_ranges") != `[{"since":"2026-01-01","until":"2026-01-31"},{"since":"2026-02-01","until":"2026-02-28"}]` || got.Get("limit") != "5000" {
		t.Errorf("time_ranges %s limit %s", got.Get("time_ranges"), got.Get("limit"))
	}
}

func TestEdgeRequest(t *testing.T) {
	var hits []string
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		hits = append(hits, r.URL.Path+"?limit="+r.URL.Query().Get("limit"))
		if r.URL.Path == "/v25.0/act_5" {
			writeJSON(w, 200, `{"id":"act_5","name":"A"}`)
			return
		}
		writeJSON(w, 200, `{"data":[{"id":"1"},{"id":"2"}]}`)
	})
	c, _ := newTestClient(t, f.URL)
	rows := 0
	count := func(json.RawMessage) error { rows++; return nil }
	if err := c.Edge(context.Background(), "act_{account}", "5", nil, 0, count); err != nil || rows != 1 {
		t.Errorf("node: rows %d, err %v", rows, err)
	}
	if err := c.Edge(context.Background(), "act_{account}/ads", "5", ParamList{{"fields", []string{"id"}}}, 20, count); err != nil || rows != 3 {
		t.Errorf("edge: rows %d, err %v", rows, err)
	}
	if len(hits) != 2 || hits[0] != "/v25.0/act_5?limit=" || hits[1] != "/v25.0/act_5/ads?limit=20" {
		t.Errorf("requests %q", hits)
	}
}
