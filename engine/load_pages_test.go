package engine

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// loadColumns are the columns the LoadPages tests load: ids, dates, a
// breakdown, numbers of each type and two action lists.
var loadColumns = []string{"account_id", "ad_id", "date_start", "country", "impressions", "spend", "ctr", "actions", "action_values"}

// loadRow is the i-th row of the LoadPages tests; every value differs
// from row to row somewhere, and some rows lack their action lists.
func loadRow(i int) string {
	actions := fmt.Sprintf(`,"actions":[{"action_type":"link_click","value":"%d"},{"action_type":"purchase","value":"%d","1d_click":"%d"}],"action_values":[{"action_type":"purchase","value":"%d.25"}]`, i%97, i%5, i%3, i%11)
	if i%7 == 0 {
		actions = ""
	}
	return fmt.Sprintf(`{"account_id":"100000000000%04d","ad_id":"1202000000002%05d","impressions":"%d","spend":"%d.%02d","ctr":"%d.125","date_start":"2025-06-%02d","date_stop":"2025-06-%02d","country":"%s"%s}`,
		i%3, i%1000, 1000+i*37, 70+i, i%100, i%9, 1+i%28, 1+i%28, []string{"US", "GB", "DE", "FR"}[i%4], actions)
}

// pagesOf yields the rows as pages of per rows each, in one reused buffer,
// as the benchmark's file reader does.
func pagesOf(rows []string, per int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		var buf []byte
		for i := 0; i < len(rows); i += per {
			buf = append(buf[:0], `{"data":[`...)
			buf = append(buf, strings.Join(rows[i:min(i+per, len(rows))], ",")...)
			buf = append(buf, `],"paging":{"cursors":{"after":"x"}}}`...)
			if !yield(buf) {
				return
			}
		}
	}
}

func openLoadEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestLoadPagesEqualsTypedReadJSON: pages decoded in parallel load the
// same rows, every one once, as DuckDB's own read_json reading the same
// rows with the same column types (the oracle does not use fbsql's decoder).
func TestLoadPagesEqualsTypedReadJSON(t *testing.T) {
	e := openLoadEngine(t)
	var rows []string
	for i := range 20_000 {
		rows = append(rows, loadRow(i))
	}
	loadEqualsReadJSON(t, e, rows)
}

// TestLoadPagesIDsTurnText: ids are staged as numbers only while every
// one is a canonical number; one that is not (leading zeros, a sign, too
// big, not digits), arriving after thousands of numbers were appended or
// first, still loads as exactly its text, as read_json loads it.
func TestLoadPagesIDsTurnText(t *testing.T) {
	for _, tc := range []struct {
		name, id, text string // text: the id as loaded
		at             int
	}{
		{"leading zeros", "007", "007", 10_000},
		{"first", "0012", "0012", 0},
		{"last", "12a", "12a", 19_999},
		{"sign", "-5", "-5", 12_345},
		{"too big", "18446744073709551616", "18446744073709551616", 9_999},
		{"zero", "0", "0", 5_000}, // canonical: stays a number
		{"escaped digits", `\u0031\u0032`, "12", 7_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openLoadEngine(t)
			var rows []string
			for i := range 20_000 {
				rows = append(rows, loadRow(i))
			}
			rows[tc.at] = strings.Replace(rows[tc.at], `"ad_id":"`, `"ad_id":"`+tc.id+`","x":"`, 1)
			loadEqualsReadJSON(t, e, rows)
			got, err := e.QueryValue(context.Background(), fmt.Sprintf("SELECT count(*) FROM loaded WHERE ad_id = '%s'", tc.text))
			if err != nil || got.(int64) != 1 {
				t.Fatalf("rows with ad_id %s: %v (%v), want 1", tc.id, got, err)
			}
		})
	}
}

// loadEqualsReadJSON loads rows with LoadPages into "loaded" and checks
// the table equals DuckDB's read_json of the same rows with the same
// column types (an oracle that does not use fbsql's decoder).
func loadEqualsReadJSON(t *testing.T, e *Engine, rows []string) {
	t.Helper()
	ctx := context.Background()
	n, err := e.LoadPages(ctx, "loaded", loadColumns, pagesOf(rows, 333))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(rows)) {
		t.Fatalf("loaded %d rows, want %d", n, len(rows))
	}
	path := filepath.Join(t.TempDir(), "rows.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range loadColumns {
		typ, _ := e.ColumnType(c)
		cols = append(cols, fmt.Sprintf("'%s': '%s'", c, strings.ReplaceAll(typ, "'", "''")))
	}
	oracle := fmt.Sprintf("CREATE TEMP TABLE oracle AS SELECT * FROM read_json('%s', format = 'newline_delimited', columns = {%s})", path, strings.Join(cols, ", "))
	if _, err := e.QueryValue(ctx, oracle); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT count(*) FROM (SELECT * FROM loaded EXCEPT ALL SELECT * FROM oracle)",
		"SELECT count(*) FROM (SELECT * FROM oracle EXCEPT ALL SELECT * FROM loaded)",
	} {
		diff, err := e.QueryValue(ctx, q)
		if err != nil || diff.(int64) != 0 {
			t.Fatalf("%s: %v (%v), want 0", q, diff, err)
		}
	}
}

// TestLoadPagesFailsOnAMalformedRow: a bad value in one page fails the
// load naming the field, whichever decoder meets it, and the load returns
// (no decoder or reader is left waiting).
func TestLoadPagesFailsOnAMalformedRow(t *testing.T) {
	e := openLoadEngine(t)
	var rows []string
	for i := range 5_000 {
		rows = append(rows, loadRow(i))
	}
	rows[3_001] = strings.Replace(loadRow(3_001), `"impressions":"`, `"impressions":"x`, 1)
	_, err := e.LoadPages(context.Background(), "bad", loadColumns, pagesOf(rows, 100))
	if err == nil || !strings.Contains(err.Error(), "impressions") {
		t.Fatalf("error %v, want one naming impressions", err)
	}
}

// TestLoadPagesAttributionWindows: action lists are parsed without their
// attribution windows only when no entry of that column had one, so a
// window in a single row of a million-row-like load, in one column only,
// or with its key escaped, still loads as read_json loads it; lists
// without any window load the same too.
func TestLoadPagesAttributionWindows(t *testing.T) {
	noWindow := func(i int) string {
		return strings.Replace(loadRow(i), fmt.Sprintf(`,"1d_click":"%d"`, i%3), "", 1)
	}
	for _, tc := range []struct {
		name   string
		at     int    // the row given a window; -1: none
		column string // the list it is in
		key    string
	}{
		{"none", -1, "", ""},
		{"next to last row, actions", 19_998, "actions", "7d_view"},
		{"first row, action_values", 1, "action_values", "28d_click"},
		{"escaped key", 12_345, "action_values", `1d\u005fclick`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openLoadEngine(t)
			var rows []string
			for i := range 20_000 {
				rows = append(rows, noWindow(i))
			}
			if tc.at >= 0 {
				if tc.at%7 == 0 {
					t.Fatalf("row %d has no action lists", tc.at)
				}
				list := `"` + tc.column + `":[{"action_type":"`
				if !strings.Contains(rows[tc.at], list) {
					t.Fatalf("row %d has no %s", tc.at, tc.column)
				}
				rows[tc.at] = strings.Replace(rows[tc.at], list, `"`+tc.column+`":[{"`+tc.key+`":"4.5","action_type":"`, 1)
			}
			loadEqualsReadJSON(t, e, rows)
			got, err := e.QueryValue(context.Background(), `SELECT count(*) FROM loaded, unnest(actions || action_values) AS u(x)
				WHERE coalesce(x."1d_click", x."7d_click", x."28d_click", x."1d_view", x."7d_view", x."28d_view") = 4.5`)
			want := int64(0)
			if tc.at >= 0 {
				want = 1
			}
			if err != nil || got.(int64) != want {
				t.Fatalf("entries with the window: %v (%v), want %d", got, err, want)
			}
		})
	}
}

// TestLoadPagesActionValuesExact: action values the decoder hands to
// DuckDB as JSON numbers (compactActionStats) load as the same DOUBLE as
// read_json's reading of the API's quoted text: halfway cases, integers
// past 2^53 and past uint64, twenty-digit decimals, tiny and huge values,
// and values left quoted (signs).
func TestLoadPagesActionValuesExact(t *testing.T) {
	values := []string{"0", "0.1", "0.30000000000000004", "9007199254740993", "9007199254740995", "18446744073709551615",
		"18446744073709551616", "99999999999999999999", "123456789012345678.5", "1.7976931348623157", "0.000000000000000001",
		"2.2250738585072011", "4.9406564584124654", "-0", "-12.5", "0.5", "1234567.0000000001"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 4000 {
		digits := fmt.Sprintf("%020d", rng.Uint64())[:1+rng.IntN(19)]
		digits = strings.TrimLeft(digits[:len(digits)-1], "0") + digits[len(digits)-1:]
		if dot := rng.IntN(len(digits) + 1); dot > 0 && dot < len(digits) {
			digits = digits[:dot] + "." + digits[dot:]
		}
		values = append(values, digits)
	}
	var rows []string
	for i := 0; i < len(values); i += 5 {
		var entries []string
		for k, v := range values[i:min(i+5, len(values))] {
			entries = append(entries, fmt.Sprintf(`{"action_type":"t%d","value":"%s"}`, k, v))
		}
		base := loadRow(i + 1)
		row := strings.Replace(base, `"actions":[`, `"actions":[`+strings.Join(entries, ",")+",", 1)
		if row == base { // a row without action lists
			row = strings.TrimSuffix(base, "}") + `,"actions":[` + strings.Join(entries, ",") + `]}`
		}
		rows = append(rows, row)
	}
	loadEqualsReadJSON(t, openLoadEngine(t), rows)
}
