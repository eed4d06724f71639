package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as the benchmark's sandbox process,
// as the command's own binary does.
func TestMain(m *testing.M) {
	serveSandboxChild()
	os.Exit(m.Run())
}

// TestQuickBenchmark runs the bounded slice of the benchmark CI runs: the
// quick workloads, and checks every line carries the keys scripts read and
// sane values: fbsql never beats the model's floor, and the ingest's rows
// equal typed read_json's (runIngest fails otherwise).
func TestQuickBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark slice skipped in -short")
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-quick", "-json", "-no-airbyte"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d result lines:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		keys := []string{"workload", "wall_s", "rows", "peak_rss_mb", "fbsql_cpu_s", "fbsql_us_per_row"}
		if r["workload"] == "ingest" {
			keys = append(keys, "ingest_ratio_to_read_json", "ingest_ratio_to_typed_read_json")
		} else {
			keys = append(keys, "requests", "ratio_to_lower_bound", "floor_s", "ratio_to_floor", "sandbox_cpu_s")
		}
		for _, k := range keys {
			if v, ok := r[k]; !ok || v == 0.0 || v == "" {
				t.Errorf("%s: %s missing or zero in %s", r["workload"], k, l)
			}
		}
		if ratio, ok := r["ratio_to_floor"].(float64); ok && ratio < 1 {
			t.Errorf("%s ran faster than the model's floor (%.2f): the floor is wrong", r["workload"], ratio)
		}
	}
}

// TestBadFlags: a bad flag value is a clear error and exit 2.
func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-accounts", "-1"}, {"-ads-mult", "0"}, {"-scale", "0"}, {"extra"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 || !strings.Contains(errb.String(), "must be") {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
}
