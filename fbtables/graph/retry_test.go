package graph

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetries(t *testing.T) {
	const (
		ok        = `{"id":"act_1"}`
		transient = `{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"fbtrace_id":"Abc"}}`
		permanent = `{"error":{"message":"(#100) Unsupported get request. Object with ID 'act_9' does not exist","type":"GraphMethodException","code":100,"error_subcode":33}}`
		badToken  = `{"error":{"message":"Error validating access token","type":"OAuthException","code":190}}`
		throttled = `{"error":{"message":"(#80000) There have been too many calls from this ad-account. Wait a bit and try again.","type":"OAuthException","code":80000,"error_subcode":2446079}}`
		userLimit = `{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17,"error_subcode":2446079}}`
		bucHeader = `{"1010035716096012":[{"type":"ads_insights","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":7}],"act_2":[{"type":"ads_management","estimated_time_to_regain_access":2}]}`
	)
	type reply struct {
		status int
		body   string
		buc    string // x-business-use-case-usage header
	}
	tests := []struct {
		name      string
		replies   []reply // the last one repeats
		wantCalls int
		wantErr   string // empty: success
		check     func(t *testing.T, sleeps []time.Duration, err error)
	}{
		{
			name:      "500 then success is retried",
			replies:   []reply{{500, transient, ""}, {200, ok, ""}},
			wantCalls: 2,
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				if len(sleeps) != 1 || sleeps[0] < transientBase/2 || sleeps[0] > transientBase {
					t.Errorf("sleeps = %v, want one backoff of 0.5–1s", sleeps)
				}
			},
		},
		{
			name:      "non-JSON 502 is transient",
			replies:   []reply{{502, "<html>Bad Gateway</html>", ""}, {200, ok, ""}},
			wantCalls: 2,
		},
		{
			name:      "permanent error is not retried",
			replies:   []reply{{400, permanent, ""}},
			wantCalls: 1,
			wantErr:   "graph API error 100 (subcode 33) on act_1: (#100) Unsupported get request.",
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || !apiErr.Permanent() || apiErr.Type != "GraphMethodException" {
					t.Errorf("err = %#v, want a permanent *APIError", err)
				}
			},
		},
		{
			name: "reduce the amount of data (code 1, HTTP 500) is a size answer, not retried",
			replies: []reply{{500, `{"error":{"message":"Please reduce the amount of data you're asking for, then retry your request",` +
				`"type":"OAuthException","code":1,"is_transient":true}}`, ""}},
			wantCalls: 1,
			wantErr:   "reduce the amount of data",
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || !apiErr.TooBig() {
					t.Errorf("err = %v, want a TooBig *APIError", err)
				}
			},
		},
		{
			name: "code 1 with is_transient:false is not retried",
			replies: []reply{{400, `{"error":{"message":"Invalid request","type":"OAuthException","code":1,` +
				`"error_subcode":2853001,"is_transient":false}}`, ""}},
			wantCalls: 1,
			wantErr:   "graph API error 1 (subcode 2853001)",
		},
		{
			name:      "invalid token on a 500 still fails fast",
			replies:   []reply{{500, badToken, ""}},
			wantCalls: 1,
			wantErr:   "graph API error 190 on act_1: Error validating access token",
		},
		{
			name:      "HTTP 200 with an error body is an error",
			replies:   []reply{{200, permanent, ""}},
			wantCalls: 1,
			wantErr:   "graph API error 100 (subcode 33)",
		},
		{
			name:      "truncated 200 is retried",
			replies:   []reply{{200, `{"data":[{"id":"1"`, ""}, {200, ok, ""}},
			wantCalls: 2,
		},
		{
			name:      "a body that stays truncated is a clear error after the retries",
			replies:   []reply{{200, `{"data":[{"id":"1"`, ""}},
			wantCalls: 5,
			wantErr:   "non-JSON or truncated body",
		},
		{
			name:      "rate limit waits estimated_time_to_regain_access",
			replies:   []reply{{400, throttled, bucHeader}, {200, ok, ""}},
			wantCalls: 2,
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				if len(sleeps) != 1 || sleeps[0] != 7*time.Minute {
					t.Errorf("sleeps = %v, want exactly the stated 7m (longest of all accounts)", sleeps)
				}
			},
		},
		{
			name:      "rate limit without a stated wait backs off",
			replies:   []reply{{400, userLimit, ""}, {200, ok, ""}},
			wantCalls: 2,
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				if len(sleeps) != 1 || sleeps[0] < throttleBase/2 || sleeps[0] > throttleBase {
					t.Errorf("sleeps = %v, want one throttle backoff", sleeps)
				}
			},
		},
		{
			name:      "rate limit gives up after MaxRetries",
			replies:   []reply{{400, throttled, bucHeader}},
			wantCalls: 5,
			wantErr:   "gave up after 5 attempts",
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || !apiErr.RateLimited() {
					t.Errorf("err = %v, want a rate-limited *APIError", err)
				}
			},
		},
		{
			name:      "backoff grows",
			replies:   []reply{{500, transient, ""}},
			wantCalls: 5,
			wantErr:   "graph API error 1 on act_1: An unknown error occurred [fbtrace_id Abc] (gave up after 5 attempts)",
			check: func(t *testing.T, sleeps []time.Duration, err error) {
				for i := 1; i < len(sleeps); i++ {
					if sleeps[i] < transientBase<<i/2 {
						t.Errorf("sleeps = %v, want exponential growth", sleeps)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
				rep := tt.replies[min(n, len(tt.replies))-1]
				if rep.buc != "" {
					w.Header().Set("X-Business-Use-Case-Usage", rep.buc)
				}
				writeJSON(w, rep.status, rep.body)
			})
			c, s := newTestClient(t, f.URL)
			var out map[string]any
			err := c.GetObject(context.Background(), "act_1", nil, &out)
			if got := len(f.requests()); got != tt.wantCalls {
				t.Errorf("made %d requests, want %d", got, tt.wantCalls)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, s.got(), err)
			}
		})
	}
}

func TestContextCancelStopsLongBackoff(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("X-Business-Use-Case-Usage", `{"act_1":[{"estimated_time_to_regain_access":60}]}`)
		writeJSON(w, 400, `{"error":{"message":"(#80004) There have been too many calls to this ad-account.","code":80004}}`)
	})
	// The real timer-based sleep, to prove it honours ctx.
	c, err := New(Config{BaseURL: f.URL, Token: canary, MaxWait: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { done <- c.GetObject(ctx, "act_1", nil, nil) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("still waiting 2s after cancel; the 60-minute wait must honour ctx")
	}
}

func TestContextCancelStopsSlowRequest(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c, _ := newTestClient(t, f.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Get(ctx, "act_1/insights", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("err = %v after %v, want a prompt context.DeadlineExceeded", err, time.Since(start))
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	c, s := newTestClient(t, base)
	err = c.GetObject(context.Background(), "me", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the Graph API at "+base+": ") {
		t.Fatalf("err = %v, want `cannot reach the Graph API at %s: …`", err, base)
	}
	if n := len(s.got()); n > refusedRetries {
		t.Errorf("retried %d times, want at most %d for a refused connection", n, refusedRetries)
	}
}
