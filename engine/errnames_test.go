package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
)

// TestErrorsNameTheUsersTables: DuckDB's errors about a planned query
// quote the user's table names, with the caret under the right word.
func TestErrorsNameTheUsersTables(t *testing.T) {
	d := newDemo(t)
	err := d.eng.Exec(context.Background(), "SELECT spend + 'abc' FROM insights WHERE date_start = current_date - 2", func(*engine.Result) error { return nil })
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.Contains(msg, "fb_insights") {
		t.Fatalf("error mentions the internal table:\n%s", msg)
	}
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "LINE 1: ") || i+1 >= len(lines) {
			continue
		}
		if !strings.Contains(l, "FROM insights WHERE") {
			t.Errorf("excerpt %q lacks the user's table name", l)
		}
		caret := strings.IndexByte(lines[i+1], '^')
		if caret < 0 || !strings.HasPrefix(l[caret:], "'abc'") && !strings.HasPrefix(l[caret:], "+") && !strings.HasPrefix(l[caret:], "spend") {
			t.Errorf("caret at %d points at %q:\n%s\n%s", caret, l[min(caret, len(l)):], l, lines[i+1])
		}
	}
}
