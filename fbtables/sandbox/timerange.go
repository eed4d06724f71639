package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Dates are handled as day numbers (days since 1970-01-01), which makes
// ranges and slices plain integer arithmetic.

func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayTime(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

func dayString(day int) string { return dayTime(day).Format("2006-01-02") }

func parseDay(s string) (int, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	return dayOf(t), nil
}

// monthsBack returns the day n calendar months before day.
func monthsBack(day, n int) int { return dayOf(dayTime(day).AddDate(0, -n, 0)) }

// dateRange is an inclusive range of days.
type dateRange struct{ since, until int }

// timeSpec is the resolved time part of an insights request: one or more
// ranges (time_ranges gives several) and how each is sliced.
type timeSpec struct {
	ranges []dateRange
	incr   int // days per slice; 0 = all_days, -1 = monthly
}

// parseTime resolves time_ranges > time_range > date_preset (default
// last_30d) and time_increment, with the API's precedence: time_ranges
// ignores time_increment.
func parseTime(p params, today int) (timeSpec, *apiError) {
	var ts timeSpec
	if raw := p["time_ranges"]; raw != "" {
		var rs []map[string]string
		if relaxedJSON(raw, &rs) != nil || len(rs) == 0 {
			return ts, errParam("param time_ranges must be an array of objects with since and until")
		}
		for _, r := range rs {
			dr, err := rangeOf(r)
			if err != nil {
				return ts, err
			}
			ts.ranges = append(ts.ranges, dr)
		}
	} else if raw := p["time_range"]; raw != "" {
		var r map[string]string
		if relaxedJSON(raw, &r) != nil {
			return ts, errParam("param time_range must be an object with since and until")
		}
		dr, err := rangeOf(r)
		if err != nil {
			return ts, err
		}
		ts.ranges = []dateRange{dr}
	} else {
		preset := p["date_preset"]
		if preset == "" {
			preset = "last_30d"
		}
		dr, ok := presetRange(strings.ToLower(preset), today)
		if !ok {
			return ts, errParam("date_preset must be one of the following values: today, yesterday, this_month, last_month, this_quarter, maximum, data_maximum, last_3d, last_7d, last_14d, last_28d, last_30d, last_90d, last_week_mon_sun, last_week_sun_sat, last_quarter, last_year, this_week_mon_today, this_week_sun_today, this_year")
		}
		ts.ranges = []dateRange{dr}
	}
	earliest := monthsBack(today, 37)
	for _, r := range ts.ranges {
		if r.since < earliest {
			return ts, errTooOld()
		}
	}
	if p["time_ranges"] == "" {
		inc, err := parseIncrement(p["time_increment"])
		if err != nil {
			return ts, err
		}
		ts.incr = inc
	}
	return ts, nil
}

func rangeOf(r map[string]string) (dateRange, *apiError) {
	since, err1 := parseDay(r["since"])
	until, err2 := parseDay(r["until"])
	if err1 != nil || err2 != nil {
		return dateRange{}, errParam("param time_range must have since and until dates in the format YYYY-MM-DD")
	}
	if since > until {
		return dateRange{}, errParam("Invalid time range: since (%s) must be on or before until (%s)", r["since"], r["until"])
	}
	return dateRange{since, until}, nil
}

func parseIncrement(raw string) (int, *apiError) {
	switch raw {
	case "", "all_days":
		return 0, nil
	case "monthly":
		return -1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 90 {
		return 0, errParam("time_increment must be 'monthly', 'all_days' or an integer between 1 and 90, got '%s'", raw)
	}
	return n, nil
}

// presetRange computes a date_preset relative to today. "last_Nd" presets end
// yesterday, like Ads Manager; "this_*" presets include today.
func presetRange(preset string, today int) (dateRange, bool) {
	t := dayTime(today)
	y, m, _ := t.Date()
	monthStart := dayOf(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	qStart := dayOf(time.Date(y, ((m-1)/3)*3+1, 1, 0, 0, 0, 0, time.UTC))
	wd := int(t.Weekday()) // Sunday = 0
	switch preset {
	case "today":
		return dateRange{today, today}, true
	case "yesterday":
		return dateRange{today - 1, today - 1}, true
	case "last_3d", "last_7d", "last_14d", "last_28d", "last_30d", "last_90d":
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(preset, "last_"), "d"))
		return dateRange{today - n, today - 1}, true
	case "this_month":
		return dateRange{monthStart, today}, true
	case "last_month":
		return dateRange{monthsBack(monthStart, 1), monthStart - 1}, true
	case "this_quarter":
		return dateRange{qStart, today}, true
	case "last_quarter":
		return dateRange{monthsBack(qStart, 3), qStart - 1}, true
	case "this_year":
		return dateRange{dayOf(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)), today}, true
	case "last_year":
		return dateRange{dayOf(time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC)), dayOf(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)) - 1}, true
	case "this_week_sun_today":
		return dateRange{today - wd, today}, true
	case "this_week_mon_today":
		return dateRange{today - (wd+6)%7, today}, true
	case "last_week_sun_sat":
		return dateRange{today - wd - 7, today - wd - 1}, true
	case "last_week_mon_sun":
		mon := today - (wd+6)%7
		return dateRange{mon - 7, mon - 1}, true
	case "maximum", "data_maximum":
		return dateRange{monthsBack(today, 37), today}, true
	}
	return dateRange{}, false
}

// slices cuts r by incr: N-day slices aligned to the range start, calendar
// months clipped to the range, or the whole range.
func (ts timeSpec) slices(r dateRange) []dateRange {
	switch {
	case ts.incr == 0:
		return []dateRange{r}
	case ts.incr > 0:
		var out []dateRange
		for d := r.since; d <= r.until; d += ts.incr {
			out = append(out, dateRange{d, min(d+ts.incr-1, r.until)})
		}
		return out
	}
	var out []dateRange
	for d := r.since; d <= r.until; {
		y, m, _ := dayTime(d).Date()
		next := dayOf(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC))
		out = append(out, dateRange{d, min(next-1, r.until)})
		d = next
	}
	return out
}

// String renders a range as JSON for cache keys and logs.
func (r dateRange) String() string {
	b, _ := json.Marshal(map[string]string{"since": dayString(r.since), "until": dayString(r.until)})
	return string(b)
}
