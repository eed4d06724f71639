package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// scaledDemo is an engine against a sandbox with a model and faults, with
// its waits scaled like the sandbox's clock (the model runs 30× faster
// than the real API, and states waits in real minutes).
func scaledDemo(t testing.TB, model sandbox.Model, faults sandbox.Faults) *demo {
	t.Helper()
	pause := 50 * time.Millisecond
	if model.Window > 0 {
		pause = model.Window // ThrottlePause should be about the API's usage window
	}
	d := enginetest.New(t, sandbox.Config{Seed: 7, Model: model, Faults: faults}, func(c *engine.Config) {
		// The timeout fault holds a request until the client gives up; at the fault rate a
		// request may draw it more than once, which the default single retry would not survive.
		c.Graph = faultGraph(c.Graph, &http.Transport{})
		c.WaitScale = 1.0 / 30
		c.PollMin, c.PollMax = 10*time.Millisecond, 200*time.Millisecond
		c.ThrottlePause = pause
		// The 1 s timeout above was tuned for 8 requests per account at once; the default 16
		// (with headroom) loads a busy machine's sandbox past it.
		c.MaxConcurrentPerAccount = 8
	})
	return fromHarness(d)
}

// faultGraph is g (the harness's sandbox URL and token) as the Graph
// client of runs with faults: the sandbox's
// timeout fault holds a request until the client stops waiting for its
// headers. The wait is for the headers only (a loaded machine's sandbox may
// take over a second to answer a large page, which a whole-request limit
// would count as a fault) and short enough for the faults a run draws.
func faultGraph(g graph.Config, tr *http.Transport) graph.Config {
	tr.ResponseHeaderTimeout = 2 * time.Second
	g.MaxRetries, g.TimeoutRetries = 8, 8
	g.IdleTimeout = 2 * time.Second
	g.HTTPClient = &http.Client{Transport: tr}
	return g
}

// hardQueries exercise sync paging, splitting by time, async report runs,
// splitting a too-large job by campaign, and all_days grains.
func hardQueries() []string {
	rng := fmt.Sprintf("date_start BETWEEN '%s' AND '%s'", day(-70), day(-11))
	return []string{
		fmt.Sprintf("SELECT ad_id, date_start, country, impressions, spend, clicks FROM insights WHERE %s ORDER BY ALL", rng),
		fmt.Sprintf("SELECT ad_id, region, impressions, spend, reach FROM insights WHERE %s ORDER BY ALL", rng),
		fmt.Sprintf("SELECT campaign_id, date_start, date_stop, sum(spend), sum(impressions) FROM insights WHERE %s AND time_increment = 7 GROUP BY ALL ORDER BY ALL", rng),
		fmt.Sprintf("SELECT adset_id, date_start, publisher_platform, impressions FROM insights WHERE %s AND time_increment = 'monthly' ORDER BY ALL", rng),
	}
}

func runAll(t *testing.T, d *demo) [][][]string {
	t.Helper()
	var out [][][]string
	for _, q := range hardQueries() {
		out = append(out, d.rows(t, q))
	}
	return out
}

// small makes sync requests and jobs fail for size, so the engine must
// split by time, fall back to async, and split jobs by campaign.
var small = sandbox.Model{SyncRowLimit: 200, JobRowLimit: 400}

// TestLimitsAndFaultsGiveTheCleanAnswer: with size limits forcing splits
// and async jobs, and with faults of every kind, every query returns
// exactly the rows of a clean run.
func TestLimitsAndFaultsGiveTheCleanAnswer(t *testing.T) {
	want := runAll(t, newDemo(t))
	for i, q := range want {
		if len(q) < 10 {
			t.Fatalf("query %d returned only %d rows", i, len(q))
		}
	}
	cases := []struct {
		name   string
		model  sandbox.Model
		faults sandbox.Faults
		check  func(t *testing.T, st sandbox.Stats)
	}{
		{"size limits", small, sandbox.Faults{}, func(t *testing.T, st sandbox.Stats) {
			if st.JobsCreated == 0 || st.JobsFailed == 0 {
				t.Errorf("want async jobs and a too-large one split; stats %+v", st)
			}
		}},
		{"size limits and faults", small, sandbox.Faults{Seed: 3, Rate: 0.12}, func(t *testing.T, st sandbox.Stats) {
			if st.FaultsInjected < 5 {
				t.Errorf("only %d faults injected", st.FaultsInjected)
			}
		}},
		{"throttling storm and failing jobs", small, sandbox.Faults{Seed: 11, Rate: 0.25,
			Kinds: []sandbox.FaultKind{sandbox.FaultThrottle, sandbox.FaultJobFailed, sandbox.FaultJobSkipped, sandbox.FaultBadCursor}},
			func(t *testing.T, st sandbox.Stats) {
				if st.FaultsInjected < 5 {
					t.Errorf("only %d faults injected", st.FaultsInjected)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := scaledDemo(t, c.model, c.faults)
			got := runAll(t, d)
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("query %d: %d rows, clean run %d rows; first difference in\n%s", i, len(got[i]), len(want[i]), hardQueries()[i])
				}
			}
			st := d.sb.Stats()
			if st.RequestsWhileBlocked != 0 {
				t.Errorf("%d requests sent while the API had said to wait", st.RequestsWhileBlocked)
			}
			c.check(t, st)
		})
	}
}

// TestThrottleSteering: with a small per-account call budget, the engine
// reads the usage headers and slows down before the API refuses it.
func TestThrottleSteering(t *testing.T) {
	want := newDemo(t).rows(t, hardQueries()[0])
	d := scaledDemo(t, sandbox.Model{CallsPerWindow: 8, Window: 1500 * time.Millisecond}, sandbox.Faults{})
	got := d.rows(t, hardQueries()[0])
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%d rows, clean run %d", len(got), len(want))
	}
	st := d.sb.Stats()
	if st.RequestsWhileBlocked != 0 {
		t.Errorf("%d requests while blocked", st.RequestsWhileBlocked)
	}
	if st.ThrottledRejected != 0 {
		t.Errorf("%d calls refused for the budget: the engine did not slow down in time (stats %+v)", st.ThrottledRejected, st)
	}
	if st.Requests <= 8 {
		t.Errorf("only %d requests: the budget was never under pressure", st.Requests)
	}
}

// TestJobsThatAlwaysFailEndTheQuery: when every report run fails, the engine splits down to
// one time slice and one campaign, tries those again (two rounds of three attempts), and then
// ends the query with the API's status rather than returning what other pieces read.
func TestJobsThatAlwaysFailEndTheQuery(t *testing.T) {
	d := scaledDemo(t, sandbox.Model{SyncRowLimit: 10}, sandbox.Faults{Seed: 1, Rate: 1, Kinds: []sandbox.FaultKind{sandbox.FaultJobFailed}})
	q := fmt.Sprintf("SELECT ad_id, country, impressions FROM insights WHERE date_start = '%s'", day(-3))
	_, err := collect(context.Background(), d.eng, q, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot produce this report even for one time slice and one campaign") ||
		!strings.Contains(err.Error(), "Job Failed") {
		t.Fatalf("err = %v, want the API's Job Failed after splitting to one slice and one campaign", err)
	}
	if st := d.sb.Stats(); st.JobsCreated < 6 || st.JobsFailed != st.JobsCreated {
		t.Errorf("%d report runs created, %d failed: want at least the last piece's six, all failed", st.JobsCreated, st.JobsFailed)
	}
}
