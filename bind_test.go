package fbsql

import (
	"testing"
	"time"
)

func TestBind(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		sql  string
		args []any
		want string
	}{
		{"SELECT * FROM t WHERE d >= $1 AND id IN ($2, $3)", []any{day, "1", int64(-5)}, "SELECT * FROM t WHERE d >= DATE '2026-11-01' AND id IN ('1', (-5))"},
		{"SELECT '$1', \"$1\", x -- $1\n, $1 /* $1 ? */", []any{"it's"}, "SELECT '$1', \"$1\", x -- $1\n, 'it''s' /* $1 ? */"},
		{"SELECT ?, ?", []any{true, 1.5}, "SELECT TRUE, 1.5::DOUBLE"},
		{"SELECT x-$1", []any{-2}, "SELECT x-(-2)"},
		{"SELECT $1 IN $1", []any{[]string{"a", "b"}}, "SELECT ['a', 'b'] IN ['a', 'b']"},
		{"SELECT $2, $1", []any{nil, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, "SELECT TIMESTAMPTZ '2026-01-02T03:04:05Z', NULL"},
	} {
		got, err := Bind(c.sql, c.args)
		if err != nil || got != c.want {
			t.Errorf("Bind(%q) = %q, %v; want %q", c.sql, got, err, c.want)
		}
	}
	if n := Placeholders("SELECT '$9', $2 -- $7\n, $1"); n != 2 {
		t.Errorf("Placeholders = %d, want 2", n)
	}
	for _, c := range []struct {
		sql  string
		args []any
	}{
		{"SELECT $1, $2", []any{1}},
		{"SELECT $1", []any{1, 2}},
		{"SELECT $1, ?", []any{1}},
		{"SELECT $1", []any{struct{}{}}},
	} {
		if _, err := Bind(c.sql, c.args); err == nil {
			t.Errorf("Bind(%q, %v) accepted", c.sql, c.args)
		}
	}
}
