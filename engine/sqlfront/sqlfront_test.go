package sqlfront

import (
	"strings"
	"testing"
	"time"
)

// TestFrontend checks what the planner relies on: the parser's AST and
// its error object, SQL printed back, and calendar rows read in UTC with a
// NULL date as the zero time.
func TestFrontend(t *testing.T) {
	f, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ast, err := f.Serialize("SELECT 1 FROM t WHERE x > 10.5")
	if err != nil || !strings.Contains(ast, `"error":false`) || !strings.Contains(ast, `"scale":1`) {
		t.Fatalf("serialize: %v %s", err, ast)
	}
	if bad, err := f.Serialize("SELEC 1"); err != nil || !strings.Contains(bad, `"error":true`) {
		t.Fatalf("a syntax error is an error object, not a Go error: %v %s", err, bad)
	}
	if sql, err := f.Deserialize(ast); err != nil || !strings.HasPrefix(sql, "SELECT 1 FROM t") {
		t.Fatalf("deserialize: %v %q", err, sql)
	}
	days, marks, err := f.Days(`SELECT d, m FROM (VALUES (DATE '2026-11-01', 1), (NULL, 3), (CAST(TIMESTAMPTZ '2026-11-01 23:30:00+00' AS DATE), 2)) AS t(d, m)`)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), {}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	if len(days) != 3 || marks[1] != 3 {
		t.Fatalf("days %v marks %v", days, marks)
	}
	for i, d := range days {
		if !d.Equal(want[i]) && !(want[i].IsZero() && d.IsZero()) {
			t.Errorf("row %d: %v, want %v (UTC session, NULL as zero)", i, d, want[i])
		}
	}
}
