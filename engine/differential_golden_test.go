package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Golden files (planner/testdata) show what the planner sends; they are
// not evidence that it is right. This test holds every golden case whose
// plan pushes a value (filtering, statuses, accounts, sort, limit, a time
// range or preset) to an oracle: the same SQL on the demo with full
// pushdown and with the planner's GrainOnly mode must give the same rows,
// and a sum over insights filtered on dates and accounts only must equal
// the sandbox's truth over the days DuckDB itself selects.

// pushedValue marks a plan line that carries a value from the query.
var pushedValue = regexp.MustCompile(`(?m)^\s+(filtering=|effective_status=|accounts:|sort=|time_range=|time_ranges=|date_preset=|limit: )`)

// truthShape is a golden query the truth oracle can check: a sum of an
// additive metric of insights under a WHERE of dates and accounts only.
var truthShape = regexp.MustCompile(`^SELECT sum\((spend|impressions|clicks|inline_link_clicks)\) FROM insights WHERE (.*)$`)

// dateOnlyWhere reads only date_start, date_stop and account_id, and
// nothing random or fbsql-specific (options).
var notDateOnly = regexp.MustCompile(`(?i)random|date_preset|time_increment|level|attribution|select|campaign|ad_|adset|spend|impressions|clicks`)

var (
	accountNotFound   = regexp.MustCompile(`Object with ID 'act_\d+' does not exist`)
	peerOrderedWindow = regexp.MustCompile(`(?i)OVER \(ORDER BY [^)]*\bROWS\b`)
)

// limitWithoutOrder: a LIMIT with no ORDER BY anywhere in the query.
func limitWithoutOrder(sql string) bool {
	up := strings.ToUpper(sql)
	return strings.Contains(up, " LIMIT ") && !strings.Contains(up, "ORDER BY")
}

func countOnly(rows [][]string) [][]string { return [][]string{{strconv.Itoa(len(rows))}} }

func dropLast(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[:len(r)-1]
	}
	return out
}

type goldenQuery struct {
	file string
	line int
	sql  string
	plan string
}

func readGoldenQueries(t *testing.T) []goldenQuery {
	files, _ := filepath.Glob("../planner/testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files in ../planner/testdata")
	}
	var out []goldenQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "plan" {
				continue
			}
			g := goldenQuery{file: filepath.Base(f), line: i + 1}
			var sql, plan []string
			j := i + 1
			for ; j < len(lines) && lines[j] != "----"; j++ {
				sql = append(sql, lines[j])
			}
			for j++; j < len(lines) && lines[j] != ""; j++ {
				plan = append(plan, lines[j])
			}
			g.sql, g.plan = strings.Join(sql, "\n"), strings.Join(plan, "\n")
			out = append(out, g)
			i = j
		}
	}
	return out
}

// isReadOnlyQuery: a SELECT or WITH query (COPY, CREATE, INSERT and SET
// cases would change the session or write files).
func isReadOnlyQuery(sql string) bool {
	up := strings.ToUpper(strings.TrimSpace(sql))
	return (strings.HasPrefix(up, "SELECT") || strings.HasPrefix(up, "WITH")) && !strings.Contains(sql, ";")
}

func TestGoldenPushdownsHoldAgainstOracles(t *testing.T) {
	h := newDiffHarness(t)
	checked, truths := 0, 0
	for _, g := range readGoldenQueries(t) {
		if !pushedValue.MatchString(g.plan) || strings.HasPrefix(g.plan, "error:") || !isReadOnlyQuery(g.sql) {
			continue
		}
		checked++
		t.Run(g.file+":"+strconv.Itoa(g.line), func(t *testing.T) {
			ctx := context.Background()
			full, errF := collect(ctx, h.full, g.sql, nil)
			grain, errG := collect(ctx, h.grain, g.sql, nil)
			switch {
			case errF != nil && errG != nil:
				return // refused in both modes: nothing pushed
			case errF != nil && len(grain) == 0 && accountNotFound.MatchString(errF.Error()):
				// A named account the token cannot read: full pushdown asks
				// for it and reports the API's error; grain-only reads the
				// configured accounts and finds no row of it. Neither is a
				// wrong number.
				return
			case errF != nil || errG != nil:
				t.Fatalf("%s\nfull pushdown error: %v\ngrain-only error: %v", g.sql, errF, errG)
			}
			switch {
			case limitWithoutOrder(g.sql):
				// Any n rows are a right answer: compare the count.
				full, grain = countOnly(full), countOnly(grain)
			case peerOrderedWindow.MatchString(g.sql):
				// A running window over rows that tie on its ORDER BY
				// depends on their order: compare the other columns.
				full, grain = dropLast(full), dropLast(grain)
			}
			q := genQuery{Metrics: []string{"x"}}
			if d := compareRows(q, full, grain); d != "" {
				t.Errorf("%s\n%s", g.sql, d)
			}
			m := truthShape.FindStringSubmatch(g.sql)
			if m == nil || notDateOnly.MatchString(m[2]) {
				return
			}
			truths++
			tq := genQuery{Metrics: []string{"sum(i." + m[1] + ")"}, Where: []genCond{{SQL: m[2], Date: true}}}
			if d := h.truth(tq, full); d != "" {
				t.Errorf("%s\n%s", g.sql, d)
			}
		})
	}
	t.Logf("%d golden cases push a value; %d also checked against sandbox truth", checked, truths)
	if checked == 0 {
		t.Fatal("no golden case pushes a value: the walker reads nothing")
	}
}
