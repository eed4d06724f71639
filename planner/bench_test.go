package planner_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/fbsql/fbsql/planner"
)

// timedFrontend measures the time spent inside DuckDB's parser, so the
// benchmark can report the planner's own Go time separately.
type timedFrontend struct {
	inner planner.Frontend
	spent time.Duration
}

func (f *timedFrontend) Serialize(sql string) (string, error) {
	defer f.track(time.Now())
	return f.inner.Serialize(sql)
}

func (f *timedFrontend) Deserialize(ast string) (string, error) {
	defer f.track(time.Now())
	return f.inner.Deserialize(ast)
}

func (f *timedFrontend) EvalTimestamp(expr string) (time.Time, error) {
	defer f.track(time.Now())
	return f.inner.EvalTimestamp(expr)
}

func (f *timedFrontend) Days(query string) ([]time.Time, []int, error) {
	defer f.track(time.Now())
	return f.inner.Days(query)
}

func (f *timedFrontend) track(start time.Time) { f.spent += time.Since(start) }

// BenchmarkPlanGolden plans every golden case per iteration and reports,
// per query, the total planning time, the part spent in DuckDB (parse and
// constant folding) and the rest: the planner's own Go time.
func BenchmarkPlanGolden(b *testing.B) {
	in := newInput(b)
	tf := &timedFrontend{inner: in.Frontend}
	in.Frontend = tf
	files, _ := filepath.Glob("testdata/*.txt")
	var sqls []string
	for _, f := range files {
		for _, c := range readGolden(b, f) {
			sqls = append(sqls, c.sql)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, s := range sqls {
			planner.Build(s, in)
		}
	}
	total := time.Since(start)
	n := float64(b.N * len(sqls))
	b.ReportMetric(float64(total.Microseconds())/n, "µs/query")
	b.ReportMetric(float64(tf.spent.Microseconds())/n, "duckdb-µs/query")
	b.ReportMetric(float64((total-tf.spent).Microseconds())/n, "go-µs/query")
	b.ReportMetric(float64(len(sqls)), "queries")
}
