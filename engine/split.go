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
	restarts  int         // runs again after paging broke off
	id        int64       // tags the unit's rows in the stage table
}

type dateRange struct{ since, until time.Time }

const dayLen = 24 * time.Hour

// splitTime cuts a unit into up to n units along slice boundaries, so that
// every time slice of the answer lands whole in exactly one unit. It
// returns nil when the unit cannot be cut (one slice, all_days, a preset).
func (u *unit) splitTime(n int) []*unit {
	if n < 2 {
		return nil
	}
	if u.ranges != nil {
		if len(u.ranges) < 2 {
			return nil
		}
		var out []*unit
		per := (len(u.ranges) + n - 1) / n
		for i := 0; i < len(u.ranges); i += per {
			c := *u
			c.ranges = u.ranges[i:min(i+per, len(u.ranges))]
			out = append(out, &c)
		}
		return out
	}
	if u.since.IsZero() || u.increment == "all_days" {
		return nil
	}
	var cuts []time.Time // start of each slice after the first
	switch u.increment {
	case "monthly":
		for d := time.Date(u.since.Year(), u.since.Month()+1, 1, 0, 0, 0, 0, time.UTC); !d.After(u.until); d = d.AddDate(0, 1, 0) {
			cuts = append(cuts, d)
		}
	default:
		step, err := strconv.Atoi(u.increment)
		if err != nil || step < 1 {
			return nil
		}
		for d := u.since.AddDate(0, 0, step); !d.After(u.until); d = d.AddDate(0, 0, step) {
			cuts = append(cuts, d)
		}
	}
	if len(cuts) == 0 {
		return nil
	}
	n = min(n, len(cuts)+1)
	var out []*unit
	start := u.since
	for i := 1; i < n; i++ {
		cut := cuts[i*len(cuts)/n]
		if !cut.After(start) {
			continue
		}
		c := *u
		c.since, c.until = start, cut.Add(-dayLen)
		out = append(out, &c)
		start = cut
	}
	last := *u
	last.since = start
	return append(out, &last)
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
