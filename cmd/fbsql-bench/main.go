// Command fbsql-bench runs fixed workloads against the sandbox's realistic
// mode and reports, for each, figures measured in the same run: wall time,
// requests, rows, peak RSS, fbsql's own CPU (the sandbox runs in a child
// process, its CPU reported apart), and ratios — fbsql against the floor
// of the sandbox's model (the least time any client could take), an
// Airbyte-style schedule against fbsql, and fbsql's ingest path against
// DuckDB's read_json over the same rows with the same column types.
//
//	go run ./cmd/fbsql-bench            # a table
//	go run ./cmd/fbsql-bench -json      # one JSON object per workload
//	go run ./cmd/fbsql-bench -quick     # small workloads, seconds (CI)
//	go run ./cmd/fbsql-bench -help      # flags and the meaning of every key
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

// result is one workload's line of the report. keyDocs states each key.
type result struct {
	Workload              string  `json:"workload"`
	Accounts              int     `json:"accounts,omitempty"`
	WallS                 float64 `json:"wall_s"`
	Requests              int     `json:"requests"`
	Rows                  int64   `json:"rows"`
	PeakRSSMB             float64 `json:"peak_rss_mb"`
	MemoryLimit           string  `json:"memory_limit,omitempty"`
	AnswerDigest          string  `json:"answer_digest,omitempty"`
	FbsqlCPUS             float64 `json:"fbsql_cpu_s,omitempty"`
	FbsqlUSPerRow         float64 `json:"fbsql_us_per_row,omitempty"`
	SandboxCPUS           float64 `json:"sandbox_cpu_s,omitempty"`
	FloorS                float64 `json:"floor_s,omitempty"`
	RatioToFloor          float64 `json:"ratio_to_floor,omitempty"`
	LowerBoundS           float64 `json:"lower_bound_s,omitempty"`
	RatioToLowerBound     float64 `json:"ratio_to_lower_bound,omitempty"`
	AirbyteStyleS         float64 `json:"airbyte_style_s,omitempty"`
	AirbyteMeasuredS      float64 `json:"airbyte_style_measured_s,omitempty"`
	AirbyteRequests       int     `json:"airbyte_style_requests,omitempty"`
	AirbyteStyleOverFbsql float64 `json:"airbyte_style_over_fbsql,omitempty"`
	IngestRowsPerS        float64 `json:"ingest_rows_per_s,omitempty"`
	ReadJSONRowsPerS      float64 `json:"read_json_rows_per_s,omitempty"`
	IngestRatioToReadJSON float64 `json:"ingest_ratio_to_read_json,omitempty"`
	TypedReadJSONRowsPerS float64 `json:"typed_read_json_rows_per_s,omitempty"`
	IngestRatioToTyped    float64 `json:"ingest_ratio_to_typed_read_json,omitempty"`
	IngestCPURatioToTyped float64 `json:"ingest_cpu_ratio_to_typed_read_json,omitempty"`
	FirstWallS            float64 `json:"first_wall_s,omitempty"`
	FirstRequests         int     `json:"first_requests,omitempty"`
	RequestsRatio         float64 `json:"requests_ratio_first_over_repeat,omitempty"`
	WallRatio             float64 `json:"wall_ratio_first_over_repeat,omitempty"`
	WithinTTLRequests     *int    `json:"requests_repeat_within_ttl,omitempty"`
}

// keyDocs is the meaning of each key, printed by -help.
const keyDocs = `Keys of -json (one object per workload):
  workload, accounts        the question asked; the sandbox's ad accounts
  wall_s, requests, rows    fbsql's wall time, HTTP requests sent (retries included), rows read
  peak_rss_mb               the benchmark process's peak resident memory during the workload
                            (fbsql and DuckDB; the sandbox is another process)
  memory_limit              DuckDB's memory_limit for the workload, if set
  answer_digest             a digest of the answer (rows, impressions and spend per account): equal
                            digests say two runs (e.g. with and without -memory-limit) answered alike
  fbsql_cpu_s               CPU time (user+system) of the benchmark process during the query:
                            fbsql and DuckDB only
  fbsql_us_per_row          fbsql_cpu_s per row read, in microseconds
  sandbox_cpu_s             CPU time of the sandbox process, for reference
  floor_s, ratio_to_floor   the least wall time ANY client could take under the sandbox's model
                            (sandbox.Model.Floor: the rows' slot time over the account's and the
                            app's insights load capacity, each slot serving whole calls of at most
                            5000 rows one after another), and wall_s over it
  lower_bound_s             OLD yardstick, kept for comparison: the least time with at most
  ratio_to_lower_bound      10 streams per account (fbsql's former policy), not a floor: a client
                            with more streams can beat it
  airbyte_style_s           the Airbyte-style schedule's wall time at the benchmark's scale
                            (airbyte.go: Airbyte's own algorithm, call budget on);
  airbyte_style_measured_s  as measured (it runs compressed); airbyte_style_requests its requests
  airbyte_style_over_fbsql  airbyte_style_s over wall_s
  ingest_rows_per_s         fbsql's load path (decode, convert, append, parse lists) on fixed pages
  read_json_rows_per_s      OLD baseline: DuckDB read_json with type auto-detection (numbers stay
  ingest_ratio_to_read_json VARCHAR; sniffing costs most of its time): flatters fbsql
  typed_read_json_rows_per_s read_json with columns= set to fbsql's own output types; the result
  ingest_ratio_to_typed_read_json  is checked identical to fbsql's; the fair ingest ratio
  ingest_cpu_ratio_to_typed_read_json  the same by CPU time (typed read_json's ÷ fbsql's): steadier
                            than rows/s on a busy machine
  first_*, *_ratio_first_over_repeat, requests_repeat_within_ttl   the repeat workload (cache)
`

// options are the flags every workload sees.
type options struct {
	accounts, adsMult int
	airbyte           bool
	memoryLimit       string
	sandboxProfile    string
	ingestRows        int
}

func main() {
	serveSandboxChild()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fbsql-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fbsql-bench [flags]\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+keyDocs)
	}
	asJSON := fs.Bool("json", false, "print one JSON object per workload")
	quick := fs.Bool("quick", false, "small workloads that finish in seconds (for CI); ratios are less meaningful")
	only := fs.String("only", "", "comma-separated workload names to run (default: all)")
	fs.Float64Var(&timeScale, "scale", timeScale, "run the sandbox this many times faster than the real API (the model's real durations ÷ scale)")
	noAirbyte := fs.Bool("no-airbyte", false, "skip the Airbyte-style schedule (it takes minutes on the year workloads)")
	var o options
	fs.IntVar(&o.accounts, "accounts", 0, "ad accounts in the sandbox's world for workloads that do not fix their own (0 = the default two)")
	fs.IntVar(&o.adsMult, "ads-mult", 1, "multiply the ads of every ad set in the sandbox's world")
	fs.StringVar(&o.sandboxProfile, "sandbox-cpuprofile", "", "write a CPU profile of the sandbox's process to this file (the last workload's)")
	fs.StringVar(&o.memoryLimit, "memory-limit", "", "DuckDB memory_limit for every workload (e.g. 512MB); the 50-account workload uses 600MB unless set (none: no limit)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of fbsql's process (not the sandbox's) to this file")
	fs.IntVar(&o.ingestRows, "ingest-rows", 1_000_000, "rows of the ingest benchmark (at least; -quick: 20000)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || o.accounts < 0 || o.adsMult < 1 || timeScale <= 0 {
		fmt.Fprintln(stderr, "fbsql-bench: -accounts must be ≥ 0, -ads-mult ≥ 1, -scale > 0, and no arguments")
		return 2
	}
	o.airbyte = !*noAirbyte
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "fbsql-bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "fbsql-bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if *quick {
		o.ingestRows = min(o.ingestRows, 20_000)
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
		wo := o
		switch {
		case wo.memoryLimit == "none":
			wo.memoryLimit = ""
		case w.accounts >= 50 && wo.memoryLimit == "":
			wo.memoryLimit = "600MB"
		}
		r, err := w.run(ctx, wo)
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
	fmt.Fprintf(w, "%-34s %8s %9s %9s %8s %8s %8s %9s %10s %11s\n", "workload", "wall s", "requests", "rows", "rss MB", "µs/row", "÷ floor", "airbyte ÷", "ingest ÷", "first ÷ rep")
	for _, r := range rs {
		rep := "-"
		if r.WallRatio > 0 {
			rep = fmt.Sprintf("%s/%s", ratio(r.RequestsRatio), ratio(r.WallRatio))
		}
		fmt.Fprintf(w, "%-34s %8.2f %9d %9d %8.0f %8s %8s %9s %10s %11s\n", r.Workload, r.WallS, r.Requests, r.Rows, r.PeakRSSMB,
			ratio(r.FbsqlUSPerRow), ratio(r.RatioToFloor), ratio(r.AirbyteStyleOverFbsql), ratio(r.IngestRatioToTyped), rep)
	}
}

func ratio(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}

func seconds(d time.Duration) float64 { return d.Seconds() }
