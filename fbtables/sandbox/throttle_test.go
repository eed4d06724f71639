package sandbox

import (
	"net/url"
	"testing"
	"time"
)

func TestSyncRowLimit(t *testing.T) {
	f := newFixture(t, Config{Model: Model{SyncRowLimit: 100}})
	path := "/v25.0/act_" + f.acct + "/insights"
	r := f.get(t, path, withLimit(dailyAds(), "5")) // a small page does not help: the limit is on the result
	e := apiErr(t, r, 400, 100, 1487534)
	if e["message"] != "(#100) Please reduce the amount of data you're asking for, then retry your request" || e["type"] != "OAuthException" {
		t.Errorf("body %s", r.raw)
	}
	if r := f.get(t, path, url.Values{"time_range": {tr("2026-01-01", "2026-01-31")}}); r.status != 200 {
		t.Fatalf("small request: %d %s", r.status, r.raw)
	}
	// The same data is available asynchronously.
	id := f.createRun(t, path, dailyAds())
	if rows := f.getAll(t, "/v25.0/"+id+"/insights", nil); len(rows) <= 100 {
		t.Fatalf("async gave %d rows", len(rows))
	}
	if st := f.srv.Stats(); st.SyncInsights != 1 || st.ResultPages == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestThrottle(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Config{Now: clk.Now, Model: Model{CallsPerWindow: 4, Window: time.Minute}})
	ins := "/v25.0/act_" + f.acct + "/insights"
	q := url.Values{"time_range": {tr("2026-01-01", "2026-01-31")}}

	// Calls at +0s, +10s, +20s, +30s use 25% of the budget each, whatever the kind of insights call.
	id := ""
	calls := []func() response{
		func() response { return f.get(t, ins, q) },
		func() response { r := f.post(t, ins, q); id, _ = r.body["report_run_id"].(string); return r },
		func() response { return f.get(t, "/v25.0/"+id, nil) },
		func() response { return f.get(t, "/v25.0/"+id+"/insights", nil) },
	}
	for i, call := range calls {
		r := call()
		if r.status != 200 {
			t.Fatalf("call %d: %d %s", i, r.status, r.raw)
		}
		want := float64(25 * (i + 1))
		if got := header(t, r, "x-fb-ads-insights-throttle")["acc_id_util_pct"]; got != want {
			t.Errorf("call %d: acc_id_util_pct = %v, want %v", i, got, want)
		}
		b := bucEntry(t, r, f.acct)
		if b["type"] != "ads_insights" || b["call_count"] != want || b["estimated_time_to_regain_access"] != 0.0 {
			t.Errorf("call %d: BUC %v", i, b)
		}
		clk.Add(10 * time.Second)
	}
	// Entity reads are not insights calls: they pass and use no budget.
	if r := f.get(t, "/v25.0/act_"+f.acct+"/campaigns", nil); r.status != 200 {
		t.Fatalf("campaigns: %d", r.status)
	}

	// +40s: over budget; the oldest call leaves the window at +60s, 20s away: 1 minute, rounded up.
	r := f.get(t, ins, q)
	e := apiErr(t, r, 400, 80000, 2446079)
	if e["message"] != "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting." {
		t.Errorf("message %q", e["message"])
	}
	if b := bucEntry(t, r, f.acct); b["estimated_time_to_regain_access"] != 1.0 || b["call_count"] != 100.0 {
		t.Errorf("BUC on rejection: %v", b)
	}
	// While blocked, every request of the account is refused and counted, insights or not.
	clk.Add(5 * time.Second)
	apiErr(t, f.get(t, "/v25.0/act_"+f.acct+"/campaigns", nil), 400, 80000, 2446079)
	apiErr(t, f.get(t, "/v25.0/"+id, nil), 400, 80000, 2446079)
	// The other account has its own budget.
	if r := f.get(t, "/v25.0/act_"+f.srv.AccountIDs()[1]+"/insights", q); r.status != 200 {
		t.Fatalf("other account: %d %s", r.status, r.raw)
	}
	st := f.srv.Stats()
	if st.ThrottledRejected != 3 || st.RequestsWhileBlocked != 2 {
		t.Errorf("stats %+v", st)
	}
	// +60s: the first call left the window.
	clk.Add(15 * time.Second)
	if r := f.get(t, ins, q); r.status != 200 || header(t, r, "x-fb-ads-insights-throttle")["acc_id_util_pct"] != 100.0 {
		t.Fatalf("after the window: %d %s", r.status, r.raw)
	}
	if st := f.srv.Stats(); st.RequestsWhileBlocked != 2 {
		t.Errorf("a request after the stated time counted as blocked: %+v", st)
	}
}

func TestThrottleWaitIsInMinutesRoundedUp(t *testing.T) {
	cases := []struct {
		name    string
		window  time.Duration
		wait    time.Duration // from the only call to the rejected one
		minutes float64
	}{
		{"half a minute left", time.Minute, 30 * time.Second, 1},
		{"two and a half minutes left", 5 * time.Minute, 150 * time.Second, 3},
		{"exactly two minutes left", 5 * time.Minute, 3 * time.Minute, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			f := newFixture(t, Config{Now: clk.Now, Model: Model{CallsPerWindow: 1, Window: tc.window}})
			ins := "/v25.0/act_" + f.acct + "/insights"
			f.get(t, ins, nil)
			clk.Add(tc.wait)
			r := f.get(t, ins, nil)
			apiErr(t, r, 400, 80000, 2446079)
			if got := bucEntry(t, r, f.acct)["estimated_time_to_regain_access"]; got != tc.minutes {
				t.Errorf("estimated_time_to_regain_access = %v, want %v", got, tc.minutes)
			}
		})
	}
}

func TestZeroModelHeadersStayLow(t *testing.T) {
	f := newFixture(t, Config{})
	for range 50 {
		r := f.get(t, "/v25.0/act_"+f.acct+"/insights", nil)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if pct := header(t, r, "x-fb-ads-insights-throttle")["acc_id_util_pct"].(float64); pct > 10 {
			t.Fatalf("acc_id_util_pct %v without a throttle model", pct)
		}
	}
}

// TestInsightsThrottleReportsTheLoad: with the load limit on, x-fb-ads-insights-throttle
// reports the share of the account's and the app's slots in use (one call of four and of
// eight), while x-ad-account-usage and the business-use-case header keep the hourly call
// budget (one call of a hundred).
func TestInsightsThrottleReportsTheLoad(t *testing.T) {
	f := newFixture(t, Config{Model: Model{AccountSlots: 4, AppSlots: 8, CallsPerWindow: 100, Window: time.Hour}})
	r := f.get(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"time_range": {tr("2026-01-01", "2026-01-31")}})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if h := header(t, r, "x-fb-ads-insights-throttle"); h["acc_id_util_pct"] != 25.0 || h["app_id_util_pct"] != 12.0 {
		t.Errorf("x-fb-ads-insights-throttle %v, want the load: 25%% of the account's slots, 12%% of the app's", h)
	}
	if h := header(t, r, "x-ad-account-usage"); h["acc_id_util_pct"] != 1.0 {
		t.Errorf("x-ad-account-usage %v, want the call budget's 1%%", h)
	}
	if b := bucEntry(t, r, f.acct); b["call_count"] != 1.0 {
		t.Errorf("business-use-case entry %v, want call_count 1", b)
	}
}
