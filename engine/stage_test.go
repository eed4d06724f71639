package engine

import (
	"context"
	"fmt"
	"testing"
)

// TestAppendLoopDiscardsAUnitFromEveryPart: batches are dealt to the
// stage's tables in turn, so a failed unit's rows sit in more than one;
// its discard must delete them from every table and count them out, and
// keep what other units sent before and after it. The oracle is the rows
// each message carried.
func TestAppendLoopDiscardsAUnitFromEveryPart(t *testing.T) {
	ctx := context.Background()
	e, fields, decoded := stageFillSetup(t)
	width := 1 + len(fields)
	batch := func(unit int64, from int) rowMsg {
		b := getBatch(width)
		for _, r := range decoded[from : from+batchRows] {
			*b = append(*b, unit)
			*b = append(*b, r...)
		}
		return rowMsg{unit: unit, acct: "1000000000000001", vals: b, width: width}
	}
	// unit 1 fails after four batches, dealt to every table, and runs
	// again as unit 4; units 2 and 3 are whole
	msgs := []rowMsg{batch(1, 0), batch(1, 256), batch(2, 512), batch(1, 768), batch(3, 1024), batch(1, 1280),
		{unit: 1, discard: true}, batch(4, 0), batch(2, 1536), batch(4, 256), batch(3, 1792)}
	want := map[int64]int64{2: 2 * batchRows, 3: 2 * batchRows, 4: 2 * batchRows}
	const stage = "discard_stage"
	if err := e.createStage(ctx, stage, fields, false); err != nil {
		t.Fatal(err)
	}
	ch := make(chan rowMsg, len(msgs))
	for _, m := range msgs {
		ch <- m
	}
	close(ch)
	n, err := e.appendLoop(ctx, stage, ch, func(int64) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6*batchRows {
		t.Errorf("appendLoop kept %d rows, want %d", n, 6*batchRows)
	}
	got := map[int64]int64{}
	for k := range stageParts {
		rows, err := e.conn.QueryContext(ctx, fmt.Sprintf("SELECT _unit, count(*) FROM %s GROUP BY 1", stagePart(stage, k)))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var unit, c int64
			if err := rows.Scan(&unit, &c); err != nil {
				t.Fatal(err)
			}
			got[unit] += c
		}
		rows.Close()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows by unit in the stage: %v, want %v", got, want)
	}
}
