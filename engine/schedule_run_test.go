package engine_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// TestScheduleLearnsTheRowsPerDay: a large daily scan (ad × country × day over 240 days) is
// fetched by the adaptive schedule EXPLAIN announces. Every row comes exactly once (the total
// equals the sandbox's truth, no key repeats) in few requests: the engine's static estimate
// (1000 rows a day) is several times the sandbox's, and pieces sized from it would need about
// twice the requests allowed here; pieces sized from the rows the probes returned fit.
func TestScheduleLearnsTheRowsPerDay(t *testing.T) {
	d := newDemo(t)
	since, until := day(-240), day(-1)
	query := fmt.Sprintf("SELECT account_id, ad_id, country, date_start, impressions FROM insights WHERE date_start BETWEEN '%s' AND '%s'", since, until)

	var plan string
	if err := d.eng.Exec(context.Background(), "EXPLAIN "+query, func(r *engine.Result) error {
		plan = r.Plan.String()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	probes := graph.StartConcurrency(graph.DefaultMaxPerAccount) // what the throttle sends an account at first
	if !strings.Contains(plan, fmt.Sprintf("in pieces per account: %d from both ends of the range first, the others sized from the rows per time slice those return, the last an even share", probes)) {
		t.Fatalf("EXPLAIN does not announce the adaptive schedule:\n%s", plan)
	}

	before := d.sb.Stats().SyncInsights
	got := d.one(t, fmt.Sprintf("SELECT count(*), count(DISTINCT (account_id, ad_id, country, date_start)), sum(impressions), count(DISTINCT date_start) FROM (%s)", query))
	requests := d.sb.Stats().SyncInsights - before
	want := d.truth(since, until)
	if got[2] != strconv.FormatInt(want.Impressions, 10) {
		t.Errorf("impressions %s, sandbox truth %d", got[2], want.Impressions)
	}
	if got[0] != got[1] {
		t.Errorf("%s rows but %s distinct keys: rows repeated", got[0], got[1])
	}
	if got[3] != "240" {
		t.Errorf("%s days, want 240", got[3])
	}
	rows, _ := strconv.Atoi(got[0])
	accounts := len(d.sb.AccountIDs())
	perAccount := rows / accounts
	page := graph.InsightsPageSize
	if perAccount < 4*page {
		t.Fatalf("%d rows per account: too few for the test to mean anything", perAccount)
	}
	// Probes, the rest of each gap between them, pieces of at least half a page, and at the
	// end up to a round of the streams more (so that no stream waits on a last, lone round).
	most := accounts * (2*probes + (perAccount+page/2-1)/(page/2) + graph.DefaultMaxPerAccount)
	if requests > most {
		t.Errorf("%d requests for %d rows over %d accounts, want at most %d", requests, rows, accounts, most)
	}
	t.Logf("%d rows, %d requests (at most %d)", rows, requests, most)
}
