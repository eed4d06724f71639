package engine_test

import (
	"fmt"
	"testing"
)

// FINDINGS-11 O12: in a session time zone behind UTC, a one-slice fetch
// holds one date_start, and DuckDB's statistics propagation (comparing a
// DATE with a TIMESTAMPTZ as if in UTC) dropped its only row although the
// row passes when checked in the session's zone. The bound here is
// 02:00 UTC on a+5 less five days: midnight of a in Los Angeles (08:00
// UTC) is after it, so a is the first day, as DuckDB evaluates it per row.
func TestTimeZoneBoundOnOneSliceFetch(t *testing.T) {
	d := newDemo(t)
	a, b := day(-40), day(-30)
	bound := fmt.Sprintf("TIMESTAMPTZ '%s 02:00:00+00' - INTERVAL 5 DAY", day(-35))
	for _, q := range []string{
		fmt.Sprintf("SELECT %s FROM insights WHERE date_start BETWEEN %s AND DATE '%s'", totals, bound, b),
		fmt.Sprintf("SELECT %s FROM insights WHERE date_start >= %s AND date_start <= DATE '%s'", totals, bound, b),
	} {
		checkTruth(t, d, "SET TimeZone = 'America/Los_Angeles'; "+q, truthText(d.truth(a, b)))
	}
	d.rows(t, "SET TimeZone = 'UTC'")
}

// FINDINGS-11 O13: the days the API serves are the accounts' (UTC's for
// the demo); a session whose date is behind UTC's must not drop the API's
// today. (Etc/GMT+12 is behind UTC's date from 00:00 to 12:00 UTC; the rest
// of the day the two dates agree and the case checks the plain range.)
func TestSessionBehindUTCKeepsTheAPIToday(t *testing.T) {
	d := newDemo(t)
	a, today := day(-3), day(0)
	q := fmt.Sprintf("SELECT %s FROM insights WHERE date_start >= DATE '%s'", totals, a)
	checkTruth(t, d, "SET TimeZone = 'Etc/GMT+12'; "+q, truthText(d.truth(a, today)))
	d.rows(t, "SET TimeZone = 'UTC'")
}
