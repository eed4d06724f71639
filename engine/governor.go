package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// governor steers how many requests run at once per ad account, from the
// usage the API reports on every response (x-business-use-case-usage,
// x-fb-ads-insights-throttle, x-ad-account-usage), so that fbsql slows
// down before the API refuses it rather than after. When the API states a
// time to regain access, nothing is sent for that account until then.
type governor struct {
	maxPerAccount int
	pause         time.Duration // first spacing of requests once usage passes busyPct
	scale         float64       // applied to waits the API states

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	accounts map[string]*accountState
	grants   uint64 // numbers grants, to order the usage readings
}

type accountState struct {
	inFlight     int
	usage        int // percent of the account's budget used, as last reported
	blockedUntil time.Time
	lastGrant    time.Time
	spacing      time.Duration // current spacing while busy; doubles until usage falls
	usageGrant   uint64        // grant whose response reported usage: older readings are stale
}

// Usage thresholds, in percent of the budget the API reports used.
const (
	easyPct = 50 // below: full concurrency
	warmPct = 75 // below: half
	busyPct = 90 // from here: one request at a time, spaced by pause
)

func newGovernor(maxPerAccount int, pause time.Duration, scale float64) *governor {
	return &governor{maxPerAccount: maxPerAccount, pause: pause, scale: scale, changed: make(chan struct{}), accounts: map[string]*accountState{}}
}

func (g *governor) state(acct string) *accountState {
	s := g.accounts[acct]
	if s == nil {
		s = &accountState{}
		g.accounts[acct] = s
	}
	return s
}

func (g *governor) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// capacity is how many requests an account may have in flight at its usage.
func (g *governor) capacity(usage int) int {
	switch {
	case usage < easyPct:
		return g.maxPerAccount
	case usage < warmPct:
		return max(1, g.maxPerAccount/2)
	}
	return 1
}

// acquire waits until acct may send a request, then counts it in flight.
// It returns the grant's number, which observe uses to ignore readings from
// responses that were overtaken by newer ones.
func (g *governor) acquire(ctx context.Context, acct string) (uint64, error) {
	for {
		g.mu.Lock()
		s := g.state(acct)
		now := time.Now()
		var wait time.Duration
		switch {
		case now.Before(s.blockedUntil):
			wait = s.blockedUntil.Sub(now)
		case s.inFlight >= g.capacity(s.usage):
		case s.usage >= busyPct && now.Before(s.lastGrant.Add(max(g.pause, s.spacing))):
			wait = s.lastGrant.Add(max(g.pause, s.spacing)).Sub(now)
		default:
			// Near the limit, each request waits (pause, then twice as long
			// each time) until a response reports usage falling: the
			// window's length is unknown, so back off until it has rolled.
			if s.usage >= busyPct {
				s.spacing = max(g.pause, s.spacing*2)
			} else {
				s.spacing = 0
			}
			s.inFlight++
			s.lastGrant = now
			g.grants++
			n := g.grants
			g.mu.Unlock()
			return n, nil
		}
		changed := g.changed
		g.mu.Unlock()
		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
}

// release ends a request started by acquire.
func (g *governor) release(acct string) {
	g.mu.Lock()
	g.state(acct).inFlight--
	g.notify()
	g.mu.Unlock()
}

// observe reads the usage headers of the response to grant n of acct; the
// business-use-case header may speak for other accounts too. Responses
// arrive out of order, so a reading from a request granted before the one
// that gave the current reading is ignored unless it reports more usage.
func (g *governor) observe(acct string, n uint64, h http.Header) {
	type usage struct {
		CallCount    float64 `json:"call_count"`
		TotalCPUTime float64 `json:"total_cputime"`
		TotalTime    float64 `json:"total_time"`
		Regain       float64 `json:"estimated_time_to_regain_access"`
	}
	seen := map[string]int{}
	blocked := map[string]time.Duration{}
	var buc map[string][]usage
	if raw := h.Get("X-Business-Use-Case-Usage"); raw != "" && json.Unmarshal([]byte(raw), &buc) == nil {
		for key, entries := range buc {
			acct := strings.TrimPrefix(key, "act_")
			for _, u := range entries {
				seen[acct] = max(seen[acct], int(max(u.CallCount, u.TotalCPUTime, u.TotalTime)))
				if u.Regain > 0 {
					blocked[acct] = max(blocked[acct], time.Duration(u.Regain*float64(time.Minute)))
				}
			}
		}
	}
	if acct != "" {
		var ins struct {
			Acc float64 `json:"acc_id_util_pct"`
			App float64 `json:"app_id_util_pct"`
		}
		if raw := h.Get("X-Fb-Ads-Insights-Throttle"); raw != "" && json.Unmarshal([]byte(raw), &ins) == nil {
			seen[acct] = max(seen[acct], int(max(ins.Acc, ins.App)))
		}
	}
	if len(seen) == 0 && len(blocked) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	for acct, pct := range seen {
		if s := g.state(acct); n >= s.usageGrant || pct > s.usage {
			s.usage, s.usageGrant = pct, max(n, s.usageGrant)
		}
	}
	for acct, d := range blocked {
		d = time.Duration(float64(d) * g.scale)
		if s := g.state(acct); now.Add(d).After(s.blockedUntil) {
			s.blockedUntil = now.Add(d)
		}
	}
	g.notify()
}

// pathAccount finds the act_<id> in a request path.
func pathAccount(path string) string {
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "act_") {
			return strings.TrimPrefix(part, "act_")
		}
	}
	return ""
}
