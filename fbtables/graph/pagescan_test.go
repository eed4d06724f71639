package graph

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzScanPageRowsChecked holds the delimiting scan (Config.CallerChecksRows) to the full one:
// where the full scan accepts a body, the delimiting scan finds the same members and rows;
// where it rejects one, the delimiting scan rejects it too or hands over a row that is not
// valid JSON, which the caller's own check rejects. So a caller that checks each row loses
// nothing, and a cut-off body is still refused by the scan (and retried).
func FuzzScanPageRowsChecked(f *testing.F) {
	for _, seed := range decodeSeeds {
		f.Add([]byte(seed))
	}
	for _, seed := range []string{
		`{"data":[{"a":"b"} {"c":1}]}`, `{"data":[{"a":]}]}`, `{"data":[{"a":"b"}`, `{"data":[{"a":"\u00"}]}`,
		`{"data":[1 2, "x" "y", tru, {"a":[1,2}]}`, `{"data":[,]}`, `{"data":[{"a":"b"],"paging":{}}`,
		`{"data":[{"a":"b","c":{"d":[1,{"e":"}]"}]}}],"paging":{"next":"x"}}`, `{"data":[{"a":"0123456789abcdef\"]"}]}`,
		"{\"data\":[{\"a\":\"0123456789\x01abcdef\"}]}", `{"data":[]]}`, `{"data":[{}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		full, fullErr := scanPage(body, false)
		del, delErr := scanPage(body, true)
		if delErr == nil {
			for _, r := range del.rows {
				if !utf8.Valid(r) {
					t.Fatalf("%q: row %q is not UTF-8", body, r)
				}
			}
		}
		if fullErr == nil {
			if delErr != nil {
				t.Fatalf("%q: the delimiting scan rejected a body the full scan accepts: %v", body, delErr)
			}
			if !reflect.DeepEqual(full, del) {
				t.Fatalf("%q: scans differ:\nfull %+v\ndelimiting %+v", body, full, del)
			}
			return
		}
		if delErr != nil {
			return
		}
		for _, r := range del.rows {
			if !json.Valid(r) {
				return // the caller's check rejects it
			}
		}
		t.Fatalf("%q: the full scan rejects it (%v) but the delimiting scan accepts it with valid rows %q", body, fullErr, del.rows)
	})
}
