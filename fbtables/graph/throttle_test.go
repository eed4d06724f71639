package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrency counts requests in flight at a fake server, per account and in all.
type concurrency struct {
	mu         sync.Mutex
	now, most  int
	perAcct    map[string]int
	mostByAcct map[string]int
}

func (c *concurrency) enter(acct string) func() {
	c.mu.Lock()
	if c.perAcct == nil {
		c.perAcct, c.mostByAcct = map[string]int{}, map[string]int{}
	}
	c.now++
	c.most = max(c.most, c.now)
	c.perAcct[acct]++
	c.mostByAcct[acct] = max(c.mostByAcct[acct], c.perAcct[acct])
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.now--
		c.perAcct[acct]--
		c.mu.Unlock()
	}
}

// throttledServer answers every request after hold, with the usage headers of headers.
func throttledServer(t *testing.T, hold time.Duration, headers map[string]string) (*fakeGraph, *concurrency) {
	cc := &concurrency{}
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		acct := strings.Split(strings.TrimPrefix(r.URL.Path, "/v25.0/"), "/")[0]
		defer cc.enter(acct)()
		time.Sleep(hold)
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		writeJSON(w, 200, `{"id":"1"}`)
	})
	return f, cc
}

// fire sends n GetObject requests at once, to path(i), and waits for them.
func fire(t *testing.T, c *Client, n int, path func(i int) string) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := c.GetObject(context.Background(), path(i), nil, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestThrottleSteersOnUsageHeaders(t *testing.T) {
	tests := []struct {
		name     string
		headers  map[string]string
		accounts int // requests spread over this many accounts
		requests int
		want     func(cc *concurrency) error
	}{
		{"headroom allows more than 10 streams per account", map[string]string{"X-Ad-Account-Usage": `{"acc_id_util_pct":3}`}, 1, 24,
			func(cc *concurrency) error {
				if cc.most <= 10 || cc.most > DefaultMaxPerAccount {
					return fmt.Errorf("%d in flight on one account, want 11..%d", cc.most, DefaultMaxPerAccount)
				}
				return nil
			}},
		{"x-ad-account-usage near the limit: one at a time", map[string]string{"X-Ad-Account-Usage": `{"acc_id_util_pct":95,"reset_time_duration":0}`}, 1, 6, // spacing doubles per request while busy
			func(cc *concurrency) error {
				if cc.most > 1 {
					return fmt.Errorf("%d in flight after usage 95%%", cc.most)
				}
				return nil
			}},
		{"x-app-usage near the limit slows every account", map[string]string{"X-App-Usage": `{"call_count":96,"total_time":10,"total_cputime":10}`}, 20, 20,
			func(cc *concurrency) error {
				if cc.most > 1 {
					return fmt.Errorf("%d in flight over 20 accounts after app usage 96%%", cc.most)
				}
				return nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cc := throttledServer(t, 60*time.Millisecond, tt.headers)
			c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.Throttle = &Throttle{Pause: time.Millisecond} })
			// One request first, so the usage is known before the burst.
			if err := c.GetObject(context.Background(), "act_0", nil, nil); err != nil {
				t.Fatal(err)
			}
			fire(t, c, tt.requests, func(i int) string { return fmt.Sprintf("act_%d", i%tt.accounts) })
			if err := tt.want(cc); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestThrottleCapsRequestsInFlight: without any usage header, MaxInFlight bounds requests over
// all accounts together, so a token reading 1,000 accounts does not send 1,000 at once.
func TestThrottleCapsRequestsInFlight(t *testing.T) {
	f, cc := throttledServer(t, 30*time.Millisecond, nil)
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.Throttle = &Throttle{MaxInFlight: 3} })
	fire(t, c, 30, func(i int) string { return fmt.Sprintf("act_%d", i) })
	if cc.most != 3 {
		t.Errorf("%d requests in flight, want the cap of 3", cc.most)
	}
}

// TestThrottleBlockBeyondMaxWait: once the API states a wait beyond MaxWait for an account,
// the next request for it fails at once saying until when; other accounts go on.
func TestThrottleBlockBeyondMaxWait(t *testing.T) {
	f, _ := throttledServer(t, 0, map[string]string{"X-Business-Use-Case-Usage": `{"7":[{"call_count":100,"estimated_time_to_regain_access":0}]}`})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.Throttle = &Throttle{} })
	c.throttle.observe("7", grant{n: 1, seq: 1}, Usage{Blocked: map[string]time.Duration{"7": 600 * time.Minute}, Request: -1, App: -1})
	err := c.GetObject(context.Background(), "act_7/insights", nil, nil)
	var te *ThrottledError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "act_7 throttled until") {
		t.Errorf("err = %v, want act_7 throttled until …", err)
	}
	if err := c.GetObject(context.Background(), "act_8/insights", nil, nil); err != nil {
		t.Errorf("another account: %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (none for the blocked account)", n)
	}
}

func TestParseUsage(t *testing.T) {
	h := http.Header{}
	h.Set("X-Business-Use-Case-Usage", `{"act_1":[{"call_count":12,"total_cputime":40,"total_time":3,"estimated_time_to_regain_access":2}],"2":[{"call_count":"70"}]}`)
	h.Set("X-Ad-Account-Usage", `{"acc_id_util_pct":55.5,"reset_time_duration":30}`)
	h.Set("X-Fb-Ads-Insights-Throttle", `{"app_id_util_pct":8,"acc_id_util_pct":60}`)
	h.Set("X-App-Usage", `{"call_count":20,"total_time":9,"total_cputime":3}`)
	u := ParseUsage(h)
	if u.Accounts["1"] != 40 || u.Accounts["2"] != 70 || u.Blocked["1"] != 2*time.Minute || u.Regain != 2*time.Minute ||
		u.RegainAccount != "act_1" || u.Request != 55 || u.RequestReset != 30*time.Second || u.App != 20 ||
		u.Load != 60 || u.AppLoad != 8 {
		t.Errorf("ParseUsage = %+v", u)
	}
	if u := ParseUsage(http.Header{"X-App-Usage": {"not json"}}); u.App != -1 || u.Request != -1 || u.Load != -1 || u.AppLoad != -1 || u.Accounts != nil {
		t.Errorf("bad header read as %+v", u)
	}
}

// TestAppCapacity: the app's bound settles where x-app-usage reads appTargetPct when the
// client's own requests are the load, shrinks past it, grows while usage is below it, even from
// one request, and never passes the configured maximum.
func TestAppCapacity(t *testing.T) {
	for _, tt := range []struct {
		inFlight, app, limit, want int
		why                        string
	}{
		{32, 32, 128, 85, "1% a request: room for 85"},
		{85, 85, 128, 85, "at the target: holds"},
		{100, 100, 128, 85, "saturated: back to the target"},
		{50, 95, 128, 44, "past the target: fewer"},
		{1, 96, 128, 1, "near the limit: one"},
		{1, 84, 128, 2, "below the target: one more, even from one"},
		{1, 10, 128, 8, "a first reading"},
		{100, 20, 128, 128, "headroom: up to the maximum"},
		{10, 0, 128, 128, "no usage: the maximum"},
	} {
		if got := appCapacity(tt.inFlight, tt.app, tt.limit); got != tt.want {
			t.Errorf("%s: appCapacity(%d in flight, %d%%, max %d) = %d, want %d", tt.why, tt.inFlight, tt.app, tt.limit, got, tt.want)
		}
	}
}

// TestThrottleGrowsPastTheOldCapWithAppHeadroom: with x-app-usage at 10%, requests for many
// accounts are not held to the 32 in flight the app bound used to be.
func TestThrottleGrowsPastTheOldCapWithAppHeadroom(t *testing.T) {
	f, cc := throttledServer(t, 60*time.Millisecond, map[string]string{"X-App-Usage": `{"call_count":1,"total_time":10,"total_cputime":1}`})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.Throttle = &Throttle{} })
	if err := c.GetObject(context.Background(), "act_0", nil, nil); err != nil {
		t.Fatal(err)
	}
	fire(t, c, 80, func(i int) string { return fmt.Sprintf("act_%d", i) })
	if cc.most <= 32 {
		t.Errorf("%d requests in flight at most, want more than 32 while the app shows headroom", cc.most)
	}
}

// TestThrottleSharesTheAppBetweenAccounts: an account alone may use all the app allows; once
// another waits, each gets an even share, so one account's requests cannot hold the app's
// allowance while another's wait.
func TestThrottleSharesTheAppBetweenAccounts(t *testing.T) {
	g := newThrottle(Throttle{MaxPerAccount: 16, MaxInFlight: 6}, time.Hour, nil)
	g.mu.Lock()
	defer g.mu.Unlock()
	one, two := g.state("1"), g.state("2")
	one.inFlight = 5
	if c := g.capacity(one); c != 6 {
		t.Errorf("alone, account 1 may have %d in flight, want the app's 6", c)
	}
	two.waiting = 1
	if c := g.capacity(one); c != 3 {
		t.Errorf("with account 2 waiting, account 1 may have %d in flight, want 3", c)
	}
	if c := g.capacity(two); c != 3 {
		t.Errorf("account 2 may have %d in flight, want 3", c)
	}
	g.state("").waiting = 1 // a request that names no account takes no share
	if c := g.capacity(one); c != 3 {
		t.Errorf("with a request for no account waiting, account 1 may have %d, want 3", c)
	}
}

// slotServer serves each account's requests through slots at once (more wait, like the
// sandbox's load limit) and reports the account's load in x-fb-ads-insights-throttle: the
// requests it has not answered over its slots, at most 100%.
func slotServer(t *testing.T, slots int, hold time.Duration) (*fakeGraph, *concurrency) {
	cc := &concurrency{}
	var mu sync.Mutex
	busy := map[string]int{}
	sems := map[string]chan struct{}{}
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		acct := strings.Split(strings.TrimPrefix(r.URL.Path, "/v25.0/"), "/")[0]
		mu.Lock()
		busy[acct]++
		sem := sems[acct]
		if sem == nil {
			sem = make(chan struct{}, slots)
			sems[acct] = sem
		}
		mu.Unlock()
		sem <- struct{}{}
		defer cc.enter(acct)()
		time.Sleep(hold * time.Duration(2+n%5) / 4) // staggered, as answers of different sizes are
		mu.Lock()
		pct := min(100, 100*busy[acct]/slots)
		busy[acct]-- // as the sandbox does: the slot is free once the load is read
		mu.Unlock()
		<-sem
		w.Header().Set("X-Fb-Ads-Insights-Throttle", fmt.Sprintf(`{"app_id_util_pct":1,"acc_id_util_pct":%d}`, pct))
		w.Header().Set("X-Ad-Account-Usage", `{"acc_id_util_pct":1}`)
		writeJSON(w, 200, `{"id":"1"}`)
	})
	return f, cc
}

// TestThrottleLearnsTheAccountsCapacityFromTheLoad: the client reads how many requests an
// account's insights capacity takes at once from x-fb-ads-insights-throttle, whether it
// starts below that (and then grows to it) or above it (and then comes down to it), and says
// so through Concurrency.
func TestThrottleLearnsTheAccountsCapacityFromTheLoad(t *testing.T) {
	for _, slots := range []int{3, 12} {
		t.Run(fmt.Sprintf("%d slots", slots), func(t *testing.T) {
			f, cc := slotServer(t, slots, 100*time.Millisecond)
			c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.Throttle = &Throttle{MaxPerAccount: 16} })
			if n, known := c.Concurrency("act_1"); known {
				t.Fatalf("capacity known before any response: %d", n)
			}
			fire(t, c, 60, func(int) string { return "act_1/insights" })
			n, known := c.Concurrency("act_1")
			// A reading races with requests on their way either side, so it may be a
			// request or two off; unknown, the starting 8 or the maximum 16 would be wrong.
			if !known || n < slots-2 || n > slots+2 {
				t.Errorf("Concurrency = %d, %v; want %d±2, true", n, known, slots)
			}
			if slots > DefaultMaxPerAccount/2 && cc.most < slots {
				t.Errorf("at most %d requests were served at once, want the capacity's %d", cc.most, slots)
			}
		})
	}
}

func TestLoadSlotsRead(t *testing.T) {
	var l loadSlots
	for _, r := range []struct{ inFlight, pct, want int }{
		{8, 100, 7}, {7, 100, 6}, {6, 100, 5}, // above the capacity: down one at a time
		{5, 0, 5},   // no reading
		{4, 80, 5},  // 4 out, 80%: at most 5
		{5, 100, 5}, // at the capacity: 100% is what it reads
		{2, 100, 5}, // a stale reading while fewer are out
		{4, 66, 5},  // a request on its way: the bound (6) is looser
		{3, 60, 5},
		{14, 70, 5}, // the capacity grew: not until every bound that says 5 is forgotten
		{14, 70, 5},
		{14, 70, 5},
		{14, 70, 5},
		{14, 70, 20},
		{12, 80, 15}, // every bound holds: a lower one is the estimate at once
		{3, 60, 5},   // few out too: inFlight is the most out since the request was granted
	} {
		l.read(r.inFlight, r.inFlight, r.pct)
		if l.n != r.want {
			t.Fatalf("read(%d, %d%%) gave %d, want %d", r.inFlight, r.pct, l.n, r.want)
		}
	}
	// Readings read after others that left with them (fewer out now than at most).
	l = loadSlots{}
	for _, r := range []struct{ most, now, pct, want int }{
		{10, 10, 90, 11},
		{10, 6, 40, 11}, // an account's last answers: bounds of 25, 20, … take no tight one's place
		{10, 5, 50, 11},
		{10, 4, 40, 11},
		{10, 3, 30, 11},
		{10, 2, 20, 11},
		{10, 1, 10, 11},
		{10, 8, 90, 11},
		{8, 5, 90, 8}, // but each holds: a lower one lowers the estimate
		{16, 16, 80, 8},
	} {
		l.read(r.most, r.now, r.pct)
		if l.n != r.want {
			t.Fatalf("read(%d out at most, %d now, %d%%) gave %d, want %d", r.most, r.now, r.pct, l.n, r.want)
		}
	}
}

// TestThrottleReadsTheLoadAgainstTheMostOutSinceTheGrant: ten requests of an account (and of
// the app) served ten at a time are answered in turn, each answer's load read as it leaves
// (100%, 90%, … 10%), but their headers are read here in another order. Whatever the order,
// the capacity known is never below the ten the server serves: compared with the requests
// unanswered here when its headers are read, an answer read after later ones bounds it too
// low (the order in a slow run of the sandbox's 10-account year held an account at 8).
func TestThrottleReadsTheLoadAgainstTheMostOutSinceTheGrant(t *testing.T) {
	const slots = 10
	orders := [][]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
		{0, 4, 1, 3, 6, 2, 5, 7, 8, 9},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		orders = append(orders, rng.Perm(slots))
	}
	for _, order := range orders {
		g := newThrottle(Throttle{MaxPerAccount: 16}, time.Minute, nil)
		grants := make([]grant, slots)
		for i := range grants {
			var err error
			if grants[i], err = g.acquire(context.Background(), "1"); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range order {
			// Answer k leaves with slots-k requests counted busy, itself included.
			pct := (slots - k) * 100 / slots
			g.observe("1", grants[k], Usage{Request: -1, App: -1, Load: pct, AppLoad: pct})
			g.release("1", grants[k], true)
			g.mu.Lock()
			own, app := g.state("1").slots, g.appSlots
			g.mu.Unlock()
			if own.exact && own.n < slots || app.exact && app.n < slots {
				t.Fatalf("answers read in the order %v: after answer %d, capacities %d (account) and %d (app), want at least %d", order, k, own.n, app.n, slots)
			}
		}
	}
}

// TestThrottleSharesTheAppByWorkLeft: once every account being read has said how much it has
// left (SetWork), the app's requests are shared in proportion, so the accounts end together;
// while one has not said, evenly.
func TestThrottleSharesTheAppByWorkLeft(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", func(cfg *Config) { cfg.Throttle = &Throttle{MaxPerAccount: 16, MaxInFlight: 8} })
	g := c.throttle
	g.mu.Lock()
	one, two := g.state("1"), g.state("2")
	one.waiting, two.waiting = 1, 1
	g.mu.Unlock()
	c.SetWork("act_1", 30_000)
	share := func(s *accountState) int { g.mu.Lock(); defer g.mu.Unlock(); return g.fairShare(s) }
	if a, b := share(one), share(two); a != 4 || b != 4 {
		t.Errorf("with account 2's work unknown: shares %d and %d, want 4 and 4", a, b)
	}
	c.SetWork("2", 10_000)
	if a, b := share(one), share(two); a != 6 || b != 4 {
		t.Errorf("with 30,000 and 10,000 rows left: shares %d and %d, want 6 and the even 4", a, b)
	}
	// Account 2's load readings say it is served 2 at a time: the rest of its part goes to 1.
	g.mu.Lock()
	one.work, two.work = 10_000, 30_000
	two.slots = loadSlots{n: 2, exact: true}
	g.mu.Unlock()
	if a := share(one); a != 6 {
		t.Errorf("with account 2 served 2 at a time: account 1's share %d, want 6", a)
	}
}
