package graph

import (
	"cmp"
	"slices"
	"time"
)

// The app's insights capacity is shared by every ad account being read. When it is what holds
// the requests back, which account's request takes a slot as one frees decides when each
// account ends. Taken in the order the waiting requests happen to wake, an account with the
// most left got no more than one with little (in the sandbox's 50-account year, the accounts
// with 12 requests ended at 14 s and those with 28 at 21–23 s, alone on the app's slots for
// the last seconds). So when more accounts wait than requests are free, the free ones go to
// the accounts with the most work left (SetWork) per request they have in flight, counting the
// one they would send: longest first, so that the accounts end together (with the work told
// counting pieces not completed whole, engine's schedule, they ended between 16 and 20 s).

// appRank is the order in which waiting accounts take the app's free requests, computed once
// per state change (throttle.version) rather than by each of the many waiting requests.
type appRank struct {
	version uint64
	valid   bool
	order   []*accountState // accounts that may send now and have said their work, first first
}

// perRequest is s's work left per request in flight, the one it would send counted.
func (s *accountState) perRequest() float64 {
	return s.work / float64(s.inFlight+1)
}

// ready says whether a request of s waiting in acquire would be sent now but for the app's
// limit and its turn: the same tests acquire makes of the account.
func (g *throttle) ready(s *accountState, now time.Time) bool {
	var wait time.Duration
	return s.waiting > 0 && !now.Before(s.blockedUntil) && !g.held(s, now, &wait)
}

// appTurn says whether s may take one of the app's free requests now: always while as many are
// free as accounts wait for one, or when s has not said its work; otherwise only when s is
// among the first as many accounts by work left per request in flight (the account's name
// breaks ties, so that the order does not change between two looks at the same state).
func (g *throttle) appTurn(s *accountState, now time.Time) bool {
	if s.work <= 0 {
		return true
	}
	if !g.ranked.valid || g.ranked.version != g.version {
		type named struct {
			name string
			s    *accountState
		}
		var ready []named
		for a, o := range g.accounts {
			if a != "" && o.work > 0 && g.ready(o, now) {
				ready = append(ready, named{a, o})
			}
		}
		slices.SortFunc(ready, func(x, y named) int {
			if c := cmp.Compare(y.s.perRequest(), x.s.perRequest()); c != 0 {
				return c
			}
			return cmp.Compare(x.name, y.name)
		})
		g.ranked = appRank{version: g.version, valid: true, order: g.ranked.order[:0]}
		for _, n := range ready {
			g.ranked.order = append(g.ranked.order, n.s)
		}
	}
	free := g.appLimit() - g.inFlight
	if len(g.ranked.order) <= free {
		return true
	}
	return slices.Contains(g.ranked.order[:max(0, free)], s)
}
