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
	first   int     // probes: the pieces read first, from both ends of the range
	started int     // streams before a piece completed, one per probe at most
	// slots, when set, is how many requests the API serves the account at
	// once, once its load readings have shown that (graph's Concurrency).
	slots func() (int, bool)
	// work, when set, is told the rows the account has left to read after
	// every piece handed out or completed (graph's SetWork), so that the
	// app's requests go to the accounts with the most left.
	work func(rows float64)
	now  func() time.Time

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
	owned  []*[]span       // the pieces of the shares taken, not run yet, by stream
	wake   chan struct{}   // closed (and replaced) when a piece completes
	out    map[span]flight // pieces handed out and not completed (allotted pieces not started too)
}

// span is the slices [lo, hi) of a slicing.
type span struct{ lo, hi int }

// flight is a piece handed out: when its stream started it, to tell how
// much of it is still to come.
type flight struct{ start time.Time }

const (
	// guessHigh is how many times too high the static estimate may be and
	// a probe still hold at most a page: the estimate tends to be high
	// (the sandbox's year of ad × country × day holds ~4.4 times fewer
	// rows than it says), and a probe much smaller than a page pays a
	// whole round trip for few rows, while one of two pages pays two.
	guessHigh = 4
	// pageFill is the share of whole pages a piece aims at while much is
	// left, so that a piece holding a few more rows than the rate says
	// does not need one more, nearly empty page.
	pageFill = 0.9
	// endFill is the share of a page a piece at the end may hold: the rate
	// is learned by then from every probe, and a round of pieces of nearly
	// a page each can end the account where pieces of pageFill would need
	// one round more.
	endFill = 0.97
	// allotPages is the most pages a stream is allotted at the end: an
	// even share of what is left once that is at most this much. More
	// would lean on a rate learned from few pieces for longer.
	allotPages = 4
)

// newSchedule lays out a probe per request the throttle sends an account
// at first (graph.StartConcurrency of streams), each at most a page even
// if the estimate is guessHigh times high, and together covering at most
// half of the range, so the learned rate sizes the rest. Half of them
// are read from the start of the range and half from its end, so the
// rate is not that of one end, and what is left is one gap in the middle
// that can be cut into as many even pieces as the API then serves at
// once (probes spread over the range leave a gap each, each cut into
// whole pieces: more pieces than streams, and a round more).
func newSchedule(sl slicing, guess float64, streams int) *schedule {
	s := &schedule{sl: sl, guess: guess, streams: max(1, streams), now: time.Now, out: map[span]flight{}}
	s.wake = make(chan struct{})
	probes := max(1, min(sl.n, graph.StartConcurrency(streams)))
	size := max(1, min(int(guessHigh*graph.InsightsPageSize/max(guess, 1)), sl.n/(2*probes)))
	head := (probes + 1) / 2
	for k := range head {
		s.probes = append(s.probes, span{k * size, (k + 1) * size})
	}
	tail := sl.n - (probes-head)*size
	for k := range probes - head {
		s.probes = append(s.probes, span{tail + k*size, tail + (k+1)*size})
	}
	if head*size < tail {
		s.gaps = []span{{head * size, tail}}
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
// every slice has been handed out, or, at the end, every share is taken and
// none has a piece to spare. mine holds the pieces of the stream's share
// not run yet (nil for a caller that runs each piece as its own stream).
func (s *schedule) take(mine *[]span) (span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok, _ := s.next(mine)
	if ok {
		s.out[p] = flight{start: s.now()}
		s.tellWork()
	}
	return p, ok
}

// await is take for a stream that may wait: at the end, while other
// streams' shares still hold pieces but the account has no request to
// spare, it waits until it has (a piece completed, or the API serves more
// once other accounts are done) and takes the last piece of the longest
// share.
func (s *schedule) await(ctx context.Context, mine *[]span) (span, bool) {
	for {
		s.mu.Lock()
		var p span
		ok, wait := false, true
		if !s.full(mine) {
			p, ok, wait = s.next(mine)
		}
		if ok {
			s.out[p] = flight{start: s.now()}
			s.tellWork()
		}
		wake := s.wake
		s.mu.Unlock()
		if ok || !wait {
			return p, ok
		}
		select {
		case <-ctx.Done():
			return span{}, false
		case <-wake:
		case <-time.After(stealPoll):
			// The API may serve one more request of the account once other
			// accounts are done; nothing here signals that.
		}
	}
}

// full says a stream with no piece of its own left (mine) is to wait before it cuts one: the
// account has as many pieces out as the API serves of it at once, as its load readings and its
// share of the app's requests say. A piece cut then would only wait for a request, sized by
// what was left when it was cut rather than when it is sent: in the sandbox's 50-account year,
// where an account may send 2 or 3 at once, its 16 streams cut all its days into pieces of two
// pages as soon as the first answer came, pieces that waited up to 12 s, and the accounts'
// last requests were such pieces: they ended between 16.9 and 19.4 s, and, cut when they can
// be sent, between 18.2 and 19.2 s.
func (s *schedule) full(mine *[]span) bool {
	if mine != nil && len(*mine) > 0 {
		return false
	}
	n, known := s.concurrency()
	return known && len(s.out) >= n
}

// stealPoll is how often a stream waiting to take a piece from another
// share looks again, besides whenever a piece completes.
const stealPoll = 200 * time.Millisecond

// tellWork tells work the rows left: those of the slices not handed out,
// or handed out and not completed.
func (s *schedule) tellWork() {
	if s.work == nil {
		return
	}
	left := 0
	for _, list := range [][]span{s.probes, s.gaps} {
		for _, p := range list {
			left += p.hi - p.lo
		}
	}
	for _, share := range s.shares {
		for _, p := range share {
			left += p.hi - p.lo
		}
	}
	for _, o := range s.owned {
		for _, p := range *o {
			left += p.hi - p.lo
		}
	}
	// A piece handed out counts whole until it completes, not less by the
	// time since: with many accounts read at once its requests may wait
	// seconds for the app's turn before one is sent, and counted by time
	// (coming) an account whose pieces all waited said it had no work
	// left, so was given none (in the sandbox's 50-account year, the
	// accounts with most rows sent nothing for 3–5 s mid-way, said 1 row
	// left, and ended up to 5 s after the others).
	for p := range s.out {
		left += p.hi - p.lo
	}
	s.work(max(1, s.rate()*float64(left)))
}

// concurrency is how many requests of the account the API serves at once,
// as far as the schedule knows.
func (s *schedule) concurrency() (int, bool) {
	if s.slots != nil {
		if n, ok := s.slots(); ok {
			return n, true
		}
	}
	return s.streams, false
}

// steal takes the last piece of the share with the most rows not run yet,
// if the account can send one more request now; wait says a piece may be
// stolen later.
func (s *schedule) steal() (p span, ok, wait bool) {
	var victim *[]span
	most := 0
	for _, o := range s.owned {
		rows := 0
		for _, q := range *o {
			rows += q.hi - q.lo
		}
		if rows > most {
			victim, most = o, rows
		}
	}
	if victim == nil {
		return span{}, false, false
	}
	if n, _ := s.concurrency(); len(s.out) >= n {
		return span{}, false, true
	}
	n := len(*victim)
	p = (*victim)[n-1]
	*victim = (*victim)[:n-1]
	return p, true, false
}

func (s *schedule) next(mine *[]span) (_ span, ok, wait bool) {
	if mine != nil && len(*mine) > 0 {
		p := (*mine)[0]
		*mine = (*mine)[1:]
		return p, true, false
	}
	if len(s.probes) > 0 {
		if s.heard {
			// Probes no stream took before the rate was learned are slices
			// like any others: sized from the rate, not the estimate.
			s.dissolveProbes()
		} else {
			p := s.probes[0]
			s.probes = s.probes[1:]
			return p, true, false
		}
	}
	if s.shares != nil {
		if len(s.shares) == 0 {
			if mine == nil {
				return span{}, false, false
			}
			return s.steal()
		}
		a := s.shares[0]
		s.shares = s.shares[1:]
		if mine != nil {
			*mine = a[1:]
			s.owned = append(s.owned, mine)
		}
		return a[0], true, false
	}
	if len(s.gaps) == 0 {
		return span{}, false, false
	}
	rate := s.rate()
	if rate <= 0 {
		return s.cut(s.gaps[0].hi - s.gaps[0].lo), true, false
	}
	page := float64(graph.InsightsPageSize)
	left := 0
	for _, g := range s.gaps {
		left += g.hi - g.lo
	}
	// The share is over the streams the API serves at once, or the
	// streams there are when fewer are left: the probes', which ran at
	// once. A reading of the load is a request or two off either way (one
	// on its way, an answer read here after a later one, a machine that
	// lagged), and a plan for one stream more than the API serves leaves a
	// piece waiting a whole round for a slot: in the sandbox's 10-account
	// year, readings said 6 to 16 of accounts served 10 at a time. Streams
	// beyond the plan that find room take the last piece of a longer share.
	streams, _ := s.concurrency()
	if s.slots != nil && s.started > 0 {
		streams = s.started
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
	return s.cut((g.hi - g.lo + n - 1) / n), true, false
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
// longest share is shortest kept, the fewest pieces when two tie. A piece
// is counted a round trip per page it may need (piecePages): one the rate
// says nearly fills a page may need two, which costs no more than cutting
// it in two, and less when it fits. The longest share comes first, for
// the stream that asks first.
func endShares(gaps []span, rate float64, streams int) [][]span {
	least := make([]int, len(gaps))
	for i, g := range gaps {
		least[i] = min(g.hi-g.lo, max(1, int(math.Ceil(rate*float64(g.hi-g.lo)/graph.InsightsPageSize))))
	}
	var best [][]span
	bestLoad := math.Inf(1)
	for extra := 0; extra <= streams; extra++ {
		shares, load := dealShares(cutGaps(gaps, least, extra), rate, streams)
		if load < bestLoad-1 {
			best, bestLoad = shares, load
		}
	}
	return best
}

// piecePages is how many pages a piece the rate says holds rows rows may
// need: as many as hold rows over endFill of a page, so that a rate a few
// percent low does not make a piece planned as one page need two.
func piecePages(rows float64) float64 {
	return max(1, math.Ceil(rows/(endFill*graph.InsightsPageSize)))
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
// so far, a piece costing its rows and a round trip (latencyRows) per page
// it may need. It
// returns the shares, longest first, and the longest share's cost.
func dealShares(pieces []span, rate float64, streams int) ([][]span, float64) {
	cost := func(p span) float64 {
		rows := rate * float64(p.hi-p.lo)
		return rows + latencyRows*piecePages(rows)
	}
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

// dissolveProbes puts the probes not handed out back among the gaps, in
// order, merged with the gaps they touch.
func (s *schedule) dissolveProbes() {
	all := append(s.gaps, s.probes...)
	s.probes = nil
	slices.SortFunc(all, func(a, b span) int { return a.lo - b.lo })
	s.gaps = s.gaps[:0:0]
	for _, g := range all {
		if n := len(s.gaps); n > 0 && s.gaps[n-1].hi == g.lo {
			s.gaps[n-1].hi = g.hi
			continue
		}
		s.gaps = append(s.gaps, g)
	}
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
	close(s.wake)
	s.wake = make(chan struct{})
	defer s.tellWork()
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
// than the probes are sized from the static estimate alone. Probes wait
// for nothing but a request slot, so no more start than the account can
// send at once (most, its share of the requests in flight when many
// accounts are read); the probes left are then read like other slices.
func (r *insightsRun) runSchedule(ctx context.Context, s *schedule, most int) {
	s.started = max(1, min(s.first, most))
	for range s.started {
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
			p, ok := s.await(ctx, &mine)
			if !ok {
				return
			}
			rows, ok := r.run(ctx, s.unit(p))
			if !ok {
				return
			}
			if s.learn(p, rows) {
				for range s.streams - s.started {
					r.stream(ctx, s)
				}
			}
		}
	}()
}
