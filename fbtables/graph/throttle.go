package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Throttle configures how many requests a Client sends at once, steered by the usage the API
// reports on every response (ParseUsage), so that fbsql slows down before the API refuses it
// rather than after. When the API states a time to regain access, nothing is sent for that
// account until then.
type Throttle struct {
	// MaxPerAccount bounds requests in flight per ad account while its usage shows headroom
	// (default 16); the bound halves as usage passes 25, 50 and 75%, and is one from 75%.
	MaxPerAccount int
	// MaxInFlight bounds requests in flight for the whole client, all accounts together
	// (default 128). Within it, x-app-usage steers: the client aims at appTargetPct of the
	// app's capacity (appCapacity), so it sends fewer as the app nears its limit.
	MaxInFlight int
	// Pause spaces requests of an account whose usage passed 90% (default 30 s).
	Pause time.Duration
	// WaitScale multiplies waits the API states, for a sandbox whose clock runs faster than the
	// real API's; 0 means 1.
	WaitScale float64
}

// Throttle defaults.
const (
	DefaultMaxPerAccount = 16
	DefaultMaxInFlight   = 128
	defaultPause         = 30 * time.Second
)

// Usage thresholds, in percent of the budget the API reports used.
const (
	roomyPct = 25 // below: full concurrency
	easyPct  = 50 // below: half
	warmPct  = 75 // below: a quarter
	busyPct  = 90 // from here: one request at a time, spaced by pause
	// appTargetPct is the app usage the client aims at: below busyPct, leaving room for the
	// app's other users and for readings that lag behind the requests just sent.
	appTargetPct = 85
)

// throttle is the running state of a Throttle.
type throttle struct {
	cfg     Throttle
	maxWait time.Duration
	notice  func(string)

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	accounts map[string]*accountState
	runs     map[string]string // report run id → account, for paths that do not name one
	grants   uint64            // numbers grants, to order the usage readings
	inFlight int               // all accounts
	app      int               // app usage percent, as last reported
	appGrant uint64
	appCap   int // requests in flight the app's usage allows (appCapacity)
}

type accountState struct {
	inFlight     int
	waiting      int // requests waiting in acquire
	usage        int // percent of the account's budget used, as last reported
	blockedUntil time.Time
	noticed      time.Time // blockedUntil last told to the user
	lastGrant    time.Time
	spacing      time.Duration // current spacing while busy; doubles until usage falls
	usageGrant   uint64        // grant whose response reported usage: older readings are stale
	granted      int           // requests granted so far
	readSeq      int           // seq of the latest reading of the account's own usage; 0: none
	readPct      int           // that reading
	readings     int           // readings of the account's own usage so far
	perCall      float64       // estimated percent of the budget one request uses; 0: unknown
}

// grant is one request's permission: n orders readings across accounts, seq counts the
// account's own requests, for estimating what one costs.
type grant struct {
	n   uint64
	seq int
}

// capacity is how many requests acct may have in flight. Usage halves it at each threshold;
// until two readings show what one request costs, it is half the maximum; after that, no more
// are sent than would take the account to busyPct once all in flight have been counted. And no
// account takes more than its fair share of what the app allows (fairShare), so that one
// account's requests do not queue at its own capacity while another's capacity stays idle.
func (g *throttle) capacity(s *accountState) int {
	limit := min(scaled(g.cfg.MaxPerAccount, s.usage), g.fairShare())
	if s.perCall <= 0 {
		if s.readings < 2 {
			return max(1, min(limit, g.cfg.MaxPerAccount/2))
		}
		return limit // readings that do not rise: requests cost next to nothing
	}
	room := int((busyPct - float64(s.usage)) / s.perCall)
	return max(1, min(limit, room))
}

// fairShare is the app's allowance (appCap) over the ad accounts with requests in flight or
// waiting, rounded up.
func (g *throttle) fairShare() int {
	active := 0
	for a, s := range g.accounts {
		if a != "" && (s.inFlight > 0 || s.waiting > 0) {
			active++
		}
	}
	return max(1, (g.appCap+active-1)/max(1, active))
}

func newThrottle(cfg Throttle, maxWait time.Duration, notice func(string)) *throttle {
	cfg.MaxPerAccount = orDefault(cfg.MaxPerAccount, DefaultMaxPerAccount)
	cfg.MaxInFlight = orDefault(cfg.MaxInFlight, DefaultMaxInFlight)
	cfg.Pause = orDefault(cfg.Pause, defaultPause)
	if cfg.WaitScale <= 0 {
		cfg.WaitScale = 1
	}
	return &throttle{cfg: cfg, maxWait: maxWait, notice: notice, changed: make(chan struct{}),
		accounts: map[string]*accountState{}, runs: map[string]string{}, app: -1, appCap: cfg.MaxInFlight}
}

func (g *throttle) state(acct string) *accountState {
	s := g.accounts[acct]
	if s == nil {
		s = &accountState{}
		g.accounts[acct] = s
	}
	return s
}

func (g *throttle) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// appCapacity is how many requests may be in flight after a reading of the app's usage,
// app percent, taken while inFlight were: inFlight scaled by appTargetPct/app, which settles
// where the usage reads appTargetPct when the client's own requests are the load the header
// reports, and shrinks at every reading past the target when they are not; below the target
// at least one more, so it grows from one. At most limit.
func appCapacity(inFlight, app, limit int) int {
	n := limit
	if app > 0 {
		n = inFlight * appTargetPct / app
	}
	if app < appTargetPct {
		n = max(n, inFlight+1)
	}
	return max(1, min(limit, n))
}

// scaled is how many of limit requests may run at usage percent.
func scaled(limit, usage int) int {
	switch {
	case usage < roomyPct:
		return limit
	case usage < easyPct:
		return max(1, limit/2)
	case usage < warmPct:
		return max(1, limit/4)
	}
	return 1
}

// account finds which ad account a request path belongs to: act_<id> in the path, or a report
// run registered by RunReport.
func (g *throttle) account(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for _, part := range parts {
		if strings.HasPrefix(part, "act_") {
			return strings.TrimPrefix(part, "act_")
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.runs[parts[0]]
}

// track says which account report run id belongs to until the returned func is called.
func (g *throttle) track(id, acct string) func() {
	g.mu.Lock()
	g.runs[id] = acct
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		delete(g.runs, id)
		g.mu.Unlock()
	}
}

// acquire waits until a request for acct ("" for none) may be sent, then counts it in flight.
// It returns the grant's number, which observe uses to ignore readings from responses that
// were overtaken by newer ones. A stated wait longer than maxWait fails at once.
func (g *throttle) acquire(ctx context.Context, acct string) (grant, error) {
	g.mu.Lock()
	g.state(acct).waiting++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.state(acct).waiting--
		g.mu.Unlock()
	}()
	for {
		g.mu.Lock()
		s := g.state(acct)
		now := time.Now()
		var wait time.Duration
		switch {
		case now.Before(s.blockedUntil):
			wait = s.blockedUntil.Sub(now)
			if wait > g.maxWait {
				until := s.blockedUntil
				g.mu.Unlock()
				return grant{}, &ThrottledError{Account: "act_" + acct, Until: until, Err: fmt.Errorf("the API asked to wait before calling act_%s again", acct)}
			}
			if wait > NoticeAfter && g.notice != nil && !s.noticed.Equal(s.blockedUntil) {
				s.noticed = s.blockedUntil
				g.notice(fmt.Sprintf("act_%s: the API asks to wait %s before the next request", acct, wait.Round(time.Second)))
			}
		case g.inFlight >= g.appCap:
		case acct != "" && s.inFlight >= g.capacity(s):
		case acct != "" && s.usage >= busyPct && now.Before(s.lastGrant.Add(max(g.cfg.Pause, s.spacing))):
			wait = s.lastGrant.Add(max(g.cfg.Pause, s.spacing)).Sub(now)
		default:
			// Near the limit, each request waits (pause, then twice as long each time) until a
			// response reports usage falling: the window's length is unknown, so back off until
			// it has rolled.
			if s.usage >= busyPct {
				s.spacing = max(g.cfg.Pause, s.spacing*2)
			} else {
				s.spacing = 0
			}
			s.inFlight++
			g.inFlight++
			s.lastGrant = now
			g.grants++
			s.granted++
			gr := grant{n: g.grants, seq: s.granted}
			g.mu.Unlock()
			return gr, nil
		}
		changed := g.changed
		g.mu.Unlock()
		if err := waitFor(ctx, changed, wait); err != nil {
			return grant{}, err
		}
	}
}

// learn updates the estimate of what one request costs from a reading of pct after the
// account's seq-th request. Only a rise between readings in order counts; the estimate decays
// slowly, so a window rolling over (usage falling) lets concurrency grow back.
func (s *accountState) learn(seq int, pct int) {
	s.readings++
	if s.readSeq > 0 && seq > s.readSeq && pct > s.readPct {
		sample := float64(pct-s.readPct) / float64(seq-s.readSeq)
		s.perCall = max(sample, s.perCall*0.75)
	}
	if seq > s.readSeq {
		s.readSeq, s.readPct = seq, pct
	}
}

// waitFor returns when changed is closed, after wait (if positive), or when ctx ends.
func waitFor(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
	var fire <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		fire = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-fire:
	}
	return nil
}

// release ends a request started by acquire.
func (g *throttle) release(acct string) {
	g.mu.Lock()
	g.state(acct).inFlight--
	g.inFlight--
	g.notify()
	g.mu.Unlock()
}

// observe records the usage a response to grant n of acct reported; the business-use-case
// header may speak for other accounts too. Responses arrive out of order, so a reading from a
// request granted before the one that gave the current reading is ignored unless it reports
// more usage.
func (g *throttle) observe(acct string, gr grant, u Usage) {
	seen := map[string]int{}
	for a, pct := range u.Accounts {
		seen[a] = pct
	}
	blocked := map[string]time.Duration{}
	for a, d := range u.Blocked {
		blocked[a] = d
	}
	if acct != "" && u.Request >= 0 {
		seen[acct] = max(seen[acct], u.Request)
		if u.Request >= 100 && u.RequestReset > 0 {
			blocked[acct] = max(blocked[acct], u.RequestReset)
		}
	}
	if len(seen) == 0 && len(blocked) == 0 && u.App < 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	n := gr.n
	if pct, ok := seen[acct]; ok && acct != "" {
		g.state(acct).learn(gr.seq, pct)
	}
	for a, pct := range seen {
		if s := g.state(a); n >= s.usageGrant || pct > s.usage {
			s.usage, s.usageGrant = pct, max(n, s.usageGrant)
		}
	}
	if u.App >= 0 && (n >= g.appGrant || u.App > g.app) {
		g.app, g.appGrant = u.App, max(n, g.appGrant)
		g.appCap = appCapacity(g.inFlight, u.App, g.cfg.MaxInFlight)
	}
	for a, d := range blocked {
		d = time.Duration(float64(d) * g.cfg.WaitScale)
		if s := g.state(a); now.Add(d).After(s.blockedUntil) {
			s.blockedUntil = now.Add(d)
		}
	}
	g.notify()
}
