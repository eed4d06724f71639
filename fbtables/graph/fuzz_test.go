package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzStatuses are the HTTP statuses a fuzzed answer is sent with.
var fuzzStatuses = []int{200, 200, 200, 400, 403, 429, 500, 502, 503, 302, 204}

// FuzzDecodePage sends arbitrary bytes as the body of every answer to Get and GetObject. The
// client must not panic, must not loop (every answer is the same, so a next link can only
// repeat a page), and must either succeed with exactly the rows of the data array or fail with
// an error free of the token.
//
// The seed corpus (and testdata/fuzz/FuzzDecodePage) runs in a plain `go test`;
// `go test ./fbtables/graph -run '^$' -fuzz FuzzDecodePage -fuzztime 20s` explores further.
func FuzzDecodePage(f *testing.F) {
	var answer atomic.Pointer[fuzzAnswer]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answer.Load()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Business-Use-Case-Usage", `{"1":[{"estimated_time_to_regain_access":0}]}`)
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
	f.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Token: canary, AppSecret: appSecret, MaxRetries: 2,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range decodeSeeds {
		f.Add([]byte(seed), uint8(0))
	}
	f.Add([]byte(`{"error":{"message":"x","code":4}}`), uint8(5))
	f.Add([]byte(`<html>502</html>`), uint8(7))
	f.Add([]byte(``), uint8(10))
	f.Fuzz(func(t *testing.T, body []byte, status uint8) {
		answer.Store(&fuzzAnswer{status: fuzzStatuses[int(status)%len(fuzzStatuses)], body: body})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		var rows []json.RawMessage
		err := c.Get(ctx, "act_1/insights", Params{"fields": []string{"spend"}}, func(row json.RawMessage) error {
			rows = append(rows, row)
			return nil
		})
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get did not finish: %v", err)
		}
		if err == nil {
			checkRows(t, body, rows)
		} else {
			checkErr(t, err)
		}

		// The same page read in place by a PageReader: the same rows or the same failure.
		pages := &refPages{}
		perr := c.GetRows(ctx, "act_1/insights", Params{"fields": []string{"spend"}}, Rows{Pages: pages})
		if (err == nil) != (perr == nil) || len(pages.pending) > 0 {
			t.Fatalf("Get: %v; GetRows: %v (rows left pending: %d)", err, perr, len(pages.pending))
		}
		if got, want := fmt.Sprint(pages.kept), fmt.Sprint(rawStrings(rows)); err == nil && got != want {
			t.Fatalf("GetRows kept %s, Get delivered %s", got, want)
		}

		var obj map[string]any
		err = c.GetObject(ctx, "act_1", nil, &obj)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GetObject did not finish: %v", err)
		}
		if err != nil {
			checkErr(t, err)
		} else if !json.Valid(body) {
			t.Fatalf("GetObject accepted a body that is not JSON: %q", body)
		}
	})
}

func rawStrings(rows []json.RawMessage) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = string(r)
	}
	return out
}

type fuzzAnswer struct {
	status int
	body   []byte
}

// checkRows: a successful Get read one page without a next, and delivered its data array.
// The body is read as JSON means it: member names compare exactly (a map, not a struct field,
// which would match "Paging" too) and a name given twice keeps its last value.
func checkRows(t *testing.T, body []byte, rows []json.RawMessage) {
	t.Helper()
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("Get succeeded on a body that is not a JSON object: %v\n%q", err, body)
	}
	var data []json.RawMessage
	if err := json.Unmarshal(env["data"], &data); err != nil || data == nil {
		t.Fatalf("Get succeeded on a body without a data array: %q", body)
	}
	var paging map[string]json.RawMessage
	if raw, ok := env["paging"]; ok {
		if err := json.Unmarshal(raw, &paging); err != nil {
			t.Fatalf("Get succeeded on a paging value that is not an object: %q", body)
		}
	}
	if next, ok := paging["next"]; ok && string(next) != "null" && string(next) != `""` {
		t.Fatalf("Get succeeded though every page names a next page: %q", body)
	}
	if len(rows) != len(data) {
		t.Fatalf("Get delivered %d rows of a %d-row page", len(rows), len(data))
	}
	for i, r := range rows {
		want := data[i]
		if !utf8.Valid(want) {
			want = []byte(strings.ToValidUTF8(string(want), "\uFFFD"))
		}
		if !bytes.Equal(r, want) || !json.Valid(r) || !utf8.Valid(r) {
			t.Fatalf("row %d = %q, want %q", i, r, want)
		}
	}
}

// checkErr: an error says something and holds neither secret.
func checkErr(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatal("empty error message")
	}
	if leak := leaked(msg); leak != "" {
		t.Fatalf("error leaks the %s: %s", leak, msg)
	}
}

// decodeSeeds are bodies real and broken servers send.
var decodeSeeds = []string{
	`{"data":[{"spend":"1.5","date_start":"2026-01-01"}],"paging":{"cursors":{"before":"a","after":"b"}}}`,
	`{"data":[]}`,
	`{"data":[],"paging":{"next":"https://graph.facebook.com/v25.0/act_1/insights?after=x&access_token=` + canary + `"}}`,
	`{"data":[{"id":"1"}],"paging":{"next":"http://[::1"}}`,
	`{"data":[{"id":"1"}],"paging":{"next":"/relative?after=1"}}`,
	`{"data":null}`, `{"data":{}}`, `{"data":"x"}`, `{"data":[1,"a",null,[],{}]}`, `[]`, `null`, `"x"`, `1e999`,
	`{"id":"act_1","amount_spent":123456789012345678901234567890}`,
	`{"error":{"message":"(#100) Tried accessing nonexisting field","type":"OAuthException","code":100,"fbtrace_id":"A"}}`,
	`{"error":{"message":"Invalid OAuth access token ` + canary + `","code":190}}`,
	`{"error":{"code":"613","error_subcode":"1487742","is_transient":true}}`,
	`{"error":{"code":2,"error_subcode":1504043,"is_transient":true,"message":"Intermittent"}}`,
	`{"error":"a string"}`, `{"error":null,"data":[]}`, `{"error":[1,2]}`, `{"error":{"code":1e99}}`,
	`{"data":[{"spend":"1"}`, `{"da`, `<!DOCTYPE html><html>Sorry, something went wrong.</html>`,
	"\xef\xbb\xbf{\"data\":[]}", "{\"data\":[\"\xff\"]}", ` {"data":[]} trailing`, `{"data":[]}{"data":[]}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"data":[` + strings.Repeat(`{"a":1},`, 1000) + `{"a":1}]}`,
}
