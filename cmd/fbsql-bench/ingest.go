package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// ingestColumns are loaded in the ingest benchmark: ids, dates, a
// breakdown, numbers and two action lists, like a typical report.
var ingestColumns = []string{"account_id", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
	"country", "impressions", "clicks", "spend", "reach", "ctr", "actions", "action_values"}

// rowsPerAccountYear is about how many ad × day × country rows one default
// account has in a year: the ingest sizes its world from it.
const rowsPerAccountYear = 83_000

// runIngest takes real insights pages from an instant sandbox (written to
// a file first, so memory holds one page at a time), then times, in the
// same process: fbsql's load path over the pages; DuckDB's read_json over
// the same rows as newline-delimited JSON with types auto-detected (the old
// baseline); and read_json with columns= set to fbsql's own output types,
// whose result is checked identical to fbsql's.
func runIngest(ctx context.Context, w workload, o options) (result, error) {
	dir, err := os.MkdirTemp("", "fbsql-ingest")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	pagesPath, ndjson := filepath.Join(dir, "pages.bin"), filepath.Join(dir, "rows.ndjson")
	rows, err := samplePages(ctx, o.ingestRows, pagesPath, ndjson)
	if err != nil {
		return result{}, err
	}
	eng, err := engine.Open(ctx, engine.Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		return result{}, err
	}
	defer eng.Close()

	resetPeakRSS()
	cpu0 := cpuTime()
	start := time.Now()
	var readErr error
	n, err := eng.LoadPages(ctx, "ingest_fbsql", ingestColumns, filePages(pagesPath, &readErr))
	ours := time.Since(start)
	cpu := cpuTime() - cpu0
	if err == nil {
		err = readErr
	}
	if err != nil {
		return result{}, err
	}
	if n != rows {
		return result{}, fmt.Errorf("loaded %d rows, pages hold %d", n, rows)
	}
	rss := peakRSSMB()

	theirs, _, err := timeReadJSON(ctx, eng, "ingest_read_json", fmt.Sprintf("read_json('%s', format = 'newline_delimited')", ndjson), rows)
	if err != nil {
		return result{}, err
	}
	var cols []string
	for _, c := range ingestColumns {
		typ, _ := eng.ColumnType(c)
		cols = append(cols, fmt.Sprintf("'%s': '%s'", c, strings.ReplaceAll(typ, "'", "''")))
	}
	typed, typedCPU, err := timeReadJSON(ctx, eng, "ingest_typed", fmt.Sprintf("read_json('%s', format = 'newline_delimited', columns = {%s})", ndjson, strings.Join(cols, ", ")), rows)
	if err != nil {
		return result{}, err
	}
	for _, q := range []string{
		"SELECT count(*) FROM (SELECT * FROM ingest_fbsql EXCEPT ALL SELECT * FROM ingest_typed)",
		"SELECT count(*) FROM (SELECT * FROM ingest_typed EXCEPT ALL SELECT * FROM ingest_fbsql)",
	} {
		if diff, err := eng.QueryValue(ctx, q); err != nil || diff.(int64) != 0 {
			return result{}, fmt.Errorf("fbsql's rows and typed read_json's differ: %v rows (%v)", diff, err)
		}
	}
	r := result{Workload: w.name, WallS: seconds(ours), Rows: rows, PeakRSSMB: rss,
		FbsqlCPUS: round3(cpu.Seconds()), FbsqlUSPerRow: round2(float64(cpu.Microseconds()) / float64(rows)),
		IngestRowsPerS: float64(rows) / ours.Seconds(), ReadJSONRowsPerS: float64(rows) / theirs.Seconds(),
		TypedReadJSONRowsPerS: float64(rows) / typed.Seconds()}
	r.IngestRatioToReadJSON = round2(r.IngestRowsPerS / r.ReadJSONRowsPerS)
	r.IngestRatioToTyped = round2(r.IngestRowsPerS / r.TypedReadJSONRowsPerS)
	r.IngestCPURatioToTyped = round2(typedCPU.Seconds() / cpu.Seconds())
	return r, nil
}

// timeReadJSON loads a read_json call into a table and checks its rows. It
// returns the wall time and the process's CPU time the load took.
func timeReadJSON(ctx context.Context, eng *engine.Engine, table, source string, rows int64) (time.Duration, time.Duration, error) {
	cpu0 := cpuTime()
	start := time.Now()
	if _, err := eng.QueryValue(ctx, fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT * FROM %s", table, source)); err != nil {
		return 0, 0, err
	}
	took, cpu := time.Since(start), cpuTime()-cpu0
	got, err := eng.QueryValue(ctx, "SELECT count(*) FROM "+table)
	if err != nil || got.(int64) != rows {
		return 0, 0, fmt.Errorf("%s loaded %v rows (%v), want %d", table, got, err, rows)
	}
	return took, cpu, nil
}

// samplePages reads ad-level daily insights with a country breakdown and
// action lists for the last days from an instant sandbox, page by page: raw
// bodies to pagesPath (length-prefixed), their rows to ndjson. Computing
// rows is the sandbox's slow part, so it computes at most sampleRows and
// writes them again until `want` rows are written (duplicates load like
// any rows; both sides read the same ones). It returns the rows written.
func samplePages(ctx context.Context, want int, pagesPath, ndjson string) (int64, error) {
	const sampleRows = 120_000
	days := max(1, min(want, sampleRows)*365/(2*rowsPerAccountYear))
	run, err := sandbox.Start(ctx, sandbox.Config{Seed: 1})
	if err != nil {
		return 0, err
	}
	defer run.Close()
	var pages [][]byte
	var perPass int64
	today := time.Now().UTC()
	for _, acct := range run.Server.AccountIDs() {
		q := url.Values{
			"level": {"ad"}, "fields": {"account_id,campaign_id,adset_id,ad_id,impressions,clicks,spend,reach,ctr,actions,action_values"},
			"breakdowns": {`["country"]`}, "time_increment": {"1"}, "limit": {"5000"},
			"time_range": {fmt.Sprintf(`{"since":"%s","until":"%s"}`, today.AddDate(0, 0, -days).Format(time.DateOnly), today.AddDate(0, 0, -1).Format(time.DateOnly))},
		}
		next := run.URL + "/v25.0/act_" + acct + "/insights?" + q.Encode()
		for next != "" {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
			req.Header.Set("Authorization", "Bearer sandbox-token")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return 0, err
			}
			var env struct {
				Data   []json.RawMessage `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				return 0, fmt.Errorf("sample page: %w", err)
			}
			pages = append(pages, body)
			perPass += int64(len(env.Data))
			next = env.Paging.Next
		}
	}
	if perPass == 0 {
		return 0, fmt.Errorf("the sandbox served no rows")
	}
	pf, err := os.Create(pagesPath)
	if err != nil {
		return 0, err
	}
	defer pf.Close()
	nf, err := os.Create(ndjson)
	if err != nil {
		return 0, err
	}
	defer nf.Close()
	pw, nw := bufio.NewWriter(pf), bufio.NewWriter(nf)
	var n int64
	for n < int64(want) {
		for _, body := range pages {
			pw.Write(binary.AppendUvarint(nil, uint64(len(body))))
			pw.Write(body)
			var env struct {
				Data []json.RawMessage `json:"data"`
			}
			json.Unmarshal(body, &env)
			for _, row := range env.Data {
				nw.Write(row)
				nw.WriteByte('\n')
			}
		}
		n += perPass
	}
	if err := pw.Flush(); err != nil {
		return 0, err
	}
	return n, nw.Flush()
}

// filePages yields the pages samplePages wrote, one buffer reused; a read
// error ends the sequence and is left in *errp.
func filePages(path string, errp *error) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		f, err := os.Open(path)
		if err != nil {
			*errp = err
			return
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, 1<<20)
		var buf []byte
		for {
			size, err := binary.ReadUvarint(br)
			if err == io.EOF {
				return
			}
			if err != nil {
				*errp = err
				return
			}
			if cap(buf) < int(size) {
				buf = make([]byte, size)
			}
			buf = buf[:size]
			if _, err := io.ReadFull(br, buf); err != nil {
				*errp = err
				return
			}
			if !yield(buf) {
				return
			}
		}
	}
}
