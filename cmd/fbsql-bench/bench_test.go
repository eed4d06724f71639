package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestQuickBenchmark runs the bounded slice of the benchmark CI runs: the
// quick workloads, with the Airbyte-style schedule on the smallest, and
// checks every line carries the keys scripts read and sane values.
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
		keys := []string{"workload", "wall_s", "rows", "peak_rss_mb"}
		if r["workload"] == "ingest" {
			keys = append(keys, "ingest_ratio_to_read_json")
		} else {
			keys = append(keys, "requests", "ratio_to_lower_bound")
		}
		for _, k := range keys {
			if v, ok := r[k]; !ok || v == 0.0 || v == "" {
				t.Errorf("%s: %s missing or zero in %s", r["workload"], k, l)
			}
		}
		if ratio, ok := r["ratio_to_lower_bound"].(float64); ok && ratio < 1 {
			t.Errorf("%s ran faster than the model's lower bound (%.2f): the bound is wrong", r["workload"], ratio)
		}
	}
}
