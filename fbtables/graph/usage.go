package graph

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Usage is what a response's rate-limit headers say (reference §5.5), read in one place so
// retries and the engine's throttling agree:
//
//   - x-business-use-case-usage: {"<account id>": [{"call_count", "total_cputime",
//     "total_time", "estimated_time_to_regain_access" (minutes)}, …], …}, for any accounts;
//   - x-ad-account-usage: {"acc_id_util_pct", "reset_time_duration" (seconds)}, for the
//     request's account;
//   - x-fb-ads-insights-throttle: {"app_id_util_pct", "acc_id_util_pct"}, the insights load
//     limit: the share of the request's account's and of the app's insights capacity in use
//     now, not a budget spent over the hour;
//   - x-app-usage: {"call_count", "total_cputime", "total_time"}, for the app.
type Usage struct {
	// Accounts maps an account id (without act_) to the percent of its budget used, from
	// x-business-use-case-usage.
	Accounts map[string]int
	// Blocked maps an account id to the wait the API states before it may be called again.
	Blocked map[string]time.Duration
	// Request is the percent used of the request's own account's budget (x-ad-account-usage),
	// -1 when the header did not come.
	Request int
	// RequestReset is the wait x-ad-account-usage states for the request's account.
	RequestReset time.Duration
	// App is the percent used of the app's budget (x-app-usage), -1 when unknown.
	App int
	// Load and AppLoad are the shares of the request's account's and of the app's insights
	// capacity in use (x-fb-ads-insights-throttle), -1 when unknown. Below 100 they tell how
	// many requests the server takes at once: those in flight over the share.
	Load, AppLoad int
	// Regain is the longest wait stated for any account, and RegainAccount (act_…) whose.
	Regain        time.Duration
	RegainAccount string
}

// ParseUsage reads the rate-limit headers of a response. Headers that are absent or do not
// parse say nothing; key formats vary between accounts, so every key counts.
func ParseUsage(h http.Header) Usage {
	u := Usage{Request: -1, App: -1, Load: -1, AppLoad: -1}
	var buc map[string][]struct {
		CallCount    json.Number `json:"call_count"`
		TotalCPUTime json.Number `json:"total_cputime"`
		TotalTime    json.Number `json:"total_time"`
		Regain       json.Number `json:"estimated_time_to_regain_access"`
	}
	if raw := h.Get("X-Business-Use-Case-Usage"); raw != "" && json.Unmarshal([]byte(raw), &buc) == nil {
		for key, entries := range buc {
			acct := strings.TrimPrefix(key, "act_")
			for _, e := range entries {
				pct := int(max(num(e.CallCount), num(e.TotalCPUTime), num(e.TotalTime)))
				if u.Accounts == nil {
					u.Accounts = map[string]int{}
				}
				u.Accounts[acct] = max(u.Accounts[acct], pct)
				if d := time.Duration(num(e.Regain) * float64(time.Minute)); d > 0 {
					if u.Blocked == nil {
						u.Blocked = map[string]time.Duration{}
					}
					u.Blocked[acct] = max(u.Blocked[acct], d)
					if d > u.Regain {
						u.Regain, u.RegainAccount = d, "act_"+acct
					}
				}
			}
		}
	}
	var acc struct {
		Pct   json.Number `json:"acc_id_util_pct"`
		Reset json.Number `json:"reset_time_duration"`
	}
	if raw := h.Get("X-Ad-Account-Usage"); raw != "" && json.Unmarshal([]byte(raw), &acc) == nil {
		u.Request = max(u.Request, int(num(acc.Pct)))
		u.RequestReset = time.Duration(num(acc.Reset) * float64(time.Second))
	}
	var ins struct {
		Acc json.Number `json:"acc_id_util_pct"`
		App json.Number `json:"app_id_util_pct"`
	}
	if raw := h.Get("X-Fb-Ads-Insights-Throttle"); raw != "" && json.Unmarshal([]byte(raw), &ins) == nil {
		u.Load, u.AppLoad = int(num(ins.Acc)), int(num(ins.App))
	}
	var app struct {
		CallCount    json.Number `json:"call_count"`
		TotalCPUTime json.Number `json:"total_cputime"`
		TotalTime    json.Number `json:"total_time"`
	}
	if raw := h.Get("X-App-Usage"); raw != "" && json.Unmarshal([]byte(raw), &app) == nil {
		u.App = max(u.App, int(max(num(app.CallCount), num(app.TotalCPUTime), num(app.TotalTime))))
	}
	return u
}

// num is a header number, 0 when it is not one (a proxy may send strings).
func num(n json.Number) float64 {
	f, err := n.Float64()
	if err != nil || f < 0 {
		return 0
	}
	return f
}
