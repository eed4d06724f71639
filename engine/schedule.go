package engine

import (
	"context"
	"sync"

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
// so the rate learned from them is not that of one end of it; every later
// piece is sized from the rows per slice seen so far to whole pages, fewer
// as the range runs out, so the streams finish together.
type schedule struct {
	sl      slicing
	guess   float64 // rows per slice before any piece completed: the static estimate
	streams int     // streams taking pieces once a piece has completed
	first   int     // streams before that: one per probe

	mu     sync.Mutex
	probes []span  // the first pieces, not handed out yet
	gaps   []span  // slices between the probes not handed out yet, in order
	rows   int     // rows of the pieces completed
	slices int     // slices of the pieces completed
	least  float64 // rows per slice at least: a piece the API found too big for a sync request
	heard  bool    // a piece has completed or was found too big
}

// span is the slices [lo, hi) of a slicing.
type span struct{ lo, hi int }

const (
	// probePages is a probe's size by the static estimate, in pages: the
	// estimate tends to be high, and a probe much smaller than a page
	// pays a whole round trip for few rows.
	probePages = 2
	// pageFill is the share of whole pages a piece aims at, so that a
	// piece holding a few more rows than the rate says does not need one
	// more, nearly empty page.
	pageFill = 0.9
)

// newSchedule spreads streams/2 probes over the slices: half the streams
// while nothing is known, as the throttle does with requests, and probes
// covering at most half of the range, so the learned rate sizes the rest.
func newSchedule(sl slicing, guess float64, streams int) *schedule {
	s := &schedule{sl: sl, guess: guess, streams: max(1, streams)}
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

// take hands out the next piece, false when every slice has been.
func (s *schedule) take() (span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.probes) > 0 {
		p := s.probes[0]
		s.probes = s.probes[1:]
		return p, true
	}
	if len(s.gaps) == 0 {
		return span{}, false
	}
	left := 0
	for _, g := range s.gaps {
		left += g.hi - g.lo
	}
	g := &s.gaps[0]
	size := g.hi - g.lo
	if rate := s.rate(); rate > 0 {
		// Whole pages, about half of a stream's fair share of what is
		// left (so pieces shrink towards the end and the streams end
		// together), at least one page and at most a sync request's budget.
		pages := min(max(1, int(rate*float64(left))/(2*s.streams*graph.InsightsPageSize)), syncRowBudget/graph.InsightsPageSize)
		want := max(1, int(pageFill*float64(pages*graph.InsightsPageSize)/rate))
		n := (size + want - 1) / want // pieces of even size within the gap
		size = (size + n - 1) / n
	}
	p := span{g.lo, g.lo + size}
	if g.lo += size; g.lo == g.hi {
		s.gaps = s.gaps[1:]
	}
	return p, true
}

// learn records that piece p completed with rows rows, or, with rows < 0,
// that the API found it too big for a sync request (smaller units read it
// instead). The API publishes no limit; fbsql asks no more than
// syncRowBudget rows of one request, so such a piece is taken to hold at
// least that many. It reports whether this is the first thing learned.
func (s *schedule) learn(p span, rows int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := !s.heard
	s.heard = true
	if rows < 0 {
		s.least = max(s.least, float64(syncRowBudget)/float64(p.hi-p.lo))
		return first
	}
	s.rows += rows
	s.slices += p.hi - p.lo
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
	go func() {
		defer r.wg.Done()
		for ctx.Err() == nil {
			p, ok := s.take()
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
