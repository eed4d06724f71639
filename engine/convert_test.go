package engine

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// TestConvertMatchesDuckDB checks the Go conversions of the load path
// against DuckDB's own CAST of the same text (castExpr, the oracle the old
// VARCHAR stage used and the cache still uses): each value appended typed
// must equal DuckDB's conversion, and the text the cache keeps (textExpr)
// must convert back to the same value.
func TestConvertMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cases := []struct {
		typ   string
		minor bool
		whole bool
		json  []string // API values as JSON
	}{
		{"BIGINT", false, false, []string{`"0"`, `"12345"`, `"-7"`, `"9223372036854775807"`, `42`, `"1.5"`, `"2.49"`, `"-2.5"`, `"007"`, `"+5"`, `"-0"`, `"999999999999999999"`, `"-123456789012345678"`, `"1234567890123456789"`}},
		{"DOUBLE", false, false, []string{`"0.1"`, `"1.2345678901234567"`, `"-3"`, `0.30000000000000004`, `"1e-7"`, `"123456789.987654321"`, `"5"`}},
		{fbtables.Money, false, false, []string{`"12.34"`, `"0.005"`, `"-0.005"`, `"1.999"`, `"100"`, `"7.1"`, `"9999999999999999.99"`, `"0.015"`, `".5"`, `" 3.25 "`, `"+4.5"`, `"0000000000000000000012.5"`}},
		{fbtables.Money, true, false, []string{`"1234"`, `"5"`, `"-250"`, `"12.5"`, `"0"`}},
		{fbtables.Money, true, true, []string{`"5000"`, `"12.5"`, `"-3"`}},
		{"DATE", false, false, []string{`"2025-01-31"`, `"2024-02-29"`, `"0001-01-01"`, `"2025-12-31"`}},
		{"TIMESTAMPTZ", false, false, []string{`"2025-01-31T23:59:01+0000"`, `"2024-06-01T08:00:00-0700"`}},
		{"BOOLEAN", false, false, []string{`true`, `false`}},
		{"VARCHAR", false, false, []string{`"a\"b\u00e9"`, `"x"`, `12.50`}},
	}
	for _, c := range cases {
		f := stageField{name: "v", apiField: "v", typ: c.typ, minorUnits: c.minor, conv: convOf(c.typ, c.minor)}
		t.Run(fmt.Sprintf("%s/minor=%v/whole=%v", c.typ, c.minor, c.whole), func(t *testing.T) {
			mustExec(t, e, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE conv_t (i INTEGER, text VARCHAR, v %s)", f.stageType()))
			err := e.conn.Raw(func(dc any) error {
				app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "conv_t")
				if err != nil {
					return err
				}
				for i, j := range c.json {
					v, err := f.convert([]byte(j), c.whole)
					if err != nil {
						app.Close()
						return fmt.Errorf("%s: %w", j, err)
					}
					text, _ := unquote([]byte(j))
					if j[0] != '"' {
						text = j
					}
					if c.minor && c.whole && isInteger(text) {
						text += "00" // what the old path staged for whole-unit currencies
					}
					if err := app.AppendRow(int32(i), text, v); err != nil {
						app.Close()
						return err
					}
				}
				return app.Close()
			})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := e.conn.QueryContext(ctx, fmt.Sprintf(`SELECT text, CAST(v AS VARCHAR), CAST(%s AS VARCHAR),
				v IS NOT DISTINCT FROM %s, v IS NOT DISTINCT FROM %s FROM conv_t ORDER BY i`,
				castExpr(f, "text"), castExpr(f, "text"), castExpr(f, textExpr(f, "v"))))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var text, got, want string
				var same, roundTrip bool
				if err := rows.Scan(&text, &got, &want, &same, &roundTrip); err != nil {
					t.Fatal(err)
				}
				if !same {
					t.Errorf("%q: Go gives %s, DuckDB's CAST %s", text, got, want)
				}
				if !roundTrip {
					t.Errorf("%q: %s does not survive the cache's text", text, got)
				}
			}
		})
	}
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// TestConvertRejectsWhatIsNotANumber: a value that is not of the column's
// type fails the load with the field named, never becomes a number.
func TestConvertRejectsWhatIsNotANumber(t *testing.T) {
	for _, c := range []struct{ typ, json string }{
		{"BIGINT", `"12a"`}, {"BIGINT", `""`}, {"DOUBLE", `"x"`}, {fbtables.Money, `"1.2.3"`},
		{fbtables.Money, `"-"`}, {fbtables.Money, `"99999999999999999999"`}, {"DATE", `"yesterday"`},
		{"BIGINT", `{"a":1}`}, {"BOOLEAN", `"yes"`},
		{fbtables.ActionStatsType, `[{"action_type":"link_click","value":"abc"}]`},
		{fbtables.ActionStatsType, `[{"action_type":"a","value":"1"},{"action_type":"b","7d_click":[1]}]`},
		{fbtables.ActionStatsType, `[{"action_type":"a","1d_view":""}]`},
	} {
		f := stageField{name: "v", apiField: "v", typ: c.typ, conv: convOf(c.typ, false)}
		if v, err := f.convert([]byte(c.json), false); err == nil {
			t.Errorf("%s %s: converted to %v, want an error", c.typ, c.json, v)
		}
	}
}

func mustExec(t *testing.T, e *Engine, q string) {
	t.Helper()
	if _, err := e.conn.ExecContext(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

// TestCanonicalIDRoundTrips: an id is staged as a number exactly when the
// number's text is the id again (the oracle: ParseUint then FormatUint),
// so the stage column's VARCHAR cast never changes an id.
func TestCanonicalIDRoundTrips(t *testing.T) {
	ids := []string{"", "0", "00", "007", "1", "10", "120200000000012345", "-1", "+1", " 1", "1 ", "1.0", "1e3", "12a",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "123456789012345678901", "٣"}
	for _, s := range ids {
		n, ok := canonicalID(s)
		p, err := strconv.ParseUint(s, 10, 64)
		want := err == nil && strconv.FormatUint(p, 10) == s
		if ok != want || (ok && strconv.FormatUint(n, 10) != s) {
			t.Errorf("canonicalID(%q) = %d, %v; want canonical %v", s, n, ok, want)
		}
	}
}

// FuzzActionStats holds the action-stat list reader, the fast path for the
// usual entry (actionStatPlain) and the general one, to an oracle built
// on encoding/json: it accepts exactly the lists of objects that are valid
// JSON and whose numeric keys (every occurrence) hold null, a number or a
// string ParseFloat reads, and it reports an attribution window exactly
// when some entry has a key besides action_type and value.
func FuzzActionStats(f *testing.F) {
	for _, s := range []string{
		`[]`, ` [ ] `, `[{"action_type":"link_click","value":"13"},{"action_type":"post","value":"1.5"}]`,
		`[{"action_type":"a","value":"-0.25"}]`, `[{"action_type":"a","value":"1."}]`, `[{"action_type":"a","value":".5"}]`,
		`[{"action_type":"a","value":"1-2"}]`, `[{"action_type":"a","value":"--1"}]`, `[{"action_type":"a","value":""}]`,
		`[{"action_type":"a","value":"12345678901234567890123"}]`, `[{"action_type":"a","value":"1e5"}]`,
		`[{"action_type":"a\"b","value":"1"}]`, `[{"action_type":"a","value":"1","1d_click":"2"}]`,
		`[{"action_type":"a","value":"1"}`, `[{"action_type":"a","value":"1"]`, `[{"action_type":"a","value":"1"}}]`,
		`[{"action_type":"a","value":"1"},]`, `[{"action_type":"a","value":1}]`, `[{"action_type":"a","value":"x"}]`,
		`[{"action_type":"a","value":"x","value":"1"}]`, `[{"action_type":"a","value":"1" }]`, "[{\"action_type\":\"a\x01\",\"value\":\"1\"}]",
		`[{"value":"1","action_type":"a"}]`, `[{"action_type":"a","value":"1"}] x`, `[{"action_type":"a","value":"1`,
		`[{"action_type":"a","value":1.5e400}]`, `[{"action_type":"a","1d\u005fclick":null}]`, `[{"action_type":"a","value":" 2 "}]`,
		`[{"action_type":"a","value":"0"},{"action_type":"b","value":"0.5"},{"action_type":"c","value":"007"},{"action_type":"d","value":"-0"},{"action_type":"e","value":"12.25"}]`,
		`[ {"action_type":"a","value":"1"} , {"action_type":"b","value":"2","1d_click":"3"},{"action_type":"c","value":"4"} ]`,
		`[{"action_type":"a\u0062","value":"7"},{"action_type":"abcdefghijklmnopqrstuvwxyz","value":"99.01"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			t.Skip("encoding/json rewrites invalid UTF-8; the API sends UTF-8")
		}
		wantOK, wantWindows := actionStatsOracle(b)
		var quoted []int
		at := skipSpace(b, 0)
		end, windows, err := actionStatsEnd(b, at, &quoted)
		if err == nil {
			err = trailing(b, end)
		}
		if (err == nil) != wantOK {
			t.Fatalf("%q: error %v, oracle accepts: %v", b, err, wantOK)
		}
		if err != nil {
			return
		}
		if windows != wantWindows {
			t.Fatalf("%q: windows %v, oracle %v", b, windows, wantWindows)
		}
		if c := compactActionStats(b, at, end, quoted); !sameActionStats(b[at:end], []byte(c)) {
			t.Fatalf("%q compacted to %q", b, c)
		}
	})
}

// sameActionStats reports whether a compacted list (compactActionStats)
// holds what the list did, a value given as a number where the list had it
// as a string of the same text and, after that, the same DOUBLE.
func sameActionStats(list, compact []byte) bool {
	read := func(b []byte) (out []map[string]any) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&out) != nil {
			return nil
		}
		return out
	}
	want, got := read(list), read(compact)
	if want == nil || len(got) != len(want) {
		return false
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for k, w := range want[i] {
			g := got[i][k]
			if n, ok := g.(json.Number); ok && w != g {
				x, _ := strconv.ParseFloat(string(n), 64)
				y, err := strconv.ParseFloat(fmt.Sprint(w), 64)
				if w.(string) != string(n) || err != nil || x != y {
					return false
				}
				continue
			}
			if g != w {
				return false
			}
		}
	}
	return true
}

// actionStatsOracle reads an action-stat list with encoding/json's token
// stream, which sees every member of an object, a repeated key too.
func actionStatsOracle(b []byte) (ok, windows bool) {
	if !json.Valid(b) {
		return false, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, _ := dec.Token(); tok != json.Delim('[') {
		return false, false
	}
	for dec.More() {
		if tok, _ := dec.Token(); tok != json.Delim('{') {
			return false, false
		}
		for dec.More() {
			tok, _ := dec.Token()
			key := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return false, false
			}
			windows = windows || key != "action_type" && key != "value"
			if !isActionStatNumber([]byte(key)) {
				continue
			}
			text := string(raw)
			switch raw[0] {
			case 'n':
				continue
			case '"':
				json.Unmarshal(raw, &text)
				text = strings.TrimSpace(text)
			case '{', '[', 't', 'f':
				return false, false
			}
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				return false, false
			}
		}
		dec.Token() // '}'
	}
	return true, windows
}

// TestActionListCacheTextRoundTrips: an action list, typed in the stage,
// is kept in the cache as textExpr's text and served through castExpr; the
// served list must equal the one read_json-style from_json gave from the
// API's text (the oracle), windows, nulls, escapes and extreme numbers too.
func TestActionListCacheTextRoundTrips(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Config{Graph: graph.Config{BaseURL: "http://127.0.0.1:1", Token: "unused"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	f := stageField{name: "v", apiField: "v", typ: fbtables.ActionStatsType, conv: convOf(fbtables.ActionStatsType, false)}
	lists := []string{
		`[{"action_type":"link_click","value":"12"}]`,
		`[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"0.30000000000000004","1d_click":"1.5","7d_view":"2"}]`,
		`[{"action_type":"a\"b\\c\u00e9","value":"18446744073709551616"},{"action_type":"x","value":"-0"}]`,
		`[{"action_type":"t","value":"1e-300","28d_click":"9007199254740993"}]`,
		`[{"action_type":"t"}]`,
		`[]`,
	}
	var vals []string
	for _, l := range lists {
		vals = append(vals, "("+sqlString(l)+")")
	}
	vals = append(vals, "(NULL)")
	mustExec(t, e, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE rt_api AS SELECT api, %s AS v FROM (VALUES %s) t(api)", castExpr(f, "api"), strings.Join(vals, ", ")))
	if got := mustInt(t, e, "SELECT count(*) FROM rt_api WHERE v IS NOT NULL"); got != int64(len(lists)) {
		t.Fatalf("%d lists parsed, want %d", got, len(lists))
	}
	served := castExpr(f, textExpr(f, "v"))
	bad := mustInt(t, e, fmt.Sprintf("SELECT count(*) FROM rt_api WHERE %s IS DISTINCT FROM v", served))
	if bad != 0 {
		var api, text string
		e.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT api, %s FROM rt_api WHERE %s IS DISTINCT FROM v LIMIT 1", textExpr(f, "v"), served)).Scan(&api, &text)
		t.Fatalf("%d lists change through the cache's text, e.g. %s → %s", bad, api, text)
	}
}

func mustInt(t *testing.T, e *Engine, q string) int64 {
	t.Helper()
	var n int64
	if err := e.conn.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
