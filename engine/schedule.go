package engine

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// The API serves an account's rows through a few server slots at a cost
// per row plus one round trip per page (reference §5.5), so an account's
// rows arrive soonest when every slot it allows stays busy to the end with
// full pages. How many rows a day holds is unknown before the first
// answer — the static estimate (estimate.go) is often several times off —
// so a large scan is not cut up front: a schedule hands the account's
// slices out piece by piece as its streams ask for them, learning the rows
// per slice from every piece that completes.

// schedule hands out one account's time slices in pieces. The first pieces
// (probes) are sized from the static estimate and spread over the range,
// so the rate learned from them is not that of one end of it. Then, while
// much is left, pieces of whole pages; and once what is left is a few
// pages per stream, each stream is allotted an even share of it — the rows
// left plus those still on their way, over the streams the API serves at
// once — so that the streams end together. An allotment may span a probe
// already read, so it is one piece or a few; a stream runs them in turn.
type schedule struct {
	sl      slicing
	guess   float64 // rows per slice before any piece completed: the static estimate
	streams int     // streams taking pieces once a piece has completed
	first   int     // streams before that: one per probe
	// slots, when set, is how many requests the API serves the account at
	// once, once its load readings have shown that (graph's Concurrency).
	slots func() (int, bool)
	now   func() time.Time

	mu     sync.Mutex
	probes []span          // the first pieces, not handed out yet
	gaps   []span          // slices between the probes not handed out yet, in order
	rows   int             // rows of the pieces completed
	slices int             // slices of the pieces completed
	secs   float64         // seconds the completed pieces took, from their start
	least  float64         // rows per slice at least: a piece the API found too big for a sync request
	heard  bool            // a piece has completed or was found too big
	alive  int             // streams started and not done
	shares [][]span        // the end's shares not taken yet, once the end is shared out
	out    map[span]flight // pieces handed out and not completed (allotted pieces not started too)
}

// span is the slices [lo, hi) of a slicing.
type span struct{ lo, hi int }

// flight is a piece handed out: when its stream started it, to tell how
// much of it is still to come.
type flight struct{ start time.Time }

const (
	// probePages is a probe's size by the static estimate, in pages: the
	// estimate tends to be high, and a probe much smaller than a page
	// pays a whole round trip for few rows.
	probePages = 2
	// pageFill is the share of whole pages a piece aims at, so that a
	// piece holding a few more rows than the rate says does not need one
	// more, nearly empty page.
	pageFill = 0.9
	// allotPages is the most pages a stream is allotted at the end: an
	// even share of what is left once that is at most this much. More
	// would lean on a rate learned from few pieces for longer.
	allotPages = 4
)

// newSchedule spreads streams/2 probes over the slices: half the streams
// while nothing is known, as the throttle does with requests, and probes
// covering at most half of the range, so the learned rate sizes the rest.
func newSchedule(sl slicing, guess float64, streams int) *schedule {
	s := &schedule{sl: sl, guess: guess, streams: max(1, streams), now: time.Now, out: map[span]flight{}}
	probes := max(1, min(sl.n, streams/2))
	size := max(1, min(int(probePages*graph.InsightsPageSize/max(guess, 1)), sl.n/(2*probes)))
	for k := range probes {
		lo, hi := k*sl.n/probes, (k+1)*sl.n/probes
		p := span{lo, min(hi, lo+size)}
		s.probes = append(s.probes, p)
		if p.hi < hi {
			s.gaps = append(s.gaps, span{p.hi, hi})
		}
	}
	s.first = probes
	return s
}

// rate is the rows per slice: learned, or the guess until a piece completed;
// at least what a piece found too big implies.
func (s *schedule) rate() float64 {
	r := s.guess
	if s.slices > 0 {
		r = float64(s.rows) / float64(s.slices)
	}
	return max(r, s.least)
}

// take hands out a stream's next piece, false when the stream is done:
// every slice has been handed out, or, at the end, as many other streams
// as the API serves at once are still at work. mine holds the pieces
// allotted to the stream and not run yet (nil for a caller that runs each
// piece as its own stream).
func (s *schedule) take(mine *[]span) (span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.next(mine)
	if ok {
		s.out[p] = flight{start: s.now()}
	}
	return p, ok
}

func (s *schedule) next(mine *[]span) (span, bool) {
	if mine != nil && len(*mine) > 0 {
		p := (*mine)[0]
		*mine = (*mine)[1:]
		return p, true
	}
	if len(s.probes) > 0 {
		p := s.probes[0]
		s.probes = s.probes[1:]
		return p, true
	}
	if s.shares != nil {
		if len(s.shares) == 0 {
			return span{}, false // every share of the end is taken; this stream would only queue
		}
		a := s.shares[0]
		s.shares = s.shares[1:]
		*mine = a[1:]
		return a[0], true
	}
	if len(s.gaps) == 0 {
		return span{}, false
	}
	rate := s.rate()
	if rate <= 0 {
		return s.cut(s.gaps[0].hi - s.gaps[0].lo), true
	}
	page := float64(graph.InsightsPageSize)
	left := 0
	for _, g := range s.gaps {
		left += g.hi - g.lo
	}
	// The share is over the streams the API serves at once, or the
	// streams there are when fewer are left.
	streams := s.streams
	if s.slots != nil {
		if n, ok := s.slots(); ok {
			streams = n
		}
	}
	if s.alive > 0 { // 0: a caller that runs each piece as its own stream
		streams = min(streams, s.alive)
	}
	share := (rate*float64(left) + s.coming(rate)) / float64(streams)
	// The end is shared out by a rate learned from pieces that completed,
	// not one a refusal only bounds.
	learned := s.slices > 0 && float64(s.rows)/float64(s.slices) >= s.least
	if share <= allotPages*page && mine != nil && learned {
		s.shares = endShares(s.gaps, rate, streams)
		s.gaps = nil
		return s.next(mine)
	}
	// Much is left: whole pages, about half of a stream's share (so
	// pieces shrink towards the end), at most a sync request's budget.
	pages := min(max(1, int(share/(2*page))), syncRowBudget/graph.InsightsPageSize)
	want := max(1, int(pageFill*float64(pages)*page/rate))
	g := s.gaps[0]
	n := (g.hi - g.lo + want - 1) / want // pieces of even size within the gap
	return s.cut((g.hi - g.lo + n - 1) / n), true
}

// latencyRows is what a request's round trip costs in rows: about as long
// as serving this many rows takes (the API's ~0.9 s round trip against
// ~0.3 ms a row, sandbox.RealisticModel). It weighs pieces against each
// other when the end is shared out.
const latencyRows = 3000

// endShares cuts what is left (gaps, at rate rows per slice) into at most
// streams shares of about even time: each gap into pieces of a page or
// less, and the pieces dealt longest first to the share with the least
// time so far. More pieces than the fewest cost more round trips but can
// even the shares out (no stream waiting on a last, lone round), so every
// count up to a round of the streams more is tried and the one whose
// longest share is shortest kept. The longest share comes first, for the
// stream that asks first.
func endShares(gaps []span, rate float64, streams int) [][]span {
	onePage := pageFill * float64(graph.InsightsPageSize)
	least := make([]int, len(gaps))
	fewest := 0
	for i, g := range gaps {
		least[i] = min(g.hi-g.lo, max(1, int(math.Ceil(rate*float64(g.hi-g.lo)/onePage))))
		fewest += least[i]
	}
	var best [][]span
	bestLoad := math.Inf(1)
	for extra := 0; extra <= streams; extra++ {
		shares, load := dealShares(cutGaps(gaps, least, extra), rate, streams)
		if load < bestLoad {
			best, bestLoad = shares, load
		}
	}
	return best
}

// cutGaps cuts each gap into least[i] even pieces and extra more, each to
// the gap whose pieces are biggest.
func cutGaps(gaps []span, least []int, extra int) []span {
	n := slices.Clone(least)
	for ; extra > 0; extra-- {
		best := -1
		for i, g := range gaps {
			if n[i] < g.hi-g.lo && (best < 0 || (g.hi-g.lo)*n[best] > (gaps[best].hi-gaps[best].lo)*n[i]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		n[best]++
	}
	var pieces []span
	for i, g := range gaps {
		size := g.hi - g.lo
		for k := range n[i] {
			pieces = append(pieces, span{g.lo + k*size/n[i], g.lo + (k+1)*size/n[i]})
		}
	}
	return pieces
}

// dealShares deals pieces longest first to the share with the least time
// so far, a piece costing its rows and a round trip (latencyRows). It
// returns the shares, longest first, and the longest share's cost.
func dealShares(pieces []span, rate float64, streams int) ([][]span, float64) {
	cost := func(p span) float64 { return rate*float64(p.hi-p.lo) + latencyRows }
	slices.SortStableFunc(pieces, func(a, b span) int { return cmp.Compare(cost(b), cost(a)) })
	shares := make([][]span, min(streams, len(pieces)))
	load := make([]float64, len(shares))
	for _, p := range pieces {
		k := 0
		for i := range load {
			if load[i] < load[k] {
				k = i
			}
		}
		shares[k] = append(shares[k], p)
		load[k] += cost(p)
	}
	order := make([]int, len(shares))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(load[b], load[a]) })
	out := make([][]span, len(shares))
	for i, k := range order {
		out[i] = shares[k]
		slices.SortFunc(out[i], func(a, b span) int { return a.lo - b.lo })
	}
	return out, load[order[0]]
}

// cut hands out the first n slices of the first gap.
func (s *schedule) cut(n int) span {
	g := &s.gaps[0]
	p := span{g.lo, g.lo + min(n, g.hi-g.lo)}
	if g.lo = p.hi; g.lo == g.hi {
		s.gaps = s.gaps[1:]
	}
	return p
}

// coming estimates the rows still to come from every piece handed out: a
// started piece's rows less what the rows per second of the completed
// pieces say has come.
func (s *schedule) coming(rate float64) float64 {
	perSec := 0.0
	if s.secs > 0 {
		perSec = float64(s.rows) / s.secs
	}
	now := s.now()
	coming := 0.0
	for p, f := range s.out {
		coming += max(0, rate*float64(p.hi-p.lo)-perSec*now.Sub(f.start).Seconds())
	}
	return coming
}

// learn records that piece p completed with rows rows, or, with rows < 0,
// that the API found it too big for a sync request (smaller units read it
// instead). The API publishes no limit; fbsql asks no more than
// syncRowBudget rows of one request, so such a piece is taken to hold at
// least that many. It reports whether this is the first thing learned.
func (s *schedule) learn(p span, rows int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.out[p]
	delete(s.out, p)
	first := !s.heard
	s.heard = true
	if rows < 0 {
		s.least = max(s.least, float64(syncRowBudget)/float64(p.hi-p.lo))
		return first
	}
	s.rows += rows
	s.slices += p.hi - p.lo
	if !f.start.IsZero() {
		s.secs += s.now().Sub(f.start).Seconds()
	}
	return first
}

// unit is the piece p as a unit, async when even the rate learned so far
// says it is too big for a sync request.
func (s *schedule) unit(p span) *unit {
	u := s.sl.part(p.lo, p.hi)
	s.mu.Lock()
	u.async = s.rate()*float64(p.hi-p.lo) > syncRowBudget
	s.mu.Unlock()
	return u
}

// runSchedule runs an account's schedule: a stream per probe first, the
// other streams once a probe has told something, so that no more pieces
// than the probes are sized from the static estimate alone.
func (r *insightsRun) runSchedule(ctx context.Context, s *schedule) {
	for range s.first {
		r.stream(ctx, s)
	}
}

// stream starts a goroutine that runs pieces of s until none is left.
// The first piece to complete (or to be found too big) starts the other
// streams.
func (r *insightsRun) stream(ctx context.Context, s *schedule) {
	r.wg.Add(1)
	s.mu.Lock()
	s.alive++
	s.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer func() {
			s.mu.Lock()
			s.alive--
			s.mu.Unlock()
		}()
		var mine []span
		for ctx.Err() == nil {
			p, ok := s.take(&mine)
			if !ok {
				return
			}
			rows, ok := r.run(ctx, s.unit(p))
			if !ok {
				return
			}
			if s.learn(p, rows) {
				for range s.streams - s.first {
					r.stream(ctx, s)
				}
			}
		}
	}()
}
