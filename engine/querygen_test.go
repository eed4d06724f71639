package engine_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The query generator of the differential harness (differential_test.go).
// A generated query is kept as clauses (genQuery), not as text, so that a
// failing one can be shrunk by dropping clauses and conjuncts, and so that
// the oracles can derive related queries from it (TLP partitions, the
// sandbox truth of its date conjuncts). It lives in test files only: no
// production code needs it, and keeping it out of the binary keeps the
// engine's API unchanged.
//
// Dates are written as {d:N}, N days from the sandbox's today, and filled
// in when the query is rendered, so a kept regression case means the same
// thing on any day.

// genQuery is one generated query.
type genQuery struct {
	TZ      string    `json:"tz,omitempty"`      // SET TimeZone before the query; "" = UTC
	Vars    []string  `json:"vars,omitempty"`    // SET VARIABLE statements the conditions read
	Params  string    `json:"params,omitempty"`  // select list of a parameter CTE p, joined in
	Dims    []genDim  `json:"dims,omitempty"`    // grouping columns
	Metrics []string  `json:"metrics"`           // aggregate expressions over alias i
	Where   []genCond `json:"where,omitempty"`   // conjuncts
	Options []string  `json:"options,omitempty"` // option conjuncts (level, time_increment)
	Join    bool      `json:"join,omitempty"`    // LEFT JOIN campaigns c
	Having  string    `json:"having,omitempty"`
	Limit   int       `json:"limit,omitempty"` // ORDER BY every column, then LIMIT
	Bare    bool      `json:"bare,omitempty"`  // no GROUP BY: rows at the scan's grain, ORDER BY the metric LIMIT
	Wrap    string    `json:"wrap,omitempty"`  // "", "sub", "cte"
	Window  bool      `json:"window,omitempty"`
}

// genDim is a grouping column.
type genDim struct {
	SQL  string `json:"sql"`
	Kind string `json:"kind"`
	Join bool   `json:"join,omitempty"` // reads the joined campaigns table
}

// genCond is one conjunct of WHERE.
type genCond struct {
	SQL    string `json:"sql"`
	Kind   string `json:"kind"`             // the shape, for the shape count
	Date   bool   `json:"date,omitempty"`   // reads only date_start (and parameters)
	Acct   bool   `json:"acct,omitempty"`   // reads only account_id
	Join   bool   `json:"join,omitempty"`   // reads the joined campaigns table
	Params bool   `json:"params,omitempty"` // reads the parameter CTE p
	Var    bool   `json:"var,omitempty"`    // reads a variable
}

// additive are the metrics whose sum is the same at every grain; truthKey
// names each one's field in sandbox.Totals.
var additive = []string{"impressions", "clicks", "spend", "inline_link_clicks"}

// genValues are the ids, names and breakdown values queries draw from.
type genValues struct {
	accounts, campaigns, adsets, ads, campaignNames, adNames []string
}

// gen draws queries from a seeded source.
type gen struct {
	r *rand.Rand
	v *genValues
}

func newGen(seed uint64, v *genValues) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), v: v}
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.r.Float64() < p }

// some picks 1..n distinct values of xs, quoted, comma-joined.
func (g *gen) some(xs []string, n int) string {
	k := 1 + g.r.IntN(n)
	var out []string
	for range k {
		out = append(out, "'"+strings.ReplaceAll(xs[g.r.IntN(len(xs))], "'", "''")+"'")
	}
	return strings.Join(out, ", ")
}

// query draws one query.
func (g *gen) query() genQuery {
	var q genQuery
	if g.chance(0.15) {
		q.TZ = g.pick("Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati", "Europe/Berlin")
	}
	q.Join = g.chance(0.15)
	g.dims(&q)
	g.metrics(&q)
	g.dateConds(&q)
	for n := g.r.IntN(3); n > 0; n-- {
		q.Where = append(q.Where, g.cond(&q, 0))
	}
	if g.chance(0.1) {
		q.Options = append(q.Options, "i.level = "+g.pick("'ad'", "'adset'", "'campaign'", "'Campaign'"))
	}
	if g.chance(0.08) {
		q.Options = append(q.Options, "i.time_increment = "+g.pick("1", "7", "'monthly'", "'all_days'"))
	}
	switch {
	case g.chance(0.12):
		q.Bare, q.Dims, q.Limit = true, q.Dims[:min(len(q.Dims), 2)], 1+g.r.IntN(8)
		q.Metrics = []string{"sum(i." + g.pick(additive...) + ")"}
	case g.chance(0.15):
		q.Having = fmt.Sprintf("sum(i.impressions) > %d", g.r.IntN(5000))
	}
	if !q.Bare && g.chance(0.15) {
		q.Limit = 1 + g.r.IntN(10)
	}
	if g.chance(0.2) {
		q.Wrap = g.pick("sub", "cte")
	}
	q.Window = !q.Bare && g.chance(0.1)
	return q
}

func (g *gen) dims(q *genQuery) {
	levels := []string{"i.account_id", "i.campaign_id", "i.campaign_name", "i.adset_id", "i.adset_name", "i.ad_id", "i.ad_name"}
	breakdowns := [][]string{{"i.country"}, {"i.age"}, {"i.gender"}, {"i.age", "i.gender"}, {"i.publisher_platform"},
		{"i.publisher_platform", "i.platform_position"}, {"i.device_platform"}, {"i.region"}}
	if g.chance(0.6) {
		q.Dims = append(q.Dims, genDim{SQL: g.pick(levels...), Kind: "level"})
	}
	if g.chance(0.35) {
		for _, b := range breakdowns[g.r.IntN(len(breakdowns))] {
			q.Dims = append(q.Dims, genDim{SQL: b, Kind: "breakdown"})
		}
	}
	if g.chance(0.4) {
		q.Dims = append(q.Dims, genDim{SQL: g.pick("i.date_start", "i.date_start", "date_trunc('month', i.date_start)", "i.date_stop"), Kind: "date"})
	}
	if q.Join && g.chance(0.5) {
		q.Dims = append(q.Dims, genDim{SQL: g.pick("c.objective", "c.effective_status"), Kind: "joined", Join: true})
	}
	slices.SortStableFunc(q.Dims, func(a, b genDim) int { return strings.Compare(a.SQL, b.SQL) })
	q.Dims = slices.CompactFunc(q.Dims, func(a, b genDim) bool { return a.SQL == b.SQL })
}

func (g *gen) metrics(q *genQuery) {
	for _, m := range additive {
		if g.chance(0.5) {
			q.Metrics = append(q.Metrics, "sum(i."+m+")")
		}
	}
	if len(q.Metrics) == 0 {
		q.Metrics = append(q.Metrics, "sum(i."+g.pick(additive...)+")")
	}
	if g.chance(0.15) {
		q.Metrics = append(q.Metrics, g.pick("count(*)", "max(i.reach)", "min(i.spend)", "avg(i.clicks)"))
	}
}

// dateConds draws the query's date constraint: nothing (the API's default
// range), a plain range, or one of the forms the planner must not fold by
// hand (parameters, variables, now(), timestamps, functions of the date).
func (g *gen) dateConds(q *genQuery) {
	a := -3 - g.r.IntN(80)
	b := a + g.r.IntN(40)
	if b > 0 {
		b = 0
	}
	d := func(n int) string { return fmt.Sprintf("{d:%d}", n) }
	add := func(kind, sql string) { q.Where = append(q.Where, genCond{SQL: sql, Kind: kind, Date: true}) }
	switch g.r.IntN(20) {
	case 0:
		// no date predicate
	case 1, 2, 3:
		add("date-between", fmt.Sprintf("i.date_start BETWEEN DATE '%s' AND DATE '%s'", d(a), d(b)))
	case 4, 5:
		add("date-ge-le", fmt.Sprintf("i.date_start >= '%s' AND i.date_start <= '%s'", d(a), d(b)))
	case 6:
		var days []string
		for range 1 + g.r.IntN(4) {
			days = append(days, "'"+d(a+g.r.IntN(20))+"'")
		}
		add("date-in", "i.date_start IN ("+strings.Join(days, ", ")+")")
	case 7:
		add("date-or", fmt.Sprintf("(i.date_start = DATE '%s' OR i.date_start = DATE '%s')", d(a), d(a+g.r.IntN(15))))
	case 8:
		add("date-trunc", fmt.Sprintf("date_trunc('month', i.date_start) = date_trunc('month', DATE '%s')", d(a)))
	case 9:
		add("date-now", fmt.Sprintf("i.date_start >= %s - INTERVAL %d DAY", g.pick("now()", "get_current_timestamp()", "current_date", "current_timestamp"), 1+g.r.IntN(20)))
	case 10:
		add("date-timestamp", fmt.Sprintf("i.date_start >= %s", g.pick(
			fmt.Sprintf("'%s 06:00'", d(a)), fmt.Sprintf("TIMESTAMP '%s 23:30:00'", d(a)),
			fmt.Sprintf("TIMESTAMPTZ '%s 01:00:00+09'", d(a)), fmt.Sprintf("CAST('%s 12:00' AS TIMESTAMP)", d(a)))))
		add("date-le", fmt.Sprintf("i.date_start <= DATE '%s'", d(b)))
	case 11:
		q.Params = fmt.Sprintf("DATE '%s' AS since, DATE '%s' AS until", d(a), d(b))
		q.Where = append(q.Where, genCond{SQL: "i.date_start BETWEEN p.since AND p.until", Kind: "date-cte", Date: true, Params: true})
	case 12:
		q.Vars = append(q.Vars, fmt.Sprintf("SET VARIABLE since = DATE '%s'", d(a)))
		q.Where = append(q.Where, genCond{SQL: fmt.Sprintf("i.date_start >= getvariable('since') AND i.date_start <= DATE '%s'", d(b)), Kind: "date-var", Date: true, Var: true})
	case 13:
		add("date-arith", fmt.Sprintf("i.date_start + 1 > DATE '%s' AND i.date_start < DATE '%s' + INTERVAL 1 DAY", d(a), d(b)))
	case 14:
		add("date-not", fmt.Sprintf("NOT (i.date_start < DATE '%s') AND i.date_start <= DATE '%s'", d(a), d(b)))
	case 15:
		add("date-gt-lt", fmt.Sprintf("i.date_start > DATE '%s' AND i.date_start < DATE '%s'", d(a), d(b)))
	case 16:
		add("date-eq", fmt.Sprintf("i.date_start = '%s'", d(a)))
	case 17:
		add("date-cast", fmt.Sprintf("i.date_start BETWEEN CAST('%s' AS DATE) AND '%s'::DATE", d(a), d(b)))
	default:
		add("date-between", fmt.Sprintf("i.date_start BETWEEN '%s' AND '%s'", d(a), d(b)))
		if g.chance(0.5) {
			add("date-stop", fmt.Sprintf("i.date_stop <= DATE '%s'", d(b)))
		}
	}
}

// num is a numeric literal of value x, in one of SQL's spellings.
func (g *gen) num(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	switch g.r.IntN(7) {
	case 0:
		return strconv.FormatFloat(x, 'e', -1, 64)
	case 1:
		return "'" + s + "'"
	case 2:
		return "CAST('" + s + "' AS DECIMAL(12,3))"
	case 3:
		return s + "::DOUBLE"
	default:
		return s
	}
}

// cond draws one non-date conjunct; depth bounds nesting of AND/OR/NOT.
func (g *gen) cond(q *genQuery, depth int) genCond {
	v := g.v
	k := g.r.IntN(16)
	if depth > 1 && k >= 13 {
		k = g.r.IntN(13)
	}
	switch k {
	case 0, 1:
		m := g.pick(additive...)
		x := float64(g.r.IntN(400)) / float64(g.pick2(1, 10, 100))
		op := g.pick(">", ">=", "<", "<=", "=", "<>")
		return genCond{SQL: fmt.Sprintf("i.%s %s %s", m, op, g.num(x)), Kind: "threshold"}
	case 2:
		m := g.pick(additive...)
		lo := float64(g.r.IntN(200)) / 10
		return genCond{SQL: fmt.Sprintf("i.%s BETWEEN %s AND %s", m, g.num(lo), g.num(lo+float64(g.r.IntN(3000)))), Kind: "threshold-between"}
	case 3:
		col, vals := g.idColumn()
		return genCond{SQL: fmt.Sprintf("%s IN (%s)", col, g.some(vals, 4)), Kind: "id-in"}
	case 4:
		col, vals := g.idColumn()
		return genCond{SQL: fmt.Sprintf("%s %s %s", col, g.pick("=", "<>"), g.some(vals, 1)), Kind: "id-eq"}
	case 5:
		col, vals := g.idColumn()
		return genCond{SQL: fmt.Sprintf("%s NOT IN (%s)", col, g.some(vals, 3)), Kind: "id-not-in"}
	case 6:
		a := v.accounts[g.r.IntN(len(v.accounts))]
		return genCond{SQL: g.pick(
			fmt.Sprintf("i.account_id = '%s'", a),
			fmt.Sprintf("i.account_id IN ('%s', '%s')", a, a),
			fmt.Sprintf("i.account_id IN (%s)", g.some(v.accounts, 3)),
			fmt.Sprintf("i.account_id = 'act_%s'", a),
			fmt.Sprintf("i.account_id <> '%s'", a)), Kind: "account", Acct: true}
	case 7:
		names := g.pick2s(v.campaignNames, v.adNames)
		col := "i.campaign_name"
		if len(names) > 0 && slices.Contains(v.adNames, names[0]) {
			col = "i.ad_name"
		}
		w := strings.Fields(names[g.r.IntN(len(names))])[0]
		return genCond{SQL: g.pick(
			fmt.Sprintf("%s LIKE '%%%s%%'", col, w),
			fmt.Sprintf("%s = %s", col, g.some(names, 1)),
			fmt.Sprintf("contains(%s, '%s')", col, w),
			fmt.Sprintf("%s ILIKE '%s%%'", col, strings.ToLower(w))), Kind: "name"}
	case 8:
		return genCond{SQL: g.pick(
			"i.country IN ('US', 'GB', 'DE')", "i.country = 'FR'", "i.age = '25-34'", "i.gender <> 'unknown'",
			"i.publisher_platform = 'instagram'", "i.country NOT IN ('US')", "i.device_platform = 'mobile'"), Kind: "breakdown"}
	case 9:
		return genCond{SQL: g.pick("i.campaign_name IS NULL", "i.adset_id IS NOT NULL", "i.country IS NULL", "i.reach IS NOT NULL"), Kind: "is-null"}
	case 10:
		if !q.Join {
			return g.cond(q, depth)
		}
		return genCond{SQL: g.pick(
			"c.effective_status IN ('ARCHIVED', 'DELETED')",
			"(c.effective_status = 'ARCHIVED' OR c.effective_status = 'DELETED')",
			"c.effective_status = 'ACTIVE'", "c.objective = 'OUTCOME_SALES'", "c.name IS NULL"), Kind: "joined-status", Join: true}
	case 11:
		return genCond{SQL: g.pick("i.spend > 10.5", "i.clicks > 164.5", "i.spend >= 100.5", "i.spend > 1e1", "i.impressions > 2.5e3", "i.spend > 0.005"), Kind: "decimal-literal"}
	case 12:
		return genCond{SQL: g.pick("i.campaign_id IN (SELECT id FROM campaigns WHERE effective_status = 'ACTIVE')",
			"i.adset_id NOT IN (SELECT id FROM adsets WHERE effective_status IN ('PAUSED', 'ARCHIVED'))"), Kind: "status-subquery"}
	default:
		a, b := g.cond(q, depth+1), g.cond(q, depth+1)
		c := genCond{Join: a.Join || b.Join, Acct: a.Acct && b.Acct}
		switch k {
		case 13:
			c.SQL, c.Kind = fmt.Sprintf("(%s OR %s)", a.SQL, b.SQL), "or("+a.Kind+","+b.Kind+")"
		case 14:
			c.SQL, c.Kind, c.Acct = fmt.Sprintf("NOT (%s)", a.SQL), "not("+a.Kind+")", a.Acct
			c.Join = a.Join
		default:
			c.SQL, c.Kind = fmt.Sprintf("(%s AND %s)", a.SQL, b.SQL), "and("+a.Kind+","+b.Kind+")"
		}
		return c
	}
}

func (g *gen) pick2(a, b, c int) int { return []int{a, b, c}[g.r.IntN(3)] }

func (g *gen) pick2s(a, b []string) []string {
	if g.chance(0.5) || len(b) == 0 {
		return a
	}
	return b
}

func (g *gen) idColumn() (string, []string) {
	switch g.r.IntN(3) {
	case 0:
		return "i.campaign_id", g.v.campaigns
	case 1:
		return "i.adset_id", g.v.adsets
	default:
		return "i.ad_id", g.v.ads
	}
}

// shape names the query's clauses without their values, for counting the
// distinct shapes a run covered.
func (q genQuery) shape() string {
	var parts []string
	for _, d := range q.Dims {
		parts = append(parts, "dim:"+d.Kind)
	}
	var conds []string
	for _, c := range q.Where {
		conds = append(conds, c.Kind)
	}
	slices.Sort(conds)
	parts = append(parts, "where:"+strings.Join(conds, "&"))
	for _, o := range q.Options {
		parts = append(parts, "opt:"+strings.Fields(o)[0])
	}
	flag := func(on bool, name string) {
		if on {
			parts = append(parts, name)
		}
	}
	flag(q.TZ != "", "tz")
	flag(q.Join, "join")
	flag(q.Having != "", "having")
	flag(q.Limit > 0, "limit")
	flag(q.Bare, "bare")
	flag(q.Wrap != "", "wrap:"+q.Wrap)
	flag(q.Window, "window")
	flag(len(q.Metrics) > 1, "metrics>1")
	return strings.Join(parts, " ")
}

var dayToken = regexp.MustCompile(`\{d:(-?\d+)\}`)

// fillDays replaces each {d:N} with the date N days from today.
func fillDays(s string, today time.Time) string {
	return dayToken.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.Atoi(dayToken.FindStringSubmatch(m)[1])
		return today.AddDate(0, 0, n).Format(time.DateOnly)
	})
}

// prelude is the statements run before the query: the time zone (always
// set, so a session never keeps the previous query's) and variables.
func (q genQuery) prelude() []string {
	tz := q.TZ
	if tz == "" {
		tz = "UTC"
	}
	return append([]string{fmt.Sprintf("SET TimeZone = '%s'", tz)}, q.Vars...)
}

// sql renders the query (without its prelude). Output columns are the
// dimensions, then the metrics, then the window column.
func (q genQuery) sql() string {
	var sel []string
	for n, d := range q.Dims {
		sel = append(sel, fmt.Sprintf("%s AS d%d", d.SQL, n))
	}
	for n, m := range q.Metrics {
		if q.Bare {
			m = strings.TrimSuffix(strings.TrimPrefix(m, "sum("), ")")
		}
		sel = append(sel, fmt.Sprintf("%s AS m%d", m, n))
	}
	if q.Window {
		sel = append(sel, fmt.Sprintf("sum(%s) OVER () AS w", q.Metrics[0]))
	}
	var b strings.Builder
	var with []string
	if q.Params != "" {
		with = append(with, "p AS (SELECT "+q.Params+")")
	}
	inner := "SELECT " + strings.Join(sel, ", ") + " FROM insights i"
	if q.Join {
		inner += " LEFT JOIN campaigns c ON c.id = i.campaign_id"
	}
	if q.Params != "" {
		inner += ", p"
	}
	var where []string
	for _, c := range q.Where {
		where = append(where, c.SQL)
	}
	where = append(where, q.Options...)
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	if !q.Bare && len(q.Dims) > 0 {
		inner += " GROUP BY ALL"
	}
	if q.Having != "" {
		if len(q.Dims) == 0 && !q.Bare {
			inner += " GROUP BY ALL"
		}
		inner += " HAVING " + q.Having
	}
	order := ""
	if q.Limit > 0 {
		var keys []string
		if q.Bare {
			keys = []string{"m0 DESC"}
		} else {
			for n := range q.Metrics {
				keys = append(keys, fmt.Sprintf("m%d DESC", n))
			}
			for n := range q.Dims {
				keys = append(keys, fmt.Sprintf("d%d", n))
			}
		}
		order = fmt.Sprintf(" ORDER BY %s LIMIT %d", strings.Join(keys, ", "), q.Limit)
	}
	switch q.Wrap {
	case "sub":
		inner = "SELECT * FROM (" + inner + order + ") sq"
		order = ""
	case "cte":
		with = append(with, "q AS ("+inner+")")
		inner = "SELECT * FROM q"
	}
	if len(with) > 0 {
		b.WriteString("WITH " + strings.Join(with, ", ") + " ")
	}
	b.WriteString(inner + order)
	return b.String()
}
