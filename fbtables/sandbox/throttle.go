package sandbox

import (
	"fmt"
	"net/http"
	"time"
)

// Throttling (Model.CallsPerWindow > 0) follows the ads_insights
// business-use-case limit (§5.5): each ad account has a budget of insights
// calls per rolling window, every insights response reports how much of it
// is used — so a client can slow down before it runs out — and a call past
// the budget is refused with 80000/2446079 and a wait in minutes. The
// account is then blocked until the window frees a slot; requests it sends
// meanwhile are refused too and counted in Stats.RequestsWhileBlocked, the
// measure of a client that does not honour the wait.

// usage is the throttle state reported in one response's headers.
type usage struct {
	accPct, appPct   int
	load             bool // the load limit is on: the insights header reports accLoad and appLoad
	accLoad, appLoad int  // the share of the account's and the app's slots in use (load.go), in percent
	regainMin        int  // estimated_time_to_regain_access, in minutes as the API states it
}

// admit applies the throttle to c before it is routed. Rejected calls do not
// use budget: the wait the client is told must not grow while it waits.
func (s *Server) admit(c *call) *apiError {
	if s.model.CallsPerWindow <= 0 || c.owner == nil {
		return nil
	}
	now := s.now()
	win := s.model.window()
	id := c.owner.id
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.blocked[id]; ok && now.Before(until) {
		s.stats.RequestsWhileBlocked++
		s.stats.ThrottledRejected++
		c.usage = s.usageLocked(id, now, until)
		return errThrottled()
	}
	if !c.insightsCall {
		return nil
	}
	calls := s.calls[id]
	for len(calls) > 0 && !calls[0].After(now.Add(-win)) {
		calls = calls[1:]
	}
	if len(calls) >= s.model.CallsPerWindow {
		s.calls[id] = calls
		until := calls[0].Add(win)
		s.blocked[id] = until
		s.stats.ThrottledRejected++
		c.usage = s.usageLocked(id, now, until)
		return errThrottled()
	}
	s.calls[id] = append(calls, now)
	c.usage = s.usageLocked(id, now, now)
	return nil
}

// usageLocked computes the percentages for account id at now. The app's
// share is the mean over accounts, as if each account had the same budget.
func (s *Server) usageLocked(id string, now, until time.Time) *usage {
	cutoff := now.Add(-s.model.window())
	inWindow := func(calls []time.Time) int {
		n := 0
		for _, t := range calls {
			if t.After(cutoff) {
				n++
			}
		}
		return n
	}
	total := 0
	for _, calls := range s.calls {
		total += inWindow(calls)
	}
	u := &usage{
		accPct: 100 * inWindow(s.calls[id]) / s.model.CallsPerWindow,
		appPct: 100 * total / (s.model.CallsPerWindow * len(s.world.accounts)),
	}
	if wait := until.Sub(now); wait > 0 {
		u.regainMin = int((wait + time.Minute - 1) / time.Minute) // rounded up: waiting less would fail again
	}
	return u
}

// throttleHeaders writes the rate-limit headers of §5.5 from u: the insights
// throttle header and a business-use-case entry of type ads_insights whose
// call_count is the share of the window's budget used.
func throttleHeaders(h http.Header, acct string, u *usage) {
	tier := "standard_access"
	// The insights header reports the insights limit in force: the load
	// when the model has slots, the call budget otherwise.
	insApp, insAcc := u.appPct, u.accPct
	if u.load {
		insApp, insAcc = u.appLoad, u.accLoad
	}
	h.Set("x-fb-ads-insights-throttle", fmt.Sprintf(`{"app_id_util_pct":%d,"acc_id_util_pct":%d,"ads_api_access_tier":%q}`, insApp, insAcc, tier))
	h.Set("x-ad-account-usage", fmt.Sprintf(`{"acc_id_util_pct":%d,"reset_time_duration":%d,"ads_api_access_tier":%q}`, u.accPct, u.regainMin*60, tier))
	// cputime and time trail call_count, so call_count is what a client
	// taking the max of the three (as AB does) steers by.
	h.Set("x-business-use-case-usage", fmt.Sprintf(`{"%s":[{"type":"ads_insights","call_count":%d,"total_cputime":%d,"total_time":%d,"estimated_time_to_regain_access":%d,"ads_api_access_tier":%q}]}`,
		acct, u.accPct, u.accPct/4, u.accPct/2, u.regainMin, tier))
}

// setUsageHeaders writes the account-scoped headers: the throttle's real
// numbers when it is on, otherwise the low decorative values of usageHeaders.
func (s *Server) setUsageHeaders(h http.Header, c *call, n uint64) {
	switch {
	case c.usage != nil && c.owner != nil:
		throttleHeaders(h, c.owner.id, c.usage)
	case c.acct != nil:
		s.usageHeaders(h, c, n)
	}
}
