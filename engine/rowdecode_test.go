package engine

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzScanObject checks the one-pass object scanner against encoding/json:
// for any input both accept, they agree on every member; anything
// encoding/json rejects as an object, scanObject rejects too.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : "b" } `, `{"spend":"12.5","actions":[{"action_type":"link_click","value":"3"}],"x":null}`,
		`{"k\\"ey":"v\\u00e9\\n","n":-1.5e3,"t":true,"o":{"a":[1,{"b":"}"}]}}`, `{"a":"b",}`, `{"a"}`, `{"a":tru}`,
		`{"a":[1,2}`, `{"a":"b"} x`, `[1]`, `{"a":"\\"}`, `{"a":01}`,
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
