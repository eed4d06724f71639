package engine

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// FuzzScanObject checks the one-pass object scanner against encoding/json:
// for any input both accept, they agree on every member; anything
// encoding/json rejects as an object, scanObject rejects too.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : "b" } `, `{"spend":"12.5","actions":[{"action_type":"link_click","value":"3"}],"x":null}`,
		`{"k\\"ey":"v\\u00e9\\n","n":-1.5e3,"t":true,"o":{"a":[1,{"b":"}"}]}}`, `{"a":"b",}`, `{"a"}`, `{"a":tru}`,
		`{"a":[1,2}`, `{"a":"b"} x`, `[1]`, `{"a":"\\"}`, `{"a":01}`,
		// strings longer than the eight-byte stride, with the stop byte at each lane
		`{"abcdefghijklmnop":"0123456789abcdef\"ghij","k":"0123456\u00e9789"}`,
		"{\"abcdefghij\":\"0123456\x01789\"}", "{\"abcdefghij\":\"0123456789\x1f\"}",
		`{"abcdefghijklmnopqrstuvwxyz":"\u00e9\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9\n"}`, `{"abcdefgh":"abcdefg`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			t.Skip("encoding/json rewrites invalid UTF-8; the API sends UTF-8")
		}
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(b, &want)
		got := map[string]json.RawMessage{}
		err := scanObject(b, func(k, v []byte) error {
			got[string(k)] = append(json.RawMessage(nil), v...)
			return nil
		})
		if wantErr == nil && want == nil {
			// null: encoding/json leaves the map as it is; it is not an
			// object, and a row must be one.
			wantErr = errors.New("null is not an object")
		}
		if wantErr != nil {
			if err == nil {
				t.Fatalf("scanObject accepted %q, which encoding/json rejects: %v", b, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("scanObject rejected %q: %v", b, err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("%q: got %v, want %v", b, got, want)
		}
	})
}

// normalize compares values by meaning: encoding/json keeps raw bytes too,
// but duplicate keys keep the last one in both.
func normalize(m map[string]json.RawMessage) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		var x any
		json.Unmarshal(v, &x)
		out[k] = x
	}
	return out
}

// TestStringEndEachLane puts every byte value at every position of the
// eight-byte stride (and past it) and checks where stringEnd stops
// against a byte-at-a-time reading of JSON's string grammar.
func TestStringEndEachLane(t *testing.T) {
	for pos := range 18 {
		for c := range 256 {
			b := []byte(`"` + strings.Repeat("a", pos) + string(rune(0)) + strings.Repeat("b", 9) + `"`)
			b[1+pos] = byte(c)
			end, err := stringEnd(b, 0)
			switch {
			case c == '"':
				if err != nil || end != pos+2 {
					t.Fatalf("%q: got %d, %v; want %d", b, end, err, pos+2)
				}
			case c < 0x20 || c == '\\': // a control, or \b followed by a plain byte: "\b" is an escape
				if c == '\\' {
					if err != nil || end != len(b) {
						t.Fatalf("%q: got %d, %v; want %d (\\b is an escape)", b, end, err, len(b))
					}
					continue
				}
				if err == nil {
					t.Fatalf("%q: control byte %#x accepted", b, c)
				}
			default:
				if err != nil || end != len(b) {
					t.Fatalf("%q: got %d, %v; want %d", b, end, err, len(b))
				}
			}
		}
	}
}

// TestDecoderReuseMatchesFresh: a decoder remembers the previous row (key
// order, raw values and their conversions); a run of rows with repeats,
// reordered keys, nulls and absent keys must decode as each row does with
// a decoder that has seen nothing.
func TestDecoderReuseMatchesFresh(t *testing.T) {
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "ad_id", "date_start", "country", "impressions", "spend", "ctr", "actions"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	rows := []string{
		`{"account_id":"1","ad_id":"10","date_start":"2025-06-01","country":"US","impressions":"5","spend":"1.25","ctr":"0.5","actions":[{"action_type":"a","value":"1"}]}`,
		`{"account_id":"1","ad_id":"10","date_start":"2025-06-01","country":"US","impressions":"5","spend":"1.25","ctr":"0.5","actions":[{"action_type":"a","value":"1"}]}`,
		`{"account_id":"1","ad_id":"11","date_start":"2025-06-02","country":"GB","impressions":"7","spend":"1.5","ctr":"0.25"}`,
		`{"country":"GB","ad_id":"11","account_id":"1","spend":null,"date_start":"2025-06-02","impressions":"5","extra":{"x":[1]}}`,
		`{"account_id":"2","ad_id":"10","date_start":"2025-06-01","country":"U\u0053","impressions":5,"spend":"1.250","ctr":"0.5","actions":[]}`,
		`{"account_id":"1","ad_id":"10","spend":"2","spend":null,"country":null,"country":"GB"}`,
		`{"ad_id":"12"}`, `{"ad_id":"1\u0032"}`, `{"ad_id":12}`, `{"ad_id":"12"}`, `{"ad_id":"{}"}`, `{"ad_id":{}}`, `{"ad_id":"{}"}`,
		`{"account_id":"1","ad_id":"10","date_start":"2025-06-01","country":"US","impressions":"5","spend":"1.25","ctr":"0.5","actions":[{"action_type":"a","value":"1"}]}`,
		// a key or value that begins as the previous row's does, and the
		// same ones written with spaces or escapes
		`{"account_id":"1","ad_id":"100","date_start":"2025-06-02","country":"USA","impressions":"55","spend":"1.255"}`,
		`{"account_id" :"1","ad_id": "100","date_start":"2025-06-01","country":"US"}`,
		`{"account_id":"1","ad_id":"10","ad_idx":"7","country":"US","countryy":"GB"}`,
		`{"acc\u006funt_id":"1","ad_id":"1\u0030","country":"U\u0053"}`,
		`{"account_id":"1","ad_id":"10","country":null}`, `{"account_id":"1","ad_id":"10","country":"US"}`,
		`{"account_id":"1","ad_id":"10","country":"US","impressions":"5"}`, `{"account_id":"1","ad_id":"10","country":"US","impressions":5}`,
		`{"account_id":"1","ad_id":"10","country":"US","impressions":"5"}`,
	}
	// past maxSeen distinct ids the remembered values are dropped and
	// gathered again; ids seen before that must still decode as themselves
	for i := range maxSeen + 10 {
		rows = append(rows, fmt.Sprintf(`{"account_id":"1","ad_id":"%d","country":"C%d"}`, i%(maxSeen+5), i%7))
	}
	reused := newDecoder(stageFields(sc), false)
	for _, r := range rows {
		got := make([]driver.Value, len(sc.Columns))
		want := make([]driver.Value, len(sc.Columns))
		if err := reused.decode([]byte(r), got); err != nil {
			t.Fatal(err)
		}
		if err := newDecoder(stageFields(sc), false).decode([]byte(r), want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\ngot  %v\nwant %v", r, got, want)
		}
	}
}

// TestDecoderDuplicateKeysLastWins: a key given twice keeps its last value,
// null included, as encoding/json reads it (the oracle: the row re-encoded
// by encoding/json, each key once).
func TestDecoderDuplicateKeysLastWins(t *testing.T) {
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"ad_id", "country", "spend", "actions"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	for _, r := range []string{
		`{"ad_id":"1","spend":"2","spend":null,"country":null,"country":"GB"}`,
		`{"actions":[{"action_type":"a","value":"1"}],"actions":null,"ad_id":"1","ad_id":"2"}`,
		`{"actions":null,"actions":[{"action_type":"a","value":"1"}],"spend":null,"spend":"3.5"}`,
	} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r), &m); err != nil {
			t.Fatal(err)
		}
		once, _ := json.Marshal(m)
		got := make([]driver.Value, len(sc.Columns))
		want := make([]driver.Value, len(sc.Columns))
		if err := newDecoder(stageFields(sc), false).decode([]byte(r), got); err != nil {
			t.Fatal(err)
		}
		if err := newDecoder(stageFields(sc), false).decode(once, want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %v\nwant %v (from %s)", r, got, want, once)
		}
	}
}

// FuzzDecoderReuse: a decoder that has decoded one row decodes the next as
// a fresh decoder does (the same values, or both an error): the previous
// row's keys and values it remembers never change an answer.
func FuzzDecoderReuse(f *testing.F) {
	f.Add([]byte(`{"account_id":"1","ad_id":"10","country":"US","impressions":"5"}`), []byte(`{"account_id":"1","ad_id":"100","country":"US","impressions":5}`))
	f.Add([]byte(`{"ad_id":"10","spend":"1.25"}`), []byte(`{"ad_id" : "10","spend":"1.25"x}`))
	f.Add([]byte(`{"ad_id":"1\u0030","country":"US"}`), []byte(`{"ad\u005fid":"10","country":"U"}`))
	f.Add([]byte(`{"date_start":"2025-06-01","actions":[{"action_type":"a","value":"1"}]}`), []byte(`{"date_start":"2025-06-01","actions":[{"action_type":"a","value":"x"}]}`))
	// a key missing from one row, present in the next, and keys reordered
	f.Add([]byte(`{"ad_id":"10","country":"US","impressions":"5"}`), []byte(`{"ad_id":"10","actions":[],"country":"GB","impressions":"6"}`))
	f.Add([]byte(`{"ad_id":"10","actions":[],"country":"US","impressions":"5"}`), []byte(`{"ad_id":"11","country":"GB","impressions":"6"}`))
	f.Add([]byte(`{"ad_id":"10","country":"US","impressions":"5"}`), []byte(`{"impressions":"6","country":"GB","ad_id":"11","country":"DE"}`))
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "ad_id", "date_start", "country", "impressions", "spend", "actions"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		reused := newDecoder(stageFields(sc), false)
		got := make([]driver.Value, len(sc.Columns))
		reused.decode(first, got)
		gotErr := reused.decode(second, got)
		want := make([]driver.Value, len(sc.Columns))
		wantErr := newDecoder(stageFields(sc), false).decode(second, want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("after %q, %q: error %v, fresh %v", first, second, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("after %q, %q:\ngot  %v\nwant %v", first, second, got, want)
		}
	})
}
