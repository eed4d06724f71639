package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// TestRefusesRedirects: a redirect (here to another host on loopback) is never followed, so
// the token cannot travel to it and its rows are never used; it is not retried either.
func TestRefusesRedirects(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		writeJSON(w, 200, `{"data":[{"id":"stolen"}]}`)
	}))
	t.Cleanup(other.Close)
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	})
	c, _ := newTestClient(t, f.URL)
	err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { return nil })
	if !errors.Is(err, ErrRedirect) || !strings.Contains(err.Error(), "refuses to follow") {
		t.Errorf("err = %v, want a refused redirect", err)
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("made %d requests, want 1 (a redirect is not retried)", n)
	}
}

// TestStatedWaitIsCapped: a throttle asking for 100,000 minutes fails at once, naming the
// account and the time access returns, instead of sleeping for 69 days.
func TestStatedWaitIsCapped(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("X-Business-Use-Case-Usage", `{"123":[{"type":"ads_insights","call_count":100,"estimated_time_to_regain_access":100000}]}`)
		writeJSON(w, 400, `{"error":{"message":"(#80000) There have been too many calls from this ad-account.","code":80000,"error_subcode":2446079}}`)
	})
	var notices []string
	c, s := newTestClient(t, f.URL, func(cfg *Config) { cfg.Notice = func(m string) { notices = append(notices, m) } })
	err := c.GetObject(context.Background(), "act_123/insights", nil, nil)
	var te *ThrottledError
	if !errors.As(err, &te) || te.Account != "act_123" || !strings.Contains(err.Error(), "act_123 throttled until ") {
		t.Fatalf("err = %v, want act_123 throttled until …", err)
	}
	if d := time.Until(te.Until); d < 99990*time.Minute || d > 100001*time.Minute {
		t.Errorf("until is %v away, want the stated 100000 minutes", d)
	}
	if len(s.got()) != 0 || len(f.requests()) != 1 || len(notices) != 0 {
		t.Errorf("sleeps %v, requests %d, notices %q; want none, 1, none", s.got(), len(f.requests()), notices)
	}

	// Within the cap the wait is honoured, with a notice first.
	c2, s2 := newTestClient(t, f.URL, func(cfg *Config) {
		cfg.MaxWait = 200000 * time.Minute
		cfg.MaxRetries = 1
		cfg.Notice = func(m string) { notices = append(notices, m) }
	})
	c2.GetObject(context.Background(), "act_123/insights", nil, nil)
	if got := s2.got(); len(got) != 1 || got[0] != 100000*time.Minute {
		t.Errorf("sleeps %v, want the stated wait once", got)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "waiting 1666h40m0s") {
		t.Errorf("notices %q, want one naming the wait", notices)
	}
}

// TestShortWaitsHaveNoNotice: backoffs under NoticeAfter stay quiet.
func TestShortWaitsHaveNoNotice(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 500, `{"error":{"message":"An unknown error occurred","code":1}}`)
	})
	var notices []string
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxRetries = 2; cfg.Notice = func(m string) { notices = append(notices, m) } })
	c.GetObject(context.Background(), "act_1", nil, nil)
	if len(notices) != 0 {
		t.Errorf("notices %q for waits under %v", notices, NoticeAfter)
	}
}

// hang blocks a handler until the client goes away.
func hang(r *http.Request) { <-r.Context().Done() }

// TestStalledBodyIsAbandonedAndRetriedOnce: a body that stops sending is given up after the
// idle timeout and tried once more, not five times.
func TestStalledBodyIsAbandonedAndRetriedOnce(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(200)
		io.WriteString(w, `{"data":[{"id":"1"},`)
		w.(http.Flusher).Flush()
		hang(r)
	})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.IdleTimeout = 100 * time.Millisecond })
	err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no byte received for 100ms") {
		t.Errorf("err = %v, want an idle timeout", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("made %d requests, want 2 (one retry of a stalled body)", n)
	}
}

// TestSlowBodyHasNoOverallLimit: a body that keeps arriving is read to the end however long
// it takes in all, several idle timeouts here.
func TestSlowBodyHasNoOverallLimit(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(200)
		io.WriteString(w, `{"data":[`)
		for i := range 40 {
			fmt.Fprintf(w, `{"id":"%d"},`, i)
			w.(http.Flusher).Flush()
			time.Sleep(25 * time.Millisecond)
		}
		io.WriteString(w, `{"id":"last"}]}`)
	})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.IdleTimeout = 400 * time.Millisecond })
	rows := 0
	if err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { rows++; return nil }); err != nil || rows != 41 {
		t.Errorf("rows %d, err %v; want 41 rows", rows, err)
	}
}

// TestHeaderTimeoutRetriedOnce: a server that never answers costs two header timeouts.
func TestHeaderTimeoutRetriedOnce(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { hang(r) })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 50 * time.Millisecond
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	err := c.GetObject(context.Background(), "act_1", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "timeout awaiting response headers") {
		t.Errorf("err = %v, want a header timeout", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("made %d requests, want 2", n)
	}
}

// gzipBomb is size bytes of zeros gzipped as repeated 1 MiB members: about 1 KiB on the wire
// per MiB unpacked.
func gzipBomb(t testing.TB, size int) []byte {
	var member bytes.Buffer
	zw := gzip.NewWriter(&member)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return bytes.Repeat(member.Bytes(), size>>20)
}

// TestBodyCap: an answer over MaxBody, plain or a gzip bomb, is a TooBig error (ask for less)
// after reading no more than the cap.
func TestBodyCap(t *testing.T) {
	bomb := gzipBomb(t, 1<<30)
	big := `{"data":[{"name":"` + strings.Repeat("x", 50<<20) + `"}]}`
	for name, send := range map[string]func(w http.ResponseWriter){
		"gzip bomb": func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			w.Write(bomb)
		},
		"50 MB string": func(w http.ResponseWriter) { writeJSON(w, 200, big) },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { send(w) })
			c, _ := newTestClient(t, f.URL)
			err := c.Get(context.Background(), "act_1/insights", nil, func(json.RawMessage) error { return nil })
			var ae *APIError
			if !errors.As(err, &ae) || !ae.TooBig() || !strings.Contains(err.Error(), "response larger than") {
				t.Errorf("err = %v, want a TooBig response-too-large error", err)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("made %d requests, want 1", n)
			}
		})
	}
}

// TestBodyCapWithReusedBuffers: bodies are read into reused buffers sized by the last body, which
// may be larger than MaxBody; the cap still holds to the byte, and each body's rows are its own
// whatever a buffer held before.
func TestBodyCapWithReusedBuffers(t *testing.T) {
	const maxBody = 300 << 10
	sized := func(n int, fill string) string { // a page of exactly n bytes
		head, tail := `{"data":[{"name":"`, `"}]}`
		return head + strings.Repeat(fill, n-len(head)-len(tail)) + tail
	}
	answers := []string{sized(250<<10, "a"), sized(maxBody, "b"), sized(maxBody+1, "c"), sized(1000, "d"), sized(maxBody, "e")}
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, answers[n-1]) })
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxBody = maxBody; cfg.MaxRetries = -1 })
	for i, body := range answers {
		var got string
		err := c.Get(context.Background(), "act_1/insights", nil, func(row json.RawMessage) error {
			got = string(row)
			return nil
		})
		if len(body) > maxBody {
			var ae *APIError
			if !errors.As(err, &ae) || !ae.TooBig() {
				t.Errorf("answer %d (%d bytes): err = %v, want TooBig", i, len(body), err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("answer %d (%d bytes): %v", i, len(body), err)
		}
		if want := body[len(`{"data":[`) : len(body)-2]; got != want {
			t.Errorf("answer %d: row of %d bytes starting %.30q, want %d bytes starting %.30q", i, len(got), got, len(want), want)
		}
	}
}

// TestBytesInFlightAreBounded: with one large slot, two large answers are never held at once,
// while small ones pass freely.
func TestBytesInFlightAreBounded(t *testing.T) {
	large := `{"data":[{"name":"` + strings.Repeat("x", 3<<20) + `"}]}`
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, large) })
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxBody = 8 << 20; cfg.MaxBytesInFlight = 8 << 20 })
	var mu sync.Mutex
	holding, most := 0, 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			err := c.Get(context.Background(), "act_1/insights", nil, func(json.RawMessage) error {
				mu.Lock()
				holding++
				most = max(most, holding)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				holding--
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d large answers were held at once, want 1", most)
	}
}

// TestEndlessPagingIsCapped: a server handing out fresh cursors and fresh rows forever is
// stopped at MaxPages; one repeating the same rows under fresh cursors is stopped at once.
func TestEndlessPagingIsCapped(t *testing.T) {
	for _, tt := range []struct {
		name    string
		same    bool
		per     int // rows per page: 2000 makes a page long enough to be fingerprinted in samples
		rows    int
		wantErr string
	}{
		{"fresh rows forever", false, 1, 30, "more than 30 pages"},
		{"the same rows under fresh cursors", true, 1, 1, "repeated the rows of an earlier page"},
		{"fresh long pages forever", false, 2000, 30 * 2000, "more than 30 pages"},
		{"the same long page under fresh cursors", true, 2000, 2000, "repeated the rows of an earlier page"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f *fakeGraph
			f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
				id := n
				if tt.same {
					id = 1
				}
				var rows []string
				for i := range tt.per {
					rows = append(rows, fmt.Sprintf(`{"id":"%d","name":"ad %d"}`, id*10000+i, i))
				}
				writeJSON(w, 200, fmt.Sprintf(`{"data":[%s],"paging":{"next":"%s/v25.0/act_1/ads?after=c%d"}}`, strings.Join(rows, ","), f.URL, n))
			})
			c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxPages = 30 })
			rows := 0
			err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { rows++; return nil })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || rows != tt.rows {
				t.Errorf("rows %d, err %v; want %d rows and %q", rows, err, tt.rows, tt.wantErr)
			}
		})
	}
}

// TestInvalidUTF8BecomesReplacementChar: rows are valid UTF-8, invalid bytes replaced, never
// dropped or turned into a missing value.
func TestInvalidUTF8BecomesReplacementChar(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, "{\"data\":[{\"name\":\"caf\xe9 \xff\xfe\"},{\"name\":\"ok\"}]}")
	})
	c, _ := newTestClient(t, f.URL)
	var names []string
	err := c.Get(context.Background(), "act_1/ads", nil, func(row json.RawMessage) error {
		if !utf8.Valid(row) {
			t.Errorf("row is not UTF-8: %q", row)
		}
		var v struct{ Name string }
		if err := json.Unmarshal(row, &v); err != nil {
			return err
		}
		names = append(names, v.Name)
		return nil
	})
	if err != nil || len(names) != 2 || names[0] != "caf\uFFFD \uFFFD" || names[1] != "ok" {
		t.Errorf("names %q, err %v", names, err)
	}
}
