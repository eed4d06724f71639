package sandbox

import (
	"context"
	"sync"
	"time"
)

// The insights load limit (§5.5, x-fb-ads-insights-throttle) covers sync
// and async calls together, per ad account and per app: Meta's servers
// have a capacity for each account's insights work and for the app's, and
// report the share in use (acc_id_util_pct, app_id_util_pct). The sandbox
// models the capacity as server slots (Model.AccountSlots, Model.AppSlots):
// an insights call — sync page, report run creation, status poll, result
// page, each call of a batch — waits for a free slot of its account and
// one of the app, then holds both for its service time (Latency, plus
// PerRowLatency per row it returns). Calls past the capacity queue rather
// than fail, like an overloaded server; the headers show the load so a
// client can see it has no headroom left.
//
// Every row a client reads costs at least PerRowLatency of slot time,
// and every 5000 rows (the page cap) one Latency, whether read sync or from
// a report run's result pages; a report run's own computation does not
// replace that. So no client, whatever its streams, page sizes, batches or
// mix of sync and async, reads the rows in less than Model.Floor.

// loadState tracks the slots in use.
type loadState struct {
	mu      sync.Mutex
	account map[string]chan struct{} // per account: one token per busy slot
	app     chan struct{}
	appBusy int            // calls waiting for slots or served now
	busy    map[string]int // the same per account
}

func newLoadState(m Model) *loadState {
	l := &loadState{account: map[string]chan struct{}{}, busy: map[string]int{}}
	if m.AppSlots > 0 {
		l.app = make(chan struct{}, m.AppSlots)
	}
	return l
}

// acquire waits for a slot of acct and one of the app. It returns the
// function that frees them, or false if ctx ended first.
func (s *Server) acquire(ctx context.Context, acct string) (func(), bool) {
	m, l := s.model, s.load
	if !m.slots() {
		return func() {}, true
	}
	l.mu.Lock()
	ch := l.account[acct]
	if ch == nil && m.AccountSlots > 0 {
		ch = make(chan struct{}, m.AccountSlots)
		l.account[acct] = ch
	}
	l.appBusy++
	l.busy[acct]++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		l.appBusy--
		l.busy[acct]--
		l.mu.Unlock()
	}
	// Account first, then app, always in that order: no call holds an app
	// slot while it waits for an account slot, so slots cannot deadlock.
	if ch != nil {
		select {
		case ch <- struct{}{}:
		case <-ctx.Done():
			done()
			return nil, false
		}
	}
	if l.app != nil {
		select {
		case l.app <- struct{}{}:
		case <-ctx.Done():
			if ch != nil {
				<-ch
			}
			done()
			return nil, false
		}
	}
	return func() {
		if l.app != nil {
			<-l.app
		}
		if ch != nil {
			<-ch
		}
		done()
	}, true
}

// loadPct is the share of acct's slots, and of the app's, in use or asked
// for, in percent, each at most 100: what x-fb-ads-insights-throttle
// reports (acc_id_util_pct, app_id_util_pct). A share below 100 tells a
// client how many calls the server takes at once — its own calls over the
// share — and so how many it may send without any waiting.
func (s *Server) loadPct(acct string) (acc, app int) {
	m, l := s.model, s.load
	l.mu.Lock()
	defer l.mu.Unlock()
	if m.AccountSlots > 0 {
		acc = min(100, 100*l.busy[acct]/m.AccountSlots)
	}
	if m.AppSlots > 0 {
		app = min(100, 100*l.appBusy/m.AppSlots)
	}
	return acc, app
}

// slots reports whether the load limit is on.
func (m Model) slots() bool { return m.AccountSlots > 0 || m.AppSlots > 0 }

// loadUsage puts the insights load in c's usage headers: with the load
// limit on, x-fb-ads-insights-throttle reports it (§5.5: the share of the
// account's and the app's insights capacity in use), while the call budget
// keeps x-ad-account-usage and x-business-use-case-usage. The load is
// instantaneous, not an hourly budget: past the slots, calls only queue.
func (s *Server) loadUsage(c *call) {
	if !s.model.slots() || !c.insightsCall || c.owner == nil {
		return
	}
	if c.usage == nil {
		c.usage = &usage{}
	}
	c.usage.load = true
	c.usage.accLoad, c.usage.appLoad = s.loadPct(c.owner.id)
}

// floorPageRows is the most rows one page can carry (the API's cap on
// `limit`, params.go), so the fewest calls that can read n rows is
// n / floorPageRows.
const floorPageRows = 5000

// Floor is the least wall time in which any client can read perAccount
// rows (per ad account) from a sandbox with this model. A slot serves one
// call at a time, and a call holds it for Latency plus PerRowLatency per
// row it returns, at most floorPageRows rows. So the calls of a run, laid
// out on the slots, form one sequence of whole calls per slot, and a slot
// that serves m calls within T carries at most min(m×floorPageRows,
// (T−m×Latency)/PerRowLatency) rows. The floor is the least T at which
// the account's slots can carry each account's rows and the app's slots
// all the rows, each with the fewest calls that can hold them — and the
// total slot time (rows plus one Latency per page an account needs)
// spread over the app's slots. It ignores the call budget, the client's
// own time and report runs' queueing, which only add time, so no client
// can beat it (TestNoClientBeatsTheFloor). 0 when the model sets no slots.
func (m Model) Floor(perAccount map[string]int64) time.Duration {
	if !m.slots() {
		return 0
	}
	var total, worst time.Duration
	var rows int64
	for _, n := range perAccount {
		if n == 0 {
			continue
		}
		pages := (n + floorPageRows - 1) / floorPageRows
		total += time.Duration(n)*m.PerRowLatency + time.Duration(pages)*m.Latency
		rows += n
		if m.AccountSlots > 0 {
			worst = max(worst, m.wholeCalls(n, m.AccountSlots))
		}
	}
	if m.AppSlots > 0 {
		worst = max(worst, total/time.Duration(m.AppSlots), m.wholeCalls(rows, m.AppSlots))
	}
	return max(worst, m.Latency)
}

// wholeCalls is the least time in which slots slots, each serving whole
// calls of at most floorPageRows rows one after another, carry n rows:
// each slot needs n/slots rows' time and, since a call holds at most a
// page, at least ⌈n/(slots×floorPageRows)⌉ round trips — whole ones, where
// spreading the rows' pages as fractions over the slots would count only
// pages/slots of a round trip.
func (m Model) wholeCalls(n int64, slots int) time.Duration {
	s := int64(slots)
	trips := (n + s*floorPageRows - 1) / (s * floorPageRows)
	return time.Duration(trips)*m.Latency + time.Duration(n)*m.PerRowLatency/time.Duration(s)
}
