package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// refPages is a PageReader that checks each row with encoding/json, as a real reader checks
// its rows' grammar, and keeps what a kept page held.
type refPages struct {
	kept    []string
	pending []string
	reads   int // ReadRow calls that read a row
	drops   int // DropPage calls that forgot at least one row
}

func (r *refPages) ReadRow(page []byte, at int) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(page[at:]))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return 0, fmt.Errorf("bad row: %w", err)
	}
	end := at + int(dec.InputOffset())
	r.pending = append(r.pending, string(page[at:end]))
	r.reads++
	return end, nil
}

func (r *refPages) KeepPage(context.Context) error {
	r.kept = append(r.kept, r.pending...)
	r.pending = r.pending[:0]
	return nil
}

func (r *refPages) DropPage() {
	if len(r.pending) > 0 {
		r.drops++
	}
	r.pending = r.pending[:0]
}

// readBoth reads act_1/insights with Each and then with Pages, on the same server; before
// each read it calls arm.
func readBoth(t *testing.T, c *Client, arm func()) (each []string, eachErr error, pages *refPages, pagesErr error) {
	t.Helper()
	ctx := context.Background()
	arm()
	eachErr = c.Get(ctx, "act_1/insights", Params{"fields": []string{"spend"}}, func(row json.RawMessage) error {
		if !json.Valid(row) { // the client's CallerChecksRows: the callback checks a row
			return fmt.Errorf("bad row %s", row)
		}
		each = append(each, string(row))
		return nil
	})
	pages = &refPages{}
	arm()
	pagesErr = c.GetRows(ctx, "act_1/insights", Params{"fields": []string{"spend"}}, Rows{Pages: pages})
	if len(pages.pending) > 0 {
		t.Errorf("GetRows returned with rows neither kept nor dropped: %q", pages.pending)
	}
	return each, eachErr, pages, pagesErr
}

// TestPageReaderMatchesEach: rows read in place during the scan reach the reader exactly as
// Get delivers them, over pages whose first answer is hostile in a way found only after the
// rows were read. The oracle is the Each path, which checks the whole page before it
// delivers a row.
func TestPageReaderMatchesEach(t *testing.T) {
	transient := `"error":{"message":"An unexpected error has occurred. Please retry your request later.","code":2,"is_transient":true}`
	tests := []struct {
		name    string
		first   string // the first answer to the page after c2 ("" = none hostile)
		status  int
		wantErr string // "" = both succeed
		drops   bool   // the page reader must have dropped rows it read
		// Get delivered this many rows of the failing page before the bad one; a page
		// reader keeps no row of a page that fails
		partial int
	}{
		{name: "no fault"},
		{name: "cut off after a row", first: `{"data":[{"spend":"3"},{"spe`, status: 200, drops: true},
		{name: "error member after the rows", first: `{"data":[{"spend":"3"}],` + transient + `}`, status: 200, drops: true},
		{name: "error status after the rows", first: `{"data":[{"spend":"3"}]}`, status: 500},
		{name: "bytes after the object", first: `{"data":[{"spend":"3"}]} <html>`, status: 200, drops: true},
		{name: "data given twice: the last counts", first: `{"data":[{"spend":"9"}],"data":[{"spend":"3"}]}`, status: 200, drops: true},
		{name: "invalid UTF-8 becomes U+FFFD", first: "{\"data\":[{\"spend\":\"3\xff\"}]}", status: 200},
		{name: "bad paging after the rows", first: `{"data":[{"spend":"3"}],"paging":7}`, status: 200, wantErr: "decode paging", drops: true},
		{name: "a malformed row", first: `{"data":[{"spend":"3"},{"spend" "4"}]}`, status: 200, wantErr: "bad row", partial: 1},
		{name: "rows of an earlier page under a new cursor", first: `{"data":[{"spend":"1"},{"spend":"2"}]}`, status: 200, wantErr: "repeated the rows", drops: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *fakeGraph
			var hostile atomic.Bool // the next answer after c2 is tt.first: once per read
			f = newFakeGraph(t, pagedHandler(func() string { return f.URL }, func(w http.ResponseWriter, after string, n int) bool {
				if after != "c2" || tt.first == "" || !hostile.Swap(false) {
					return false
				}
				writeJSON(w, tt.status, tt.first)
				return true
			}))
			c, _ := newTestClient(t, f.URL, func(c *Config) { c.CallerChecksRows = true })
			each, eachErr, pages, pagesErr := readBoth(t, c, func() { hostile.Store(true) })
			if (eachErr == nil) != (pagesErr == nil) {
				t.Fatalf("Get: %v; GetRows: %v", eachErr, pagesErr)
			}
			if tt.wantErr == "" && pagesErr != nil || tt.wantErr != "" && (pagesErr == nil || !strings.Contains(pagesErr.Error(), tt.wantErr)) {
				t.Fatalf("GetRows: %v, want %q", pagesErr, tt.wantErr)
			}
			if got, want := strings.Join(pages.kept, ","), strings.Join(each[:len(each)-tt.partial], ","); got != want {
				t.Errorf("kept rows %s, want Get's %s", got, want)
			}
			if tt.drops && pages.drops == 0 {
				t.Errorf("no rows were dropped: the hostile page was not read in place (%d reads)", pages.reads)
			}
		})
	}
}
