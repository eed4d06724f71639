package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// drain takes every piece of s as streams would, each completing with rows(p) rows, and
// returns the pieces in the order handed out.
func drain(t *testing.T, s *schedule, rows func(span) int) []span {
	t.Helper()
	var out []span
	var mine []span
	for range 100_000 {
		p, ok := s.take(&mine)
		if !ok {
			return out
		}
		if p.lo >= p.hi {
			t.Fatalf("empty piece %v", p)
		}
		out = append(out, p)
		s.learn(p, rows(p))
	}
	t.Fatal("the schedule never ends")
	return nil
}

// TestSchedulePiecesPartitionTheSlices: whatever the estimate and the rows, the pieces cover
// every slice exactly once, and as units they cover every day of the range exactly once.
func TestSchedulePiecesPartitionTheSlices(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	units := map[string]unit{
		"daily year": {since: day("2025-12-01"), until: day("2026-11-30"), increment: "1"},
		"weekly":     {since: day("2026-01-03"), until: day("2026-11-30"), increment: "7"},
		"monthly":    {since: day("2023-11-15"), until: day("2026-11-30"), increment: "monthly"},
		"two days":   {since: day("2026-11-29"), until: day("2026-11-30"), increment: "1"},
		"ranges": {ranges: []dateRange{{day("2026-01-01"), day("2026-01-31")}, {day("2026-03-01"), day("2026-03-31")},
			{day("2026-05-01"), day("2026-05-02")}, {day("2026-07-04"), day("2026-07-04")}}},
	}
	for name, u := range units {
		sl, ok := u.slicing()
		if !ok {
			t.Fatalf("%s: cannot be cut", name)
		}
		for _, guess := range []float64{0, 3, 1000, 60_000} {
			for _, truth := range []int{0, 7, 228, 4999, 30_000} {
				for _, streams := range []int{1, 2, 16} {
					s := newSchedule(sl, guess, streams)
					pieces := drain(t, s, func(p span) int { return truth * (p.hi - p.lo) })
					label := fmt.Sprintf("%s guess %v truth %d streams %d", name, guess, truth, streams)
					slices.SortFunc(pieces, func(a, b span) int { return a.lo - b.lo })
					next := 0
					for _, p := range pieces {
						if p.lo != next {
							t.Fatalf("%s: pieces %v leave a gap or overlap at slice %d", label, pieces, next)
						}
						next = p.hi
					}
					if next != sl.n {
						t.Fatalf("%s: pieces end at slice %d of %d", label, next, sl.n)
					}
					checkUnitsCover(t, label, &u, sl, pieces)
				}
			}
		}
	}
}

// checkUnitsCover: the pieces as units, in order, cover u's days (or ranges) exactly.
func checkUnitsCover(t *testing.T, label string, u *unit, sl slicing, pieces []span) {
	t.Helper()
	if u.ranges != nil {
		var got []dateRange
		for _, p := range pieces {
			got = append(got, sl.part(p.lo, p.hi).ranges...)
		}
		if !slices.Equal(got, u.ranges) {
			t.Fatalf("%s: ranges %v, want %v", label, got, u.ranges)
		}
		return
	}
	next := u.since
	for _, p := range pieces {
		c := sl.part(p.lo, p.hi)
		if !c.since.Equal(next) || c.until.Before(c.since) {
			t.Fatalf("%s: piece %v is %s..%s, want it to start %s", label, p, c.since.Format(time.DateOnly), c.until.Format(time.DateOnly), next.Format(time.DateOnly))
		}
		next = c.until.Add(dayLen)
	}
	if !next.Equal(u.until.Add(dayLen)) {
		t.Fatalf("%s: pieces end %s, want %s", label, next.Add(-dayLen).Format(time.DateOnly), u.until.Format(time.DateOnly))
	}
}

// simulate runs s's streams against a model of the API's load limit (reference §5.5, the
// sandbox's Model): slots requests of the account served at once, more wait in order; a piece
// of n rows takes one latency per page plus perRow per row. It returns when the last piece
// ended, the requests (pages) sent, and the pieces handed out.
func simulate(t *testing.T, s *schedule, slots, most int, rows func(span) int) (time.Duration, int, []span) {
	t.Helper()
	const latency, perRow = 900 * time.Millisecond, 300 * time.Microsecond
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	clock := t0
	s.now = func() time.Time { return clock }
	s.slots = func() (int, bool) { return slots, s.heard }
	type job struct {
		stream int
		p      span
		end    time.Time
	}
	var (
		running []job        // pieces being served, at most slots
		queue   []job        // pieces waiting for a slot
		mine    = [][]span{} // each stream's allotment
		pieces  []span
		pages   int
	)
	free := make([]time.Time, 0, slots) // when the served pieces end
	start := func(stream int) bool {
		p, ok := s.take(&mine[stream])
		if !ok {
			s.alive--
			return false
		}
		pieces = append(pieces, p)
		queue = append(queue, job{stream: stream, p: p})
		return true
	}
	serve := func() {
		for len(running) < slots && len(queue) > 0 {
			j := queue[0]
			queue = queue[1:]
			n := rows(j.p)
			pg := max(1, (n+graph.InsightsPageSize-1)/graph.InsightsPageSize)
			pages += pg
			j.end = clock.Add(time.Duration(pg)*latency + time.Duration(n)*perRow)
			if testing.Verbose() {
				t.Logf("stream %2d piece %v rows %5d start %5.2f end %5.2f", j.stream, j.p, n, clock.Sub(t0).Seconds(), j.end.Sub(t0).Seconds())
			}
			running = append(running, j)
		}
	}
	_ = free
	s.started = max(1, min(s.first, most))
	for range s.started {
		mine = append(mine, nil)
		s.alive++
		start(len(mine) - 1)
	}
	serve()
	for len(running) > 0 {
		k := 0
		for i, j := range running {
			if j.end.Before(running[k].end) {
				k = i
			}
		}
		j := running[k]
		running = slices.Delete(running, k, k+1)
		clock = j.end
		if s.learn(j.p, rows(j.p)) {
			s.alive += s.streams - s.started
			for range s.streams - s.started {
				mine = append(mine, nil)
				start(len(mine) - 1)
			}
		}
		start(j.stream)
		serve()
	}
	return clock.Sub(t0), pages, pieces
}

// TestScheduleEndsTheStreamsTogether: the estimate says 1000 rows a day where there are about
// 228 (the sandbox's year of ad × country × day, here varying ±20% over the year); the API
// serves 10 requests of the account at once. The schedule's pieces, sized from the rows the
// probes return and, at the end, an even share per slot, read the year within 1.2× the
// floor no client can beat (every row's time and one latency per full page, spread over the
// slots); pieces of one page each, taken as they come, needed 1.56×, and probes spread over
// the range, eight of them, 1.36× with 10 slots.
func TestScheduleEndsTheStreamsTogether(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	rows := func(p span) int {
		n := 0
		for d := p.lo; d < p.hi; d++ {
			n += 228 + 228*((d*37)%41-20)/100
		}
		return n
	}
	for _, c := range []struct{ slots, most int }{{4, 16}, {10, 16}, {2, 3}} {
		slots := c.slots
		t.Run(fmt.Sprintf("%d slots, %d probes at most", slots, c.most), func(t *testing.T) {
			s := newSchedule(sl, 1000, 16)
			took, pages, pieces := simulate(t, s, slots, c.most, rows)
			total := rows(span{0, sl.n})
			floor := (time.Duration(total)*300*time.Microsecond + time.Duration((total+graph.InsightsPageSize-1)/graph.InsightsPageSize)*900*time.Millisecond) / time.Duration(slots)
			ratio := took.Seconds() / floor.Seconds()
			t.Logf("%d rows in %d pieces, %d pages: %.2fs, floor %.2fs, ratio %.2f", total, len(pieces), pages, took.Seconds(), floor.Seconds(), ratio)
			if ratio > 1.2 {
				t.Errorf("the schedule took %.2f× the floor, want at most 1.2×", ratio)
			}
			// With the probes on every slot the throttle starts with, each slot reads the
			// year in two round trips, the floor's shape (sandbox.Model.Floor's whole calls):
			// probes spread over the range left a gap each, cut into more pieces than
			// streams, and a third round.
			if c.slots == graph.StartConcurrency(16) && pages > 2*slots {
				t.Errorf("%d pages over %d slots, want at most two rounds (%d)", pages, slots, 2*slots)
			}
			slices.SortFunc(pieces, func(a, b span) int { return a.lo - b.lo })
			checkUnitsCover(t, "year", &u, sl, pieces)
		})
	}
}

// TestScheduleShrinksPiecesAfterOneIsTooBig: the estimate is far too low (100 rows a day
// where there are 20,000) and the API refuses every probe as too big; each refusal raises the
// rate the schedule assumes, so after the probes few pieces are refused before they fit one
// sync request. Sized from the estimate, every piece would be refused.
func TestScheduleShrinksPiecesAfterOneIsTooBig(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	const truth = 20_000
	s := newSchedule(sl, 100, 16)
	taken, refused, fit := 0, 0, 0
	for {
		p, ok := s.take(nil)
		if !ok {
			break
		}
		taken++
		rows := truth * (p.hi - p.lo)
		if rows <= syncRowBudget {
			fit++
			s.learn(p, rows)
			continue
		}
		if taken > s.first {
			refused++
		}
		s.learn(p, -1) // too big: smaller units read it instead
	}
	if refused > 2 || fit == 0 {
		t.Errorf("%d pieces after the probes refused as too big, %d fit", refused, fit)
	}
}

// TestScheduleProbesFitAPageUnderAHighGuess: the static estimate is often several times the
// rows there are. Whatever the truth up to guessHigh times below the guess, the first round —
// a probe on each request the throttle starts an account with — holds at most a page per
// probe (a probe of two pages costs two round trips), covers at most half of the range, and
// leaves one gap, which the end then cuts into a piece per stream when that fits pages.
func TestScheduleProbesFitAPageUnderAHighGuess(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	const guess = 1000.0
	for _, truth := range []float64{guess / guessHigh, guess / 3, guess / 2, guess} {
		s := newSchedule(sl, guess, 16)
		if want := graph.StartConcurrency(16); s.first != want || len(s.probes) != want {
			t.Fatalf("%d probes, want one per request the throttle starts with, %d", len(s.probes), want)
		}
		covered := 0
		for _, p := range s.probes {
			covered += p.hi - p.lo
			if rows := truth * float64(p.hi-p.lo); truth <= guess/guessHigh && rows > graph.InsightsPageSize {
				t.Errorf("truth %.0f a day: probe %v holds %.0f rows, more than a page", truth, p, rows)
			}
		}
		if covered > sl.n/2 {
			t.Errorf("truth %.0f a day: the probes cover %d of %d slices, more than half", truth, covered, sl.n)
		}
		if len(s.gaps) != 1 {
			t.Errorf("the probes leave %d gaps %v, want one", len(s.gaps), s.gaps)
		}
	}
	// Left after the probes, a gap of 185 days at 260 rows a day, about 48,100 rows for 10
	// streams: a piece of nearly a page each, where pieces of at most 90% of a page would be
	// eleven or more, and a third round for some streams.
	shares := endShares([]span{{90, 275}}, 260, 10)
	if len(shares) != 10 {
		t.Fatalf("%d shares, want 10", len(shares))
	}
	for _, sh := range shares {
		if len(sh) != 1 {
			t.Errorf("share %v: want one piece per stream", sh)
		}
	}
}

// TestScheduleWorkLeftCountsPiecesUntilTheyComplete: the work an account says it has left
// (graph's SetWork, by which the app's requests are shared) counts a piece handed out whole
// until it completes, however long ago it was taken. With many accounts read at once a
// piece's requests wait seconds for the app's turn; counted by the time since it was taken,
// an account whose pieces all waited said it had 1 row left, got no request, and so waited on.
func TestScheduleWorkLeftCountsPiecesUntilTheyComplete(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	const perDay = 200
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := newSchedule(sl, perDay, 16)
	s.now = func() time.Time { return clock }
	var told float64
	s.work = func(rows float64) { told = rows }
	// One probe completes, so the rate is learned and the rest is read at it.
	p, _ := s.take(nil)
	clock = clock.Add(3 * time.Second)
	s.learn(p, perDay*(p.hi-p.lo))
	var mine []span
	var out []span
	for {
		q, ok := s.take(&mine)
		if !ok {
			break
		}
		out = append(out, q)
	}
	// Every piece taken, none completed, and a minute spent waiting for the app's turn.
	clock = clock.Add(time.Minute)
	want := perDay * (sl.n - (p.hi - p.lo))
	for _, q := range out[1:] {
		s.learn(q, perDay*(q.hi-q.lo))
		want -= perDay * (q.hi - q.lo)
		if told < 0.99*float64(want) || told > 1.01*float64(want) {
			t.Fatalf("after %v completed: work left said %.0f rows, want the %d of the pieces not completed", q, told, want)
		}
	}
}

// TestScheduleCutsAPieceWhenTheAccountCanSendIt: with many accounts read at once, an account
// may send only its share of the app's requests (here 3) while its 16 streams ask for pieces.
// A stream with none of its own waits while the account has as many out as it may send, so
// that a piece is sized by what is left when it can be sent, and every slice is still read
// once. Cut whenever a stream asked, ten pieces were out at the first answer, most of them to
// wait for a request, sized by what was left before they were sent.
func TestScheduleCutsAPieceWhenTheAccountCanSendIt(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	const perDay, slots, streams = 240, 3, 16
	rows := func(p span) int { return perDay * (p.hi - p.lo) }
	s := newSchedule(sl, 1000, streams)
	s.slots = func() (int, bool) { return slots, s.heard }
	asked, cancel := context.WithCancel(context.Background())
	cancel() // a stream that would wait gives up at once here, and asks again later
	type piece struct {
		p      span
		stream int
	}
	var out []piece // pieces out, the oldest first, which completes first
	var order []span
	mine := make([][]span, streams)
	busy := make([]bool, streams)
	ask := func(n int) {
		for k := range n {
			if busy[k] {
				continue
			}
			if p, ok := s.await(asked, &mine[k]); ok {
				out = append(out, piece{p, k})
				order = append(order, p)
				busy[k] = true
			}
		}
	}
	// As runSchedule with the account's share: a stream per request it may send, the others
	// once an answer has come.
	s.started, s.alive = slots, streams
	ask(slots)
	for len(out) > 0 {
		c := out[0]
		out = out[1:]
		busy[c.stream] = false
		s.learn(c.p, rows(c.p))
		ask(streams)
		if len(out) > slots {
			t.Fatalf("after %v completed, %d pieces out for an account that may send %d", c.p, len(out), slots)
		}
	}
	covered := 0
	for _, p := range order {
		covered += p.hi - p.lo
	}
	if covered != sl.n {
		t.Fatalf("the pieces cover %d slices of %d", covered, sl.n)
	}
}
