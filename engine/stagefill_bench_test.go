package engine

import (
	"context"
	"database/sql/driver"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// BenchmarkStageFill measures filling the stage with decoded rows of the
// year workload's shape (two ids, a date, a country, two numbers), apart
// from decoding and fetching: ns and CPU-ns per row.
func BenchmarkStageFill(b *testing.B) {
	ctx := context.Background()
	e, fields, decoded := stageFillSetup(b)
	rows := len(decoded)
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		c0 := cpuNow()
		n, err := fillStage(ctx, e, "bench_stage", fields, decoded)
		cpu += cpuNow() - c0
		if err != nil || n != int64(rows) {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stageFillSetup opens an engine and decodes the rows BenchmarkStageFill
// appends.
func stageFillSetup(b testing.TB) (*Engine, []stageField, [][]driver.Value) {
	ctx := context.Background()
	e, err := Open(ctx, Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "ad_id", "date_start", "country", "impressions", "spend"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	fields := stageFields(sc)
	d := newDecoder(fields, false)
	const rows = 100_000
	var decoded [][]driver.Value
	for i := range rows {
		raw := fmt.Appendf(nil, `{"account_id":"1000000000000001","ad_id":"1202000000002%05d","impressions":"%d","spend":"%d.%02d","date_start":"2025-06-%02d","date_stop":"2025-06-%02d","country":"%s"}`,
			i%1000, 1000+i*37, 70+i, i%100, 1+i/4000, 1+i/4000, []string{"US", "GB", "DE"}[i%3])
		row := make([]driver.Value, len(fields))
		if err := d.decode(raw, row); err != nil {
			b.Fatal(err)
		}
		decoded = append(decoded, row)
	}
	return e, fields, decoded
}

// fillStage sends decoded rows through a stage's fill as fetchers do, in
// batches, on one goroutine.
func fillStage(ctx context.Context, e *Engine, stage string, fields []stageField, decoded [][]driver.Value) (int64, error) {
	err := e.createStage(ctx, stage, fields, false)
	if err != nil {
		return 0, err
	}
	ch := make(chan rowMsg, 64)
	go func() {
		defer close(ch)
		for i := 0; i < len(decoded); i += batchRows {
			b := getBatch(1 + len(fields))
			for _, r := range decoded[i:min(i+batchRows, len(decoded))] {
				*b = append(*b, int64(0))
				*b = append(*b, r...)
			}
			ch <- rowMsg{acct: "1000000000000001", vals: b, width: 1 + len(fields)}
		}
	}()
	n, err := e.appendLoop(ctx, stage, ch, func(int64) {}, nil)
	return n, err
}
