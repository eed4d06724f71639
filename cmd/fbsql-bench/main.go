// Command fbsql-bench runs fixed workloads against the sandbox's realistic
// mode, in one process, and reports for each: wall time, requests, rows,
// peak RSS, and two ratios measured in the same run — fbsql against the
// lower bound the sandbox's model implies, and an Airbyte-style schedule
// (one async job per account per day, at most 10 in flight, 30 s status
// polls, scaled like the model) against fbsql. It also compares fbsql's
// ingest path with DuckDB's own read_json over the same bytes.
//
//	go run ./cmd/fbsql-bench            # a table
//	go run ./cmd/fbsql-bench -json      # one JSON object per workload
//	go run ./cmd/fbsql-bench -quick     # small workloads, seconds (CI)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// result is one workload's line of the report.
type result struct {
	Workload              string  `json:"workload"`
	WallS                 float64 `json:"wall_s"`
	Requests              int     `json:"requests"`
	Rows                  int64   `json:"rows"`
	PeakRSSMB             float64 `json:"peak_rss_mb"`
	LowerBoundS           float64 `json:"lower_bound_s,omitempty"`
	RatioToLowerBound     float64 `json:"ratio_to_lower_bound,omitempty"`
	AirbyteStyleS         float64 `json:"airbyte_style_s,omitempty"`
	AirbyteMeasuredS      float64 `json:"airbyte_style_measured_s,omitempty"`
	AirbyteStyleOverFbsql float64 `json:"airbyte_style_over_fbsql,omitempty"`
	IngestRowsPerS        float64 `json:"ingest_rows_per_s,omitempty"`
	ReadJSONRowsPerS      float64 `json:"read_json_rows_per_s,omitempty"`
	IngestRatioToReadJSON float64 `json:"ingest_ratio_to_read_json,omitempty"`
	FirstWallS            float64 `json:"first_wall_s,omitempty"`
	FirstRequests         int     `json:"first_requests,omitempty"`
	RequestsRatio         float64 `json:"requests_ratio_first_over_repeat,omitempty"`
	WallRatio             float64 `json:"wall_ratio_first_over_repeat,omitempty"`
	WithinTTLRequests     *int    `json:"requests_repeat_within_ttl,omitempty"`
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fbsql-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per workload")
	quick := fs.Bool("quick", false, "small workloads that finish in seconds (for CI); ratios are less meaningful")
	only := fs.String("only", "", "comma-separated workload names to run (default: all)")
	fs.Float64Var(&timeScale, "scale", timeScale, "run the sandbox this many times faster than the real API (the model's real durations ÷ scale)")
	noAirbyte := fs.Bool("no-airbyte", false, "skip the Airbyte-style schedule (it takes minutes on the year workloads)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	want := map[string]bool{}
	for _, w := range strings.Split(*only, ",") {
		if w = strings.TrimSpace(w); w != "" {
			want[w] = true
		}
	}
	var results []result
	for _, w := range workloads(*quick) {
		if len(want) > 0 && !want[w.name] {
			continue
		}
		fmt.Fprintf(stderr, "running %s …\n", w.name)
		r, err := w.run(ctx, !*noAirbyte)
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %v\n", w.name, err)
			return 1
		}
		results = append(results, r)
		if *asJSON {
			b, _ := json.Marshal(r)
			fmt.Fprintln(stdout, string(b))
		}
	}
	if !*asJSON {
		printTable(stdout, results)
	}
	return 0
}

func printTable(w io.Writer, rs []result) {
	fmt.Fprintf(w, "%-26s %8s %9s %9s %8s %10s %12s %10s %12s\n", "workload", "wall s", "requests", "rows", "rss MB", "÷ bound", "airbyte ÷", "ingest ÷", "first ÷ rep")
	for _, r := range rs {
		rep := "-"
		if r.WallRatio > 0 {
			rep = fmt.Sprintf("%s/%s", ratio(r.RequestsRatio), ratio(r.WallRatio))
		}
		fmt.Fprintf(w, "%-26s %8.2f %9d %9d %8.0f %10s %12s %10s %12s\n", r.Workload, r.WallS, r.Requests, r.Rows, r.PeakRSSMB,
			ratio(r.RatioToLowerBound), ratio(r.AirbyteStyleOverFbsql), ratio(r.IngestRatioToReadJSON), rep)
	}
}

func ratio(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}

func seconds(d time.Duration) float64 { return d.Seconds() }
