package sandbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// yearByCountry is the large request the brief sizes the storage for: a year
// of ad × day × country rows.
var yearByCountry = url.Values{"level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"country"},
	"fields": {"ad_id,impressions,spend,reach,actions"}, "time_range": {tr("2025-03-15", "2026-03-14")}, "limit": {"5000"}}

func TestLargeResultPagesFromOneComputation(t *testing.T) {
	if testing.Short() {
		t.Skip("large result")
	}
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	r := f.get(t, path, yearByCountry)
	if r.status != 200 || len(r.body["data"].([]any)) != 5000 || nextURL(r) == "" {
		t.Fatalf("first page: status %d, next %q", r.status, nextURL(r))
	}
	rs := f.srv.cache.entries[0].rs
	if rs.len() < 50000 {
		t.Fatalf("only %d rows; the request should be large", rs.len())
	}
	if perRow := len(rs.buf) / rs.len(); perRow > 64 {
		t.Errorf("%d bytes per stored row; rows must stay compact", perRow)
	}
	late := url.Values{"after": {encodeCursor(rs.len() - 10)}}
	for k, v := range yearByCountry {
		late[k] = v
	}
	r = f.get(t, path, late)
	if len(r.body["data"].([]any)) != 9 || nextURL(r) != "" {
		t.Errorf("last page: %d rows, next %q", len(r.body["data"].([]any)), nextURL(r))
	}
	if len(f.srv.cache.entries) != 1 || f.srv.cache.entries[0].rs != rs {
		t.Error("a later page recomputed the result")
	}
}

func BenchmarkYearByCountryCompute(b *testing.B) {
	s := New(Config{Now: func() time.Time { return testNow }})
	a := s.world.accounts[0]
	p := params{}
	for k, v := range yearByCountry {
		p[k] = v[0]
	}
	for b.Loop() {
		q, err := parseInsights(p, a, levelAccount, nil, s.today())
		if err != nil {
			b.Fatal(err)
		}
		q.compute()
	}
}

func BenchmarkRenderPage(b *testing.B) {
	s := New(Config{Now: func() time.Time { return testNow }})
	p := params{}
	for k, v := range yearByCountry {
		p[k] = v[0]
	}
	q, _ := parseInsights(p, s.world.accounts[0], levelAccount, nil, s.today())
	rs := q.compute()
	for b.Loop() {
		data, err := rs.appendRows(make([]byte, 0, rs.pageBytes(5000)), 0, 5000)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := marshal(obj{{"data", rawJSON(data)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeYearPages serves every page of a year of ad × day × country
// rows with the fields fbsql-bench's workload reads, through ServeHTTP on a
// fresh server each time (so the result is computed, not cached): the
// sandbox's CPU per served insights row, reported as ns/row.
func BenchmarkServeYearPages(b *testing.B) {
	q := url.Values{"level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"country"},
		"fields": {"account_id,ad_id,impressions,spend"}, "time_range": {tr("2025-03-15", "2026-03-14")}, "limit": {"5000"}}
	rows := 0
	for b.Loop() {
		b.StopTimer()
		s := New(Config{Now: func() time.Time { return testNow }})
		b.StartTimer()
		target := "/v25.0/act_" + s.AccountIDs()[0] + "/insights?" + q.Encode()
		for target != "" {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Authorization", "Bearer sandbox-token")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			if rec.Code != 200 {
				b.Fatalf("status %d: %s", rec.Code, body)
			}
			// Rows and the next page without decoding the page (the
			// client's cost is not the sandbox's).
			rows += bytes.Count(body, []byte(`"date_start"`))
			target = ""
			if _, next, ok := bytes.Cut(body, []byte(`"next":"`)); ok {
				next, _, _ = bytes.Cut(next, []byte(`"`))
				u, err := url.Parse(string(next))
				if err != nil {
					b.Fatal(err)
				}
				target = u.RequestURI()
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}
