package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawReply is a reply that may not be JSON, or may not have arrived.
type rawReply struct {
	err    error
	status int
	ctype  string
	raw    []byte
}

// send sends method path?q (a form body for POST) on a fresh connection, so a
// dropped connection is seen by the test instead of retried by the
// transport.
func (f *fixture) send(method, path string, q url.Values, timeout time.Duration) rawReply {
	var body io.Reader
	u := f.http.URL + path
	if method == http.MethodPost {
		body = strings.NewReader(q.Encode())
	} else if q != nil {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Authorization", "Bearer sandbox-token")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err != nil {
		return rawReply{err: err}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return rawReply{err: err, status: res.StatusCode, ctype: res.Header.Get("Content-Type"), raw: raw}
}

// errorOf decodes an error body, or nil.
func errorOf(raw []byte) map[string]any {
	var b map[string]any
	_ = json.Unmarshal(raw, &b)
	e, _ := b["error"].(map[string]any)
	return e
}

func TestEachFaultKind(t *testing.T) {
	ref := newFixture(t, Config{})
	acct := ref.acct
	ins := "/v25.0/act_" + acct + "/insights"
	page2 := url.Values{"limit": {"2"}, "level": {"campaign"}, "after": {encodeCursor(1)}}
	isErr := func(status, code, subcode int, transient bool) func(*testing.T, rawReply) {
		return func(t *testing.T, r rawReply) {
			e := errorOf(r.raw)
			if r.err != nil || r.status != status || e == nil || e["code"] != float64(code) ||
				(subcode != 0 && e["error_subcode"] != float64(subcode)) || (e["is_transient"] == true) != transient {
				t.Fatalf("want HTTP %d error %d/%d transient=%v, got %v %d %s", status, code, subcode, transient, r.err, r.status, r.raw)
			}
		}
	}
	cases := []struct {
		kind   FaultKind
		method string
		path   string
		q      url.Values
		check  func(*testing.T, rawReply)
	}{
		{FaultHTTP500, "GET", ins, nil, isErr(500, 1, 99, true)},
		{FaultHTTP502, "GET", ins, nil, func(t *testing.T, r rawReply) {
			if r.status != 502 || !strings.HasPrefix(r.ctype, "text/html") || !bytes.Contains(r.raw, []byte("502 Bad Gateway")) {
				t.Fatalf("%d %s %s", r.status, r.ctype, r.raw)
			}
		}},
		{FaultHTTP503, "GET", ins, nil, isErr(503, 2, 0, true)},
		{FaultReset, "GET", ins, nil, func(t *testing.T, r rawReply) {
			if r.err == nil {
				t.Fatalf("want a connection error, got %d %s", r.status, r.raw)
			}
		}},
		{FaultTimeout, "GET", ins, nil, func(t *testing.T, r rawReply) {
			if r.err == nil || !strings.Contains(r.err.Error(), "Timeout") {
				t.Fatalf("want a client timeout, got %v %d", r.err, r.status)
			}
		}},
		{FaultTruncated, "GET", ins, page2, func(t *testing.T, r rawReply) {
			full := ref.send("GET", ins, page2, 0)
			if r.status != 200 || json.Valid(r.raw) || len(r.raw) == 0 || !bytes.HasPrefix(full.raw, r.raw) {
				t.Fatalf("want a prefix of %s, got %d %s", full.raw, r.status, r.raw)
			}
		}},
		{FaultNotJSON, "GET", "/v25.0/act_" + acct, nil, func(t *testing.T, r rawReply) {
			if r.status != 200 || !strings.HasPrefix(r.ctype, "text/html") || !bytes.HasPrefix(r.raw, []byte("<!DOCTYPE html>")) {
				t.Fatalf("%d %s %s", r.status, r.ctype, r.raw)
			}
		}},
		{FaultError200, "GET", ins, nil, isErr(200, 2, 1504043, true)},
		{FaultEmptyPage, "GET", ins, page2, func(t *testing.T, r rawReply) {
			var b struct {
				Data   []any
				Paging struct{ Next string }
			}
			if err := json.Unmarshal(r.raw, &b); err != nil || r.status != 200 || len(b.Data) != 0 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if want := ref.http.URL + ins + "?" + page2.Encode(); !sameURL(b.Paging.Next, want) {
				t.Fatalf("next = %s, want the same request %s", b.Paging.Next, want)
			}
		}},
		{FaultBadCursor, "GET", ins, page2, isErr(400, 2642, 0, false)},
		{FaultThrottle, "GET", ins, nil, isErr(400, 80000, 2446079, false)},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			f := newFixture(t, Config{Faults: Faults{Seed: 1, Rate: 1, Kinds: []FaultKind{tc.kind}}})
			timeout := 5 * time.Second
			if tc.kind == FaultTimeout {
				timeout = 200 * time.Millisecond
			}
			start := time.Now()
			tc.check(t, f.send(tc.method, tc.path, tc.q, timeout))
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if n := f.srv.Stats().FaultsInjected; n != 1 {
				t.Errorf("FaultsInjected = %d", n)
			}
		})
	}
	for _, tc := range []struct {
		kind   FaultKind
		status string
		code   any
	}{{FaultJobFailed, "Job Failed", -2.0}, {FaultJobSkipped, "Job Skipped", nil}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			f := newFixture(t, Config{Faults: Faults{Seed: 1, Rate: 1, Kinds: []FaultKind{tc.kind}}})
			id := f.createRun(t, ins, nil)
			status, pct, body := f.poll(t, id)
			if status != tc.status || pct != 100 || body["error_code"] != tc.code {
				t.Fatalf("%s %d %v", status, pct, body)
			}
			if tc.code != nil && body["error_subcode"] != 2490547.0 {
				t.Fatalf("error_subcode %v", body["error_subcode"])
			}
			if st := f.srv.Stats(); st.FaultsInjected != 1 || st.JobsFailed != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func sameURL(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Path == ub.Path && ua.Query().Encode() == ub.Query().Encode()
}

// symptom summarises a reply for comparing fault sequences.
func symptom(r rawReply) string {
	if r.err != nil {
		return "conn error"
	}
	if e := errorOf(r.raw); e != nil {
		return fmt.Sprintf("%d error %v", r.status, e["code"])
	}
	if !json.Valid(r.raw) {
		return fmt.Sprintf("%d not JSON", r.status)
	}
	if bytes.HasPrefix(r.raw, []byte(`{"data":[],`)) {
		return "empty page"
	}
	return fmt.Sprint(r.status)
}

// fastKinds are all kinds but the timeout, which would hold a request.
var fastKinds = []FaultKind{FaultHTTP500, FaultHTTP502, FaultHTTP503, FaultReset, FaultTruncated, FaultNotJSON,
	FaultError200, FaultEmptyPage, FaultBadCursor, FaultThrottle}

func TestFaultSequenceIsReproducible(t *testing.T) {
	run := func(seed int64) []string {
		f := newFixture(t, Config{Faults: Faults{Seed: seed, Rate: 0.5, Kinds: fastKinds}})
		var out []string
		for i := range 40 {
			q := url.Values{"limit": {"2"}, "level": {"ad"}, "after": {encodeCursor(i)}}
			out = append(out, symptom(f.send("GET", "/v25.0/act_"+f.acct+"/insights", q, 5*time.Second)))
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("different seeds, same faults: %v", a)
	}
	kinds := map[string]bool{}
	for _, s := range a {
		kinds[s] = true
	}
	if !kinds["200"] || len(kinds) < 5 {
		t.Errorf("want successes and several symptoms at rate 0.5, got %v", kinds)
	}
}

func TestRetryAfterFaultSucceeds(t *testing.T) {
	ref := newFixture(t, Config{})
	f := newFixture(t, Config{Faults: Faults{Seed: 3, Rate: 0.5, Kinds: fastKinds}})
	ins := "/v25.0/act_" + f.acct + "/insights"
	faulted := 0
	for i := range 20 {
		q := url.Values{"limit": {"3"}, "level": {"ad"}, "time_increment": {"1"}, "after": {encodeCursor(i * 3)}}
		// The paging links name the host, which differs between the two servers.
		want := bytes.ReplaceAll(ref.send("GET", ins, q, 0).raw, []byte(ref.http.URL), []byte(f.http.URL))
		for try := 0; ; try++ {
			r := f.send("GET", ins, q, 5*time.Second)
			if r.err == nil && r.status == 200 && bytes.Equal(r.raw, want) {
				break
			}
			faulted++
			if try == 10 {
				t.Fatalf("request %d still failing after %d retries: %s", i, try, symptom(r))
			}
		}
	}
	if faulted == 0 || f.srv.Stats().FaultsInjected != faulted {
		t.Errorf("faulted %d times, FaultsInjected %d", faulted, f.srv.Stats().FaultsInjected)
	}
	// Report runs: a failed job is retried by creating another.
	g := newFixture(t, Config{Faults: Faults{Seed: 3, Rate: 0.5, Kinds: []FaultKind{FaultJobFailed, FaultJobSkipped}}})
	for try := 0; ; try++ {
		id := g.createRun(t, ins, nil)
		if status, _, _ := g.poll(t, id); status == "Job Completed" {
			break
		}
		if try == 10 {
			t.Fatal("every report run failed")
		}
	}
}
