package engine

import (
	"strconv"
	"time"

	"github.com/fbsql/fbsql/planner"
)

// Rough sizes used to guess how many rows an insights request returns,
// before any is made. A wrong guess costs time, never correctness: a sync
// request that turns out too big is split or sent as an async job.
var (
	// entitiesPerAccount is a typical account's object count at each level.
	entitiesPerAccount = map[string]int{"account": 1, "campaign": 15, "adset": 40, "ad": 100}
	// breakdownValues is a typical number of values per breakdown.
	breakdownValues = map[string]int{
		"age": 7, "gender": 3, "country": 10, "region": 60, "dma": 100, "publisher_platform": 4,
		"platform_position": 10, "impression_device": 6, "device_platform": 2, "product_id": 100,
		"hourly_stats_aggregated_by_advertiser_time_zone": 24, "hourly_stats_aggregated_by_audience_time_zone": 24,
	}
)

const (
	// syncRowBudget is the most rows fbsql asks of one sync request; larger
	// work is split into several requests or sent as an async job (the
	// API's guidance, reference §5.2).
	syncRowBudget = 50_000
	// parallelRows is the expected size above which a scan is cut into
	// pieces that run concurrently: the API serves rows at a fixed cost
	// per row, so several requests in parallel return them sooner. A scan
	// that can be cut by time is then fetched by a schedule
	// (schedule.go) that learns the real size from the first pieces.
	parallelRows = 2000
	// splitSlots is the most pieces a scan that no schedule fetches (a
	// slice too big for a sync request) is cut into per account for
	// parallelism alone: each piece costs a call of the account's budget.
	splitSlots = 8
)

// estimateRows guesses the rows of one unit of work.
func estimateRows(sc *planner.Scan, u *unit) int {
	level, _ := sc.Param("level")
	rows := entitiesPerAccount[level.(string)]
	if bds, ok := sc.Param("breakdowns"); ok {
		for _, b := range bds.([]string) {
			rows *= valueOr(breakdownValues[b], 10)
		}
	}
	if u.campaigns != nil {
		rows = max(1, rows*len(u.campaigns)/entitiesPerAccount["campaign"])
	}
	return rows * u.slices()
}

func valueOr(v, fallback int) int {
	if v == 0 {
		return fallback
	}
	return v
}

// slices is the number of time slices a unit's rows span.
func (u *unit) slices() int {
	switch {
	case u.ranges != nil:
		return len(u.ranges)
	case u.since.IsZero():
		return 30 // a date preset; last_30d is the default
	}
	days := int(u.until.Sub(u.since)/(24*time.Hour)) + 1
	switch u.increment {
	case "all_days":
		return 1
	case "monthly":
		return days/30 + 1
	}
	n, err := strconv.Atoi(u.increment)
	if err != nil || n <= 0 {
		return days
	}
	return (days + n - 1) / n
}
