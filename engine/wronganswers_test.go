package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// The wrong-answer classes of issue 11, end to end on the sandbox. Every
// expected value comes from an oracle that does not trust the planner's
// pushdown: the same query with only the grain pushed (engine.Config
// GrainOnly), an equivalent spelling the planner already reads right, or
// the sandbox's own totals.

// pair is a full-pushdown engine and a grain-only engine on one sandbox.
type pair struct {
	full, ref *demo
}

func newPair(t testing.TB, extra ...string) *pair {
	t.Helper()
	run, err := sandbox.Start(context.Background(), sandbox.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	sb := run.Server
	open := func(grainOnly bool) *demo {
		cfg := enginetest.Config(run)
		cfg.Accounts = append(append([]string{}, sb.AccountIDs()...), extra...)
		cfg.GrainOnly = grainOnly
		eng, err := engine.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		return &demo{eng: eng, sb: sb}
	}
	return &pair{full: open(false), ref: open(true)}
}

func text(rows [][]string) string {
	var lines []string
	for _, r := range rows {
		lines = append(lines, strings.Join(r, " | "))
	}
	return strings.Join(lines, "\n")
}

// agree runs sql with full pushdown and checks its rows equal the oracle
// query's rows run with only the grain pushed; it returns the oracle's rows.
func (p *pair) agree(t *testing.T, sql, oracle string) string {
	t.Helper()
	got, want := text(p.full.rows(t, sql)), text(p.ref.rows(t, oracle))
	if got != want {
		t.Errorf("%s\n  gives %q\n%s (grain only)\n  gives %q", sql, got, oracle, want)
	}
	return want
}

// nonEmpty fails when an oracle's answer is empty or all zero, which would
// make a comparison prove nothing.
func nonEmpty(t *testing.T, what, answer string) {
	t.Helper()
	if strings.Trim(answer, "0 |.<nil>\n") == "" {
		t.Fatalf("%s: the oracle's answer %q is empty; the case tests nothing", what, answer)
	}
}

// Class 1: a decimal literal keeps its scale when pushed as a threshold.
func TestDecimalThresholds(t *testing.T) {
	p := newPair(t)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", day(-20), day(-10))
	for _, cond := range []string{"spend > 160.5", "clicks > 241.5", "spend >= 161.25", "spend < 160.5", "spend > 1.6e2", "clicks <= 241.5"} {
		q := fmt.Sprintf("SELECT count(*), round(sum(spend), 2) FROM insights WHERE level = 'ad' AND %s AND %s", rng, cond)
		nonEmpty(t, cond, p.agree(t, q, q))
	}
}

// Class 6: an account named twice, in SQL or in the configuration (X and
// act_X), is read once: totals equal the sandbox's.
func TestAccountsReadOnce(t *testing.T) {
	p := newPair(t)
	acct := p.full.sb.AccountIDs()[0]
	dup := newPair(t, "act_"+acct, acct)
	since, until := day(-20), day(-10)
	truth := p.full.sb.Truth(acct, since, until)
	all := p.full.truth(since, until)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", since, until)
	one := fmt.Sprintf("SELECT sum(impressions), sum(clicks) FROM insights WHERE %s AND account_id IN ('%s', '%[2]s', 'act_%[2]s')", rng, acct)
	if got, want := strings.Join(p.full.one(t, one), " "), fmt.Sprintf("%d %d", truth.Impressions, truth.Clicks); got != want {
		t.Errorf("%s\n  gives %s, the sandbox says %s", one, got, want)
	}
	every := fmt.Sprintf("SELECT sum(impressions), sum(clicks) FROM insights WHERE %s", rng)
	if got, want := strings.Join(dup.full.one(t, every), " "), fmt.Sprintf("%d %d", all.Impressions, all.Clicks); got != want {
		t.Errorf("accounts configured twice: %s\n  gives %s, the sandbox says %s", every, got, want)
	}
	entities := "SELECT count(*) FROM campaigns"
	nonEmpty(t, entities, dup.agree(t, entities, entities))
	if got, want := text(dup.full.rows(t, entities)), text(p.full.rows(t, entities)); got != want {
		t.Errorf("accounts configured twice: %s gives %s, once %s", entities, got, want)
	}
	named := fmt.Sprintf("SELECT count(*) FROM campaigns WHERE account_id IN ('%s', '%[1]s')", acct)
	nonEmpty(t, named, p.agree(t, named, named))
}

// Class 10: an OR of equalities gives the same answer as the IN list.
func TestOrOfEqualitiesIsAnInList(t *testing.T) {
	p := newPair(t)
	for _, tbl := range []string{"campaigns", "adsets", "ads"} {
		in := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status IN ('ARCHIVED', 'DELETED')", tbl)
		or := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status = 'ARCHIVED' OR effective_status = 'DELETED'", tbl)
		want := text(p.full.rows(t, in))
		nonEmpty(t, in, want)
		if got := p.agree(t, or, or); got != want {
			t.Errorf("%s: OR gives %s, IN gives %s", tbl, got, want)
		}
		in1 := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status IN ('ARCHIVED')", tbl)
		eq := fmt.Sprintf("SELECT count(*) FROM %s WHERE effective_status = 'ARCHIVED'", tbl)
		want = text(p.full.rows(t, in1))
		nonEmpty(t, in1, want)
		if got := p.agree(t, eq, eq); got != want {
			t.Errorf("%s: = gives %s, IN gives %s", tbl, got, want)
		}
	}
}

// Class 9: a view over a virtual table is refused up front with a clear
// message; it never fails later on an internal table name or reads empty.
func TestViewsOverVirtualTablesAreRefused(t *testing.T) {
	d := newDemo(t)
	var st engine.Stats
	_, err := collect(context.Background(), d.eng, "CREATE VIEW v AS SELECT spend FROM insights", &st)
	if err == nil || !strings.Contains(err.Error(), "a view cannot read the virtual table insights") ||
		!strings.Contains(err.Error(), "CREATE TABLE") || strings.Contains(err.Error(), "fb_") {
		t.Fatalf("CREATE VIEW over insights: error %v, want the refusal naming insights and the CREATE TABLE form", err)
	}
	if st.Requests != 0 {
		t.Errorf("the refused view sent %d requests", st.Requests)
	}
	if _, err := collect(context.Background(), d.eng, "SELECT * FROM v", nil); err == nil {
		t.Error("the refused view exists")
	}
	// A snapshot works and keeps its rows.
	d.rows(t, "CREATE TABLE snap AS SELECT id FROM campaigns")
	if got, want := d.one(t, "SELECT count(*) FROM snap")[0], d.one(t, "SELECT count(*) FROM campaigns")[0]; got != want || got == "0" {
		t.Errorf("snapshot has %s rows, campaigns %s", got, want)
	}
}

// Class 11: the JSON arrow reads its column (DuckDB parses `->` as a
// lambda node); the oracle is json_extract on the same column.
func TestJSONArrowReadsItsColumn(t *testing.T) {
	d := newDemo(t)
	got := text(d.rows(t, "SELECT id, (targeting->'age_max')::VARCHAR FROM adsets ORDER BY id"))
	want := text(d.rows(t, "SELECT id, json_extract(targeting, '$.age_max')::VARCHAR FROM adsets ORDER BY id"))
	nonEmpty(t, "age_max", want)
	if got != want {
		t.Errorf("targeting->'age_max' gives\n%s\njson_extract gives\n%s", got, want)
	}
}

// totals is the text the date tests compare: spend cents, impressions, clicks.
const totals = "CAST(round(sum(spend) * 100) AS BIGINT), sum(impressions), sum(clicks)"

func truthText(ts ...sandbox.Totals) string {
	var sum sandbox.Totals
	for _, t := range ts {
		sum.SpendCents += t.SpendCents
		sum.Impressions += t.Impressions
		sum.Clicks += t.Clicks
	}
	return fmt.Sprintf("%d | %d | %d", sum.SpendCents, sum.Impressions, sum.Clicks)
}

// checkTruth runs each script (its last statement is the query) and
// compares its totals with the sandbox's for the days given.
func checkTruth(t *testing.T, d *demo, script string, want string) {
	t.Helper()
	if strings.HasPrefix(want, "0 | 0 |") {
		t.Fatalf("%s: the sandbox has no data on those days; the case tests nothing", script)
	}
	if got := text(d.rows(t, script)); got != want {
		t.Errorf("%s\n  gives %s, the sandbox says %s", script, got, want)
	}
}

// Classes 2 to 5: the days a query wants are decided by DuckDB, so every
// spelling of a date condition fetches exactly those days (or a window
// DuckDB narrows exactly); never the API's default 30 days.
func TestDateConditionsFetchTheDaysWanted(t *testing.T) {
	p := newPair(t)
	d := p.full
	a, b := day(-80), day(-50)
	month := time.Now().UTC().AddDate(0, -2, 0)
	mStart := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	mEnd := mStart.AddDate(0, 1, -1)
	ymd := func(t time.Time) string { return t.Format(time.DateOnly) }
	cases := []struct{ script, want string }{
		// Class 2: conditions the old planner could not fold.
		{fmt.Sprintf("SELECT %s FROM insights WHERE date_trunc('month', date_start) = DATE '%s'", totals, ymd(mStart)), truthText(d.truth(ymd(mStart), ymd(mEnd)))},
		{fmt.Sprintf("SELECT %s FROM insights WHERE date_start = DATE '%s' OR date_start = DATE '%s'", totals, a, b), truthText(d.truth(a, a), d.truth(b, b))},
		{fmt.Sprintf("WITH p AS (SELECT DATE '%s' AS since) SELECT %s FROM insights, p WHERE date_start BETWEEN p.since AND DATE '%s'", a, totals, b), truthText(d.truth(a, b))},
		{fmt.Sprintf("SET VARIABLE since = DATE '%s'; SELECT %s FROM insights WHERE date_start BETWEEN getvariable('since') AND DATE '%s'", a, totals, b), truthText(d.truth(a, b))},
		{fmt.Sprintf("SELECT %s FROM insights WHERE date_start + 1 > DATE '%s' AND date_start <= DATE '%s'", totals, a, b), truthText(d.truth(a, b))},
		{fmt.Sprintf("WITH daily AS (SELECT date_start AS day, spend, impressions, clicks FROM insights) SELECT %s FROM daily WHERE day BETWEEN DATE '%s' AND DATE '%s'", totals, a, b), truthText(d.truth(a, b))},
		// Class 4: a timestamp string is cast to the DATE DuckDB compares.
		{fmt.Sprintf("SELECT %s FROM insights WHERE date_start >= '%s 06:00' AND date_start <= '%s'", totals, a, b), truthText(d.truth(a, b))},
	}
	for _, c := range cases {
		checkTruth(t, d, c.script, c.want)
	}
	// A date range in a LEFT JOIN's ON: the oracle is the same join with
	// the range in WHERE, which the planner pushes as a plain range.
	on := fmt.Sprintf("SELECT sum(i.impressions) FROM campaigns c LEFT JOIN insights i ON i.campaign_id = c.id AND i.date_start BETWEEN DATE '%s' AND DATE '%s'", a, b)
	where := fmt.Sprintf("SELECT sum(i.impressions) FROM campaigns c JOIN insights i ON i.campaign_id = c.id WHERE i.date_start BETWEEN DATE '%s' AND DATE '%s'", a, b)
	want := text(d.rows(t, where))
	nonEmpty(t, where, want)
	if got := text(d.rows(t, on)); got != want {
		t.Errorf("%s\n  gives %s; with the range in WHERE: %s", on, got, want)
	}
}

// Class 3: now() bounds fetch exactly the days wanted, so a non-additive
// metric over them is the range's own value, not NULL.
func TestClockBoundsFetchExactlyTheDaysWanted(t *testing.T) {
	d := newDemo(t)
	// The session's time zone is UTC here: now() - 7 days falls inside a
	// day, whose next midnight is the first day that passes.
	first := time.Now().UTC().AddDate(0, 0, -7).Format(time.DateOnly)
	first = dayAfter(first)
	last := day(-1)
	for _, clock := range []string{"now()", "get_current_timestamp()", "current_timestamp"} {
		q := fmt.Sprintf("SELECT %s FROM insights WHERE date_start >= %s - INTERVAL 7 DAY AND date_start <= DATE '%s'", totals, clock, last)
		checkTruth(t, d, q, truthText(d.truth(first, last)))
		reach := fmt.Sprintf("SELECT account_id, reach FROM insights WHERE date_start >= %s - INTERVAL 7 DAY AND date_start <= DATE '%s' ORDER BY 1", clock, last)
		oracle := fmt.Sprintf("SELECT account_id, reach FROM insights WHERE date_start BETWEEN DATE '%s' AND DATE '%s' ORDER BY 1", first, last)
		want := text(d.rows(t, oracle))
		nonEmpty(t, oracle, want)
		if got := text(d.rows(t, reach)); got != want {
			t.Errorf("%s\n  gives %q; the same days as a range give %q", reach, got, want)
		}
	}
}

func dayAfter(s string) string {
	t, _ := time.Parse(time.DateOnly, s)
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// Class 4: with SET TimeZone, a TIMESTAMPTZ bound is compared in the
// session's zone, as DuckDB compares it.
func TestTimeZoneOfDateBounds(t *testing.T) {
	d := newDemo(t)
	a, b := day(-40), day(-30)
	// 20:00 UTC is 05:00 the next day in Tokyo: DATE a+1 (midnight Tokyo,
	// 15:00 UTC the day before) is earlier than the bound, a+2 is not.
	bound := fmt.Sprintf("TIMESTAMPTZ '%s 20:00:00+00'", a)
	q := fmt.Sprintf("SELECT %s FROM insights WHERE date_start >= %s AND date_start <= DATE '%s'", totals, bound, b)
	checkTruth(t, d, "SET TimeZone = 'UTC'; "+q, truthText(d.truth(dayAfter(a), b)))
	checkTruth(t, d, "SET TimeZone = 'Asia/Tokyo'; "+q, truthText(d.truth(dayAfter(dayAfter(a)), b)))
	d.rows(t, "SET TimeZone = 'UTC'")
}

// Class 5: days in an IN list are one range when they touch (reach over
// both days, as the API computes it), and a non-additive metric over
// separate days is refused rather than summed across slices.
func TestInListsOfDaysKeepTheGrain(t *testing.T) {
	d := newDemo(t)
	a := day(-20)
	b, c := dayAfter(a), dayAfter(dayAfter(a))
	in := fmt.Sprintf("SELECT sum(reach) FROM insights WHERE date_start IN ('%s', '%s')", a, b)
	oracle := fmt.Sprintf("SELECT sum(reach) FROM insights WHERE date_start BETWEEN '%s' AND '%s'", a, b)
	want := text(d.rows(t, oracle))
	nonEmpty(t, oracle, want)
	if got := text(d.rows(t, in)); got != want {
		t.Errorf("%s\n  gives %s; the range gives %s", in, got, want)
	}
	apart := fmt.Sprintf("SELECT sum(reach) FROM insights WHERE date_start IN ('%s', '%s')", a, c)
	var st engine.Stats
	if _, err := collect(context.Background(), d.eng, apart, &st); err == nil || !strings.Contains(err.Error(), "reach does not add up") {
		t.Errorf("%s: error %v, want a refusal naming reach", apart, err)
	}
	checkTruth(t, d, fmt.Sprintf("SELECT %s FROM insights WHERE date_start IN ('%s', '%s')", totals, a, c), truthText(d.truth(a, a), d.truth(c, c)))
}

// Class 7: a value in action_values whose action has no entry in actions
// is kept. The API's lists are loaded as given here, so the case does not
// depend on the sandbox producing such a row; the oracle sums the
// action_values list itself.
func TestActionValuesWithoutCounts(t *testing.T) {
	d := newDemo(t)
	q := "SELECT action_type, sum(action_value), sum(value) FROM insights_actions WHERE date_start = DATE '" + day(-3) + "' GROUP BY 1 ORDER BY 1"
	p, err := d.eng.Plan(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements[0]
	sc := st.Scans[0]
	var cols []string
	for _, c := range sc.Columns {
		cols = append(cols, fmt.Sprintf("%q %s", c.Name, c.Type))
	}
	d.rows(t, fmt.Sprintf("CREATE TEMP TABLE %s (%s)", sc.Temp, strings.Join(cols, ", ")))
	d.rows(t, fmt.Sprintf(`INSERT INTO %s (date_start, actions, action_values) VALUES
		(DATE '%s', '[{"action_type":"purchase","value":"2"},{"action_type":"link_click","value":"5"}]',
		            '[{"action_type":"purchase","value":"30.5"},{"action_type":"offsite_conversion.fb_pixel_purchase","value":"12.25"}]'),
		(DATE '%[2]s', NULL, '[{"action_type":"purchase","value":"7"}]')`, sc.Temp, day(-3)))
	got := text(d.rows(t, st.SQL))
	want := text(d.rows(t, fmt.Sprintf(`SELECT t, sum(v), sum(n) FROM (
		SELECT x.action_type AS t, x.value AS v, NULL::DOUBLE AS n FROM (SELECT unnest(from_json(action_values, '[{"action_type":"VARCHAR","value":"DOUBLE"}]')) AS x FROM %[1]s)
		UNION ALL SELECT x.action_type, NULL, x.value FROM (SELECT unnest(from_json(actions, '[{"action_type":"VARCHAR","value":"DOUBLE"}]')) AS x FROM %[1]s))
		GROUP BY 1 ORDER BY 1`, sc.Temp)))
	if got != want {
		t.Errorf("insights_actions gives\n%s\nthe lists give\n%s", got, want)
	}
	if !strings.Contains(want, "offsite_conversion.fb_pixel_purchase | 12.25") {
		t.Fatalf("oracle lacks the value without a count: %s", want)
	}
}

func clipText(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// A date condition no day satisfies sends no request and answers empty.
func TestNoDayNoRequest(t *testing.T) {
	d := newDemo(t)
	var st engine.Stats
	q := fmt.Sprintf("SELECT count(*), sum(spend) FROM insights WHERE date_start > DATE '%s' AND date_start < DATE '%s'", day(-10), day(-12))
	got, err := collect(context.Background(), d.eng, q, &st)
	if err != nil {
		t.Fatal(err)
	}
	if text(got) != "0 | <nil>" || st.Requests != 0 {
		t.Errorf("%s: %q with %d requests, want no rows and no request", q, text(got), st.Requests)
	}
}

// FINDINGS O8/O9: a query that reads the status in any way sees every
// status (the edges hide ARCHIVED and DELETED only from queries that do
// not ask), so ternary partitions add up; a status the edge never has
// answers empty without a request.
func TestStatusesOneDefinition(t *testing.T) {
	p := newPair(t)
	for _, tbl := range []string{"campaigns", "adsets", "ads"} {
		part := func(where string) int {
			q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", tbl, where)
			var n int
			fmt.Sscan(p.agree(t, q, q), &n)
			return n
		}
		for _, pred := range []string{"effective_status <> 'DELETED'", "status = 'ARCHIVED'", "effective_status NOT IN ('ACTIVE', 'PAUSED')"} {
			whole := part(fmt.Sprintf("(%[1]s) OR NOT (%[1]s) OR (%[1]s) IS NULL", pred))
			sum := part(pred) + part("NOT ("+pred+")") + part("("+pred+") IS NULL")
			if whole == 0 || sum != whole {
				t.Errorf("%s: WHERE %s, NOT, IS NULL give %d rows together, the tautology %d", tbl, pred, sum, whole)
			}
		}
	}
	var st engine.Stats
	got, err := collect(context.Background(), p.full.eng, "SELECT count(*) FROM adsets WHERE effective_status = 'ADSET_PAUSED'", &st)
	if err != nil || text(got) != "0" || st.Requests != 0 {
		t.Errorf("adsets with a status they never have: %q, %v, %d requests; want 0 rows counted, no request", text(got), err, st.Requests)
	}
}
