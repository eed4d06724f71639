package engine

import (
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
	for range 100_000 {
		p, ok := s.take()
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

// TestScheduleSizesPiecesFromTheRowsItSees: the estimate says 1000 rows a day where there are
// 228 (the sandbox's year of ad × country × day); the probes are sized from the estimate, every
// later piece from what the probes returned: one page or less at the true rate, and at least
// half of one unless it is what is left of a gap between probes.
func TestScheduleSizesPiecesFromTheRowsItSees(t *testing.T) {
	u := unit{since: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), increment: "1"}
	sl, _ := u.slicing()
	const truth, streams = 228, 16
	s := newSchedule(sl, 1000, streams)
	probes := s.first
	if probes != streams/2 {
		t.Fatalf("%d probes, want %d", probes, streams/2)
	}
	pieces := drain(t, s, func(p span) int { return truth * (p.hi - p.lo) })
	page := graph.InsightsPageSize
	small := 0
	for _, p := range pieces[probes:] {
		rows := truth * (p.hi - p.lo)
		if rows > page {
			t.Errorf("piece %v holds %d rows, more than a page", p, rows)
		}
		if rows < page/2 {
			small++
		}
	}
	if small > probes { // at most the end of each gap between two probes
		t.Errorf("%d pieces under half a page, want at most %d: %v", small, probes, pieces)
	}
	// Sized from the estimate alone, pieces of a page would hold 4.5 days, 80 of them.
	if n := len(pieces); n > probes+(truth*sl.n)/(page/2)+probes {
		t.Errorf("%d pieces for %d rows: not sized from the rows seen", n, truth*sl.n)
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
		p, ok := s.take()
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
