package engine

import (
	"strconv"
	"time"
)

// unit is one piece of an insights scan for one account: its own time
// range (or list of ranges) and, when split by entity, its own campaigns.
// Units partition the scan's rows exactly, so their union is the answer.
type unit struct {
	acct      string
	since     time.Time   // time_range bounds; zero for a date preset
	until     time.Time   //
	ranges    []dateRange // time_ranges; nil otherwise
	increment string      // time_increment of the scan
	campaigns []string    // campaign ids this unit is limited to; nil = all
	async     bool        // run as an async report run
	attempts  int         // async retries of this same unit
	lastTries int         // rounds of maxJobAttempts a unit that cannot be split has had
	restarts  int         // runs again after paging broke off
	id        int64       // tags the unit's rows in the stage table
}

type dateRange struct{ since, until time.Time }

const dayLen = 24 * time.Hour

// slicing is a unit seen as its time slices in order: any run of
// consecutive slices is a unit of its own (part), and parts of disjoint
// runs partition the unit's rows, since every row belongs to one slice.
type slicing struct {
	u      *unit
	starts []time.Time // the first day of every slice; nil when u lists ranges
	n      int         // slices
}

// slicing returns the unit's slices, or false when it cannot be cut (one
// slice, all_days, a preset, an increment fbsql does not know).
func (u *unit) slicing() (slicing, bool) {
	if u.ranges != nil {
		return slicing{u: u, n: len(u.ranges)}, len(u.ranges) > 1
	}
	if u.since.IsZero() || u.increment == "all_days" {
		return slicing{}, false
	}
	starts := []time.Time{u.since}
	switch u.increment {
	case "monthly":
		for d := time.Date(u.since.Year(), u.since.Month()+1, 1, 0, 0, 0, 0, time.UTC); !d.After(u.until); d = d.AddDate(0, 1, 0) {
			starts = append(starts, d)
		}
	default:
		step, err := strconv.Atoi(u.increment)
		if err != nil || step < 1 {
			return slicing{}, false
		}
		for d := u.since.AddDate(0, 0, step); !d.After(u.until); d = d.AddDate(0, 0, step) {
			starts = append(starts, d)
		}
	}
	return slicing{u: u, starts: starts, n: len(starts)}, len(starts) > 1
}

// part is the unit of slices [i, j).
func (s slicing) part(i, j int) *unit {
	c := *s.u
	if s.starts == nil {
		c.ranges = s.u.ranges[i:j]
		return &c
	}
	c.since = s.starts[i]
	if j < s.n {
		c.until = s.starts[j].Add(-dayLen)
	}
	return &c
}

// splitTime cuts a unit into up to n units of about as many slices each,
// so that every time slice of the answer lands whole in exactly one unit.
// It returns nil when the unit cannot be cut.
func (u *unit) splitTime(n int) []*unit {
	s, ok := u.slicing()
	if n < 2 || !ok {
		return nil
	}
	n = min(n, s.n)
	out := make([]*unit, 0, n)
	for k := range n {
		out = append(out, s.part(k*s.n/n, (k+1)*s.n/n))
	}
	return out
}

// splitCampaigns cuts a unit in two by campaign; only valid at campaign
// level or finer, where every row belongs to one campaign.
func (u *unit) splitCampaigns() []*unit {
	if len(u.campaigns) < 2 {
		return nil
	}
	half := len(u.campaigns) / 2
	a, b := *u, *u
	a.campaigns, b.campaigns = u.campaigns[:half], u.campaigns[half:]
	return []*unit{&a, &b}
}
