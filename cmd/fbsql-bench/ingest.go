package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// ingestColumns are loaded in the ingest benchmark: ids, dates, a
// breakdown, numbers and two action lists, like a typical report.
var ingestColumns = []string{"account_id", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
	"country", "impressions", "clicks", "spend", "reach", "ctr", "actions", "action_values"}

// runIngest takes real insights pages from the (instant) sandbox, then
// times fbsql's load path on them against DuckDB's read_json over the same
// rows, in the same process.
func runIngest(ctx context.Context, w workload) (result, error) {
	pages, err := samplePages(ctx, w.ingestDay)
	if err != nil {
		return result{}, err
	}
	dir, err := os.MkdirTemp("", "fbsql-ingest")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	ndjson := filepath.Join(dir, "rows.ndjson")
	rows, err := writeRows(ndjson, pages)
	if err != nil {
		return result{}, err
	}
	eng, err := engine.Open(ctx, engine.Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		return result{}, err
	}
	defer eng.Close()

	resetPeakRSS()
	start := time.Now()
	n, err := eng.LoadPages(ctx, "ingest_fbsql", ingestColumns, pages)
	ours := time.Since(start)
	if err != nil {
		return result{}, err
	}
	if n != rows {
		return result{}, fmt.Errorf("loaded %d rows, pages hold %d", n, rows)
	}
	rss := peakRSSMB()
	start = time.Now()
	if _, err := eng.QueryValue(ctx, fmt.Sprintf("CREATE TEMP TABLE ingest_read_json AS SELECT * FROM read_json('%s', format = 'newline_delimited')", ndjson)); err != nil {
		return result{}, err
	}
	theirs := time.Since(start)
	got, err := eng.QueryValue(ctx, "SELECT count(*) FROM ingest_read_json")
	if err != nil || got.(int64) != rows {
		return result{}, fmt.Errorf("read_json loaded %v rows (%v), want %d", got, err, rows)
	}
	r := result{Workload: w.name, WallS: seconds(ours), Rows: rows, PeakRSSMB: rss,
		IngestRowsPerS: float64(rows) / ours.Seconds(), ReadJSONRowsPerS: float64(rows) / theirs.Seconds()}
	r.IngestRatioToReadJSON = round2(r.IngestRowsPerS / r.ReadJSONRowsPerS)
	return r, nil
}

// samplePages reads ad-level daily insights with a country breakdown and
// action lists for `days` days, page by page, as raw response bodies.
func samplePages(ctx context.Context, days int) ([][]byte, error) {
	sb := sandbox.New(sandbox.Config{Seed: 1})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	today := time.Now().UTC()
	var pages [][]byte
	for _, acct := range sb.AccountIDs() {
		q := url.Values{
			"level": {"ad"}, "fields": {"account_id,campaign_id,adset_id,ad_id,impressions,clicks,spend,reach,ctr,actions,action_values"},
			"breakdowns": {`["country"]`}, "time_increment": {"1"}, "limit": {"5000"},
			"time_range": {fmt.Sprintf(`{"since":"%s","until":"%s"}`, today.AddDate(0, 0, -days).Format(time.DateOnly), today.AddDate(0, 0, -1).Format(time.DateOnly))},
		}
		next := srv.URL + "/v25.0/act_" + acct + "/insights?" + q.Encode()
		for next != "" {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
			req.Header.Set("Authorization", "Bearer sandbox-token")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			var env struct {
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				return nil, fmt.Errorf("sample page: %w", err)
			}
			pages = append(pages, body)
			next = env.Paging.Next
		}
	}
	return pages, nil
}

// writeRows writes the rows of the pages as newline-delimited JSON: the
// same bytes read_json reads.
func writeRows(path string, pages [][]byte) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	var n int64
	for _, p := range pages {
		var env struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(p, &env); err != nil {
			return 0, err
		}
		for _, row := range env.Data {
			bw.Write(row)
			bw.WriteByte('\n')
			n++
		}
	}
	return n, bw.Flush()
}
