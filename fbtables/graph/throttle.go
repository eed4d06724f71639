package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
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

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every state change
	accounts   map[string]*accountState
	runs       map[string]string // report run id → account, for paths that do not name one
	grants     uint64            // numbers grants, to order the usage readings
	inFlight   int               // all accounts
	unanswered int               // all accounts, as accountState.unanswered
	app        int               // app usage percent, as last reported
	appGrant   uint64
	appCap     int                       // requests in flight the app's usage allows (appCapacity)
	appSlots   loadSlots                 // how many insights requests the app's capacity takes at once
	version    uint64                    // counts changes of the state appTurn ranks accounts by
	ranked     appRank                   // the accounts' turns at the app's free requests (appshare.go)
	unread     map[*outstanding]struct{} // requests granted whose answers' headers have not come
}

type accountState struct {
	inFlight     int
	unanswered   int // requests in flight whose response headers have not come: what the server counts busy
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
	slots        loadSlots     // how many requests the account's insights capacity takes at once
	work         float64       // work left, as the caller last said (SetWork); 0: not said
}

// grant is one request's permission: n orders readings across accounts, seq counts the
// account's own requests, for estimating what one costs, and out is what its load reading is
// compared with.
type grant struct {
	n   uint64
	seq int
	out *outstanding
}

// outstanding is a request whose answer's headers have not come: the most requests of its
// account (own) and of the app (app) that have been unanswered at once since it was granted.
//
// The server takes its load reading of a request at some moment between the grant and the
// answer's headers coming here, and counts busy no request whose answer's headers have come
// (it frees the slot before it writes them), nor any not granted yet. So at that moment it
// counted at most as many as were unanswered here then, and at most the most unanswered at any
// moment in between: a bound on the capacity from that count is never too low. From the count
// when the headers are read, it could be: answers leave together, and their headers are read
// here in another order than their readings were taken, so one read late is compared with
// fewer requests than the server counted (in the sandbox's 10-account year, an account served
// 10 at a time read 90% with 5 unanswered here, was held at 8 for the second round, and ended
// a round late: 6.9 s, against 4.8 s).
type outstanding struct {
	acct     string
	own, app int
}

// StartConcurrency is how many requests of an ad account a client with MaxPerAccount
// maxPerAccount sends at once before readings show what one costs and how many the API serves:
// five eighths of the maximum, so ten with the default 16 — the order of the report runs an
// account may run at once (§5.4), which its insights load capacity is of too. Half, eight,
// left two of ten slots idle until the first answer came (a round trip with a page of rows),
// so a year read in two rounds of pages needed a third. A caller that cuts an account's work
// into pieces sends this many first.
func StartConcurrency(maxPerAccount int) int {
	return max(1, maxPerAccount*5/8)
}

// capacity is how many requests acct may have in flight. Usage halves it at each threshold;
// until two readings show what one request costs, it is StartConcurrency; after that, no more
// are sent than would take the account to busyPct once all in flight have been counted. And no
// account takes more than its fair share of what the app allows (fairShare), so that one
// account's requests do not queue at its own capacity while another's capacity stays idle.
func (g *throttle) capacity(s *accountState) int {
	limit := g.limit(s)
	if s.perCall <= 0 {
		if s.readings < 2 {
			return max(1, min(limit, StartConcurrency(g.cfg.MaxPerAccount)))
		}
		return limit // readings that do not rise: requests cost next to nothing
	}
	room := int((busyPct - float64(s.usage)) / s.perCall)
	return max(1, min(limit, room))
}

// limit is what capacity allows before the cost of one request is known: the usage's share of
// MaxPerAccount, the account's fair share of the app, and no more than the account's insights
// capacity takes at once when load readings have shown it (more would only queue at the
// server, or be refused by the real API's load limit).
func (g *throttle) limit(s *accountState) int {
	return min(g.own(s), g.fairShare(s))
}

// own is what an account may have in flight by its own readings alone: the usage's share of
// MaxPerAccount, and its insights capacity once load readings have shown it.
func (g *throttle) own(s *accountState) int {
	limit := scaled(g.cfg.MaxPerAccount, s.usage)
	if s.slots.n > 0 {
		limit = min(limit, s.slots.n)
	}
	return limit
}

// fairShare is s's part of the app's allowance (appLimit) among the ad accounts with requests
// in flight or waiting: at least an even part, and more in proportion to the work it has left
// when every one of them has said (SetWork), so that they end together.
func (g *throttle) fairShare(s *accountState) int {
	return max(g.evenShare(), g.workShare(s))
}

// evenShare is the app's allowance over the ad accounts with requests in flight or waiting,
// rounded up. No account gets less: a share by work left is for the accounts with more to
// read, not a cut for those with less (whose own limit may be what holds them, not the app's).
func (g *throttle) evenShare() int {
	active := 0
	for a, o := range g.accounts {
		if a != "" && (o.inFlight > 0 || o.waiting > 0) {
			active++
		}
	}
	return max(1, (g.appLimit()+active-1)/max(1, active))
}

// workShare is s's part of the app's allowance in proportion to the work each account being
// read has left (or evenly while one has not said), with an account whose part is more than it
// may send by its own limit given that and the rest shared among the others.
func (g *throttle) workShare(s *accountState) int {
	type part struct {
		s    *accountState
		work float64
	}
	var parts []part
	weighed := true
	for a, o := range g.accounts {
		if a != "" && (o.inFlight > 0 || o.waiting > 0) {
			parts = append(parts, part{o, o.work})
			weighed = weighed && o.work > 0
		}
	}
	found := false
	for i := range parts {
		if !weighed {
			parts[i].work = 1
		}
		found = found || parts[i].s == s
	}
	if !found {
		parts = append(parts, part{s, max(s.work, 1)})
	}
	left := float64(g.appLimit())
	for {
		total := 0.0
		for _, p := range parts {
			total += p.work
		}
		capped := false
		for i := 0; i < len(parts); i++ {
			p := parts[i]
			if own := float64(g.own(p.s)); left*p.work/total > own {
				if p.s == s {
					return int(own)
				}
				left -= own
				parts = slices.Delete(parts, i, i+1)
				i--
				capped = true
			}
		}
		if !capped || len(parts) == 0 {
			for _, p := range parts {
				if p.s == s {
					return max(1, int(math.Ceil(left*p.work/total)))
				}
			}
			return 1
		}
	}
}

// SetWork says how much work is left for ad account acct (with or without act_), in any unit
// the caller uses for every account (rows, say). While every account being read has said, the
// app's allowance is shared between them in proportion to it rather than evenly, so that an
// account with more to read gets more requests and all end together.
func (c *Client) SetWork(acct string, work float64) {
	g := c.throttle
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state(strings.TrimPrefix(acct, "act_")).work = work
	g.version++
}

// appLimit is how many requests the app may have in flight: what its budget allows, and no
// more than its insights capacity takes at once when the load readings have shown that.
func (g *throttle) appLimit() int {
	if g.appSlots.n > 0 {
		return min(g.appCap, g.appSlots.n)
	}
	return g.appCap
}

// loadSlots is how many requests an insights capacity (an account's, or the app's) takes at
// once, as the load readings of x-fb-ads-insights-throttle show it; 0 while unknown.
//
// A reading of pct percent taken while at most u requests were out (sent, their answers'
// headers not read: outstanding) bounds the capacity from above: the server counted at most u
// of them busy, so below 100% the capacity is at most u×100/pct, and at 100% at most u.
// Requests on their way make the server count fewer than u, never more, so every bound holds
// and the least of the recent ones is the estimate.
type loadSlots struct {
	n      int
	exact  bool           // n came from readings below 100%
	bounds [loadReads]int // the bounds of the latest readings below 100%
	reads  int            // readings below 100% so far
}

// loadReads is how many readings below 100% the estimate is the least bound of: old enough
// bounds are forgotten, so the estimate grows when the capacity does.
const loadReads = 5

// read takes a reading of pct percent, taken while at most most requests were out, now of them
// still when it is read. At 100% before any reading below it, the estimate comes down one at a
// time, so a client that started above the capacity comes down until a reading below 100%
// tells it; after one, 100% is what a client at the capacity reads, and says nothing more.
//
// A reading read after others that left with it (fewer out now than at most) bounds the
// capacity loosely: it lowers the estimate if it can, but takes no tight bound's place among
// the recent ones. As an account's last requests are answered, every reading is such, and in
// their place they made an account served 12 at a time seem served 16.
func (l *loadSlots) read(most, now, pct int) {
	switch {
	case pct <= 0 || most <= 0:
	case pct < 100:
		b := max(1, most*100/pct)
		if l.exact && now < most && b >= l.n {
			return
		}
		l.bounds[l.reads%loadReads] = b
		l.reads++
		l.n, l.exact = slices.Min(l.bounds[:min(l.reads, loadReads)]), true
	case l.exact:
	case l.n == 0 || l.n >= most:
		l.n = max(1, most-1)
	}
}

func newThrottle(cfg Throttle, maxWait time.Duration, notice func(string)) *throttle {
	cfg.MaxPerAccount = orDefault(cfg.MaxPerAccount, DefaultMaxPerAccount)
	cfg.MaxInFlight = orDefault(cfg.MaxInFlight, DefaultMaxInFlight)
	cfg.Pause = orDefault(cfg.Pause, defaultPause)
	if cfg.WaitScale <= 0 {
		cfg.WaitScale = 1
	}
	return &throttle{cfg: cfg, maxWait: maxWait, notice: notice, changed: make(chan struct{}),
		accounts: map[string]*accountState{}, runs: map[string]string{}, app: -1, appCap: cfg.MaxInFlight,
		unread: map[*outstanding]struct{}{}}
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
	g.version++
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

// held says whether s's own limits hold its next request back now: its capacity, or the
// spacing near its usage limit, for which it sets *wait to how long. acquire and the app's
// ranking of the waiting accounts (ready) ask the same question.
func (g *throttle) held(s *accountState, now time.Time, wait *time.Duration) bool {
	switch next := s.lastGrant.Add(max(g.cfg.Pause, s.spacing)); {
	case s.inFlight >= g.capacity(s):
		return true
	case s.usage >= busyPct && now.Before(next):
		*wait = next.Sub(now)
		return true
	}
	return false
}

// acquire waits until a request for acct ("" for none) may be sent, then counts it in flight.
// It returns the grant's number, which observe uses to ignore readings from responses that
// were overtaken by newer ones. A stated wait longer than maxWait fails at once.
func (g *throttle) acquire(ctx context.Context, acct string) (grant, error) {
	g.mu.Lock()
	g.state(acct).waiting++
	g.version++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.state(acct).waiting--
		g.notify() // a request granted or given up moves the turns at the app's free requests on
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
		case g.inFlight >= g.appLimit():
		case acct != "" && g.held(s, now, &wait):
		case acct != "" && !g.appTurn(s, now):
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
			s.unanswered++
			g.unanswered++
			s.lastGrant = now
			g.grants++
			s.granted++
			for o := range g.unread {
				o.app = max(o.app, g.unanswered)
				if o.acct == acct {
					o.own = max(o.own, s.unanswered)
				}
			}
			out := &outstanding{acct: acct, own: s.unanswered, app: g.unanswered}
			g.unread[out] = struct{}{}
			gr := grant{n: g.grants, seq: s.granted, out: out}
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

// release ends request gr of acct started by acquire; answered says observe has counted its
// answer.
func (g *throttle) release(acct string, gr grant, answered bool) {
	g.mu.Lock()
	s := g.state(acct)
	s.inFlight--
	g.inFlight--
	if !answered {
		s.unanswered--
		g.unanswered--
		delete(g.unread, gr.out)
	}
	g.notify()
	g.mu.Unlock()
}

// observe records the usage a response to grant n of acct reported, as its headers arrive;
// the business-use-case header may speak for other accounts too. Responses arrive out of order, so a reading from a
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
	g.mu.Lock()
	defer g.mu.Unlock()
	// The server counts as busy the requests it has not answered, this one included: the
	// most requests unanswered here at once since this one was granted are what its load
	// reading is compared with (outstanding). Every reading counts, whichever request was
	// granted first: a load reading is taken as the answer leaves, not an hourly count that
	// an older answer could report behind a newer one. (Read in grant order, the first
	// round's readings after the answer of its last granted request were all dropped, and
	// one 100% reading held the account below its capacity for the whole round.)
	own, app := g.state(acct).unanswered, g.unanswered
	mostOwn, mostApp := own, app
	if gr.out != nil {
		mostOwn, mostApp = max(own, gr.out.own), max(app, gr.out.app)
		delete(g.unread, gr.out)
	}
	if s := g.state(acct); acct != "" && u.Load >= 0 {
		s.slots.read(mostOwn, own, u.Load)
	}
	if u.AppLoad >= 0 {
		g.appSlots.read(mostApp, app, u.AppLoad)
	}
	if s := g.state(acct); s.unanswered > 0 {
		s.unanswered--
		g.unanswered--
	}
	if len(seen) == 0 && len(blocked) == 0 && u.App < 0 {
		g.notify()
		return
	}
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

// Concurrency is how many requests for ad account acct (with or without act_) the client
// lets run at once now, and whether the API's load readings have shown the account's
// capacity yet; without a Throttle or before such a reading, 0 and false. A caller that cuts
// work into pieces sizes them for this many streams, so that they end together.
func (c *Client) Concurrency(acct string) (int, bool) {
	g := c.throttle
	if g == nil {
		return 0, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.accounts[strings.TrimPrefix(acct, "act_")]
	if !ok || !s.slots.exact {
		return 0, false
	}
	return g.limit(s), true
}
