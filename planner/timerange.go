package planner

import (
	"fmt"
	"strings"
	"time"
)

const day = 24 * time.Hour

// timeWindow is what the date conditions of one scan decide.
type timeWindow struct {
	conds     dateConds
	set       daySet
	evaluated bool // set holds the days of conds.evaluable
	// nullPasses: a date condition also holds for a missing date.
	nullPasses bool
	// evalErr is DuckDB's error evaluating the date conditions on the
	// calendar (an invalid date literal), shown if the scan is refused.
	evalErr error
}

// retentionStart is the earliest day the API serves: 37 months back.
func retentionStart(today time.Time) time.Time { return today.AddDate(0, -37, 0) }

// maxRanges bounds the time_ranges of one request; more separate runs of
// days are fetched daily over their span instead.
const maxRanges = 25

// pushTimeRange evaluates the scan's date-only conjuncts with DuckDB. The
// conjuncts stay in the SQL DuckDB runs either way.
func pushTimeRange(sb *scanBuild, w *walker, in Input) timeWindow {
	tw := timeWindow{conds: classifyDates(sb, w)}
	if len(tw.conds.evaluable) == 0 || in.Frontend == nil {
		tw.conds.unevaluable = append(tw.conds.unevaluable, tw.conds.evaluable...)
		tw.conds.evaluable = nil
		return tw
	}
	set, err := evalDays(tw.conds, sb, w, in)
	tw.evalErr = err
	tw.nullPasses = err == nil && set.nullPasses
	if err != nil || set.nullPasses {
		// DuckDB could not evaluate them on their own (a cast it rejects
		// on some day): they constrain the dates without deciding them.
		tw.conds.unevaluable = append(tw.conds.unevaluable, tw.conds.evaluable...)
		tw.conds.evaluable = nil
		return tw
	}
	tw.set, tw.evaluated = set, true
	for _, c := range tw.conds.evaluable {
		markPushed(sb, c)
	}
	return tw
}

// loose reports why the fetched days cannot be exactly the days wanted
// ("" when they can): DuckDB's re-check then needs daily rows.
func (tw timeWindow) loose(in Input) string {
	switch {
	case tw.nullPasses:
		return fmt.Sprintf("the date condition %s also holds where there is no date (an outer join's missing rows), so it cannot decide the days",
			conditionText(tw.conds.unevaluable[0], in))
	case len(tw.conds.unevaluable) > 0:
		return fmt.Sprintf("the date condition %s cannot be decided from the date alone",
			conditionText(tw.conds.unevaluable[0], in))
	case tw.conds.elsewhere:
		return "the date is also filtered outside this WHERE clause (a join condition, HAVING or another query)"
	case tw.set.unstable:
		return "the days wanted depend on the time of day the query runs (now())"
	}
	return ""
}

// timeParams turns the date conditions into the time parameters of the
// request: the days wanted as one time_range, several time_ranges, or their
// span fetched daily; the API's default 30 days only when no condition reads
// the date. increment is the grain's time_increment, explicit when the query
// set it. It marks each evaluated conjunct as pushed, exactly or not.
func (tw timeWindow) timeParams(sb *scanBuild, in Input, increment string, explicit bool, preset, nonAdditive string) (ps []Param, notes []string, empty bool, err error) {
	today, earliest := in.Today, retentionStart(in.Today)
	handle := func(exact bool) {
		for _, c := range tw.conds.evaluable {
			sb.handle(c, exact)
		}
	}
	why := tw.loose(in)
	if !tw.evaluated && why == "" {
		if preset == "" {
			return []Param{{Key: "date_preset", Value: "last_30d"}, {Key: "time_increment", Value: increment}},
				[]string{"no date predicate: the API's default range, the last 30 days before today (date_preset=last_30d)"}, false, nil
		}
		return []Param{{Key: "date_preset", Value: preset}, {Key: "time_increment", Value: increment}}, nil, false, nil
	}
	days := tw.set.days
	if tw.evaluated {
		set := tw.set
		switch {
		case set.tooEarly && !set.unbounded:
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: fmt.Sprintf("the date condition reaches before %s, beyond the 37 months of history the API keeps", ymd(earliest)),
				Hint:   fmt.Sprintf("the earliest start is %s", ymd(earliest))}
		case len(days) == 0 && (set.future || set.endless):
			// As DuckDB answers a day set that is empty (FINDINGS-11 O15).
			handle(true)
			return nil, []string{fmt.Sprintf("the date condition allows only days after today (%s), when there are no insights yet: no request, no rows", ymd(today))}, true, nil
		case len(days) == 0:
			handle(true)
			return nil, []string{fmt.Sprintf("no day from %s to %s satisfies the date condition: no request, no rows", ymd(earliest), ymd(today))}, true, nil
		}
		if set.unbounded {
			notes = append(notes, fmt.Sprintf("no start date: from the earliest day the API keeps (%s, 37 months back)", ymd(earliest)))
		}
		if set.future && !set.endless {
			notes = append(notes, fmt.Sprintf("the date condition reaches into the future: data ends today (%s)", ymd(today)))
		}
	}
	if why != "" {
		if explicit && increment != "1" {
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: why + fmt.Sprintf(", so DuckDB would check it on whole periods of time_increment = %s", increment),
				Hint:   "write the days as a range on date_start alone, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"}
		}
		if !tw.conds.output && nonAdditive != "" {
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: why + fmt.Sprintf(", and %s does not add up across days", nonAdditive),
				Hint:   "write the days as a range on date_start alone, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31', or add date_start to the select list for one row per day"}
		}
		if !tw.conds.output {
			if err := dailyRefusal(sb, in, why); err != nil && tw.evalErr != nil {
				msg, _, _ := strings.Cut(tw.evalErr.Error(), "\n") // not the calendar query DuckDB quotes
				return nil, nil, false, &Error{Table: "insights", Column: "date_start", Reason: msg}
			} else if err != nil {
				return nil, nil, false, err
			}
		}
		handle(false)
		if !tw.evaluated && preset != "" {
			return []Param{{Key: "date_preset", Value: preset}, {Key: "time_increment", Value: "1"}}, append(notes, why+": fetched daily for DuckDB to check"), false, nil
		}
		since, until := earliest, today
		if tw.evaluated {
			since, until = days[0], days[len(days)-1]
		}
		notes = append(notes, fmt.Sprintf("%s: every day from %s to %s is fetched daily and DuckDB keeps the days it allows", why, ymd(since), ymd(until)))
		return []Param{{Key: "time_range", Value: dateRange(since, until)}, {Key: "time_increment", Value: "1"}}, notes, false, nil
	}
	rs := runs(days)
	span := []Param{{Key: "time_range", Value: dateRange(days[0], days[len(days)-1])}, {Key: "time_increment", Value: increment}}
	switch {
	case len(rs) == 1:
		handle(true)
		return span, notes, false, nil
	case increment == "1":
		handle(false)
		return span, append(notes, fmt.Sprintf("the %d days wanted form %d ranges: their span is fetched daily and DuckDB keeps the days wanted", len(days), len(rs))), false, nil
	case explicit:
		return nil, nil, false, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the days wanted form %d separate ranges, and time_increment = %s needs one", len(rs), increment),
			Hint:   "write the days as one range, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"}
	case nonAdditive != "":
		return nil, nil, false, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the days wanted form %d separate ranges, and %s does not add up across them", len(rs), nonAdditive),
			Hint:   "ask for one range of days, or add date_start to the select list for one row per day"}
	case len(rs) > maxRanges:
		if err := dailyRefusal(sb, in, fmt.Sprintf("the %d days wanted form %d ranges, more than one request takes", len(days), len(rs))); err != nil {
			return nil, nil, false, err
		}
		handle(false)
		span[1].Value = "1"
		return span, append(notes, fmt.Sprintf("the %d days wanted form %d ranges: their span is fetched daily and DuckDB keeps the days wanted", len(days), len(rs))), false, nil
	}
	handle(true)
	var ranges []any
	for _, r := range rs {
		ranges = append(ranges, dateRange(r[0], r[1]))
	}
	return []Param{{Key: "time_ranges", Value: ranges}}, notes, false, nil
}

func dateRange(since, until time.Time) map[string]string {
	return map[string]string{"since": ymd(since), "until": ymd(until)}
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }
