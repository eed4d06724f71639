package sandbox

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestReportRunLifecycle(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Config{Now: clk.Now, Model: Model{JobBase: 10 * time.Second}})
	path := "/v25.0/act_" + f.acct + "/insights"
	id := f.createRun(t, path, dailyAds())

	steps := []struct {
		after   time.Duration // since creation
		status  string
		pct     int
		minPct  int
		hasDone bool
	}{
		{0, "Job Not Started", 0, 0, false},
		{1500 * time.Millisecond, "Job Started", 15, 15, false},
		{5 * time.Second, "Job Running", 50, 50, false},
		{9999 * time.Millisecond, "Job Running", 99, 99, false},
		{10 * time.Second, "Job Completed", 100, 100, true},
	}
	start := testNow
	for _, st := range steps {
		clk.Add(start.Add(st.after).Sub(clk.Now()))
		status, pct, body := f.poll(t, id)
		if status != st.status || pct != st.pct {
			t.Fatalf("at +%v: %s %d%%, want %s %d%%", st.after, status, pct, st.status, st.pct)
		}
		_, hasDone := body["time_completed"]
		if hasDone != st.hasDone || body["id"] != id || body["account_id"] != f.acct ||
			body["date_start"] != "2026-01-01" || body["date_stop"] != "2026-01-31" ||
			int64(body["time_ref"].(float64)) != testNow.Unix() {
			t.Fatalf("at +%v: bad AdReportRun node %v", st.after, body)
		}
		if !st.hasDone {
			e := apiErr(t, f.get(t, "/v25.0/"+id+"/insights", nil), 400, 2601, 1815107)
			if e["is_transient"] != true || e["error_user_title"] != "Loading Async Ads Report Failed" {
				t.Fatalf("not-ready error: %v", e)
			}
		} else if int64(body["time_completed"].(float64)) != testNow.Unix()+10 {
			t.Fatalf("time_completed = %v", body["time_completed"])
		}
	}

	sync := f.getAll(t, path, withLimit(dailyAds(), "7"))
	async := f.getAll(t, "/v25.0/"+id+"/insights", url.Values{"limit": {"7"}})
	if len(sync) < 100 || !reflect.DeepEqual(sync, async) {
		t.Fatalf("async rows (%d) differ from sync rows (%d)", len(async), len(sync))
	}
	first := f.get(t, "/v25.0/"+id+"/insights", url.Values{"limit": {"7"}})
	syncFirst := f.get(t, path, withLimit(dailyAds(), "7"))
	if !reflect.DeepEqual(first.body["paging"].(map[string]any)["cursors"], syncFirst.body["paging"].(map[string]any)["cursors"]) {
		t.Errorf("cursors differ: %s vs %s", first.raw, syncFirst.raw)
	}
	st := f.srv.Stats()
	if st.JobsCreated != 1 || st.StatusPolls != len(steps) || st.MaxConcurrentJobs != 1 || st.JobsFailed != 0 {
		t.Errorf("stats %+v", st)
	}
}

func withLimit(q url.Values, n string) url.Values {
	q.Set("limit", n)
	return q
}

func TestReportRunZeroModelCompletesAtOnce(t *testing.T) {
	f := newFixture(t, Config{})
	for _, node := range []string{"act_" + f.acct, f.srv.world.accounts[0].campaigns[0].id, f.srv.world.accounts[0].ads[0].id} {
		t.Run(node, func(t *testing.T) {
			q := url.Values{"fields": {"impressions,spend"}, "time_range": {tr("2026-02-01", "2026-02-28")}, "time_increment": {"1"}}
			id := f.createRun(t, "/v25.0/"+node+"/insights", q)
			if status, pct, _ := f.poll(t, id); status != "Job Completed" || pct != 100 {
				t.Fatalf("first poll: %s %d", status, pct)
			}
			sync := f.getAll(t, "/v25.0/"+node+"/insights", q)
			async := f.getAll(t, "/v25.0/"+id+"/insights", nil)
			if len(sync) == 0 || !reflect.DeepEqual(sync, async) {
				t.Fatalf("async %d rows != sync %d rows", len(async), len(sync))
			}
		})
	}
	if st := f.srv.Stats(); st.MaxConcurrentJobs != 0 || st.JobsCreated != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestReportRunTooLarge(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Config{Now: clk.Now, Model: Model{JobBase: time.Second, JobRowLimit: 50}})
	id := f.createRun(t, "/v25.0/act_"+f.acct+"/insights", dailyAds())
	if status, _, _ := f.poll(t, id); status != "Job Not Started" {
		t.Fatalf("a too-large job fails at its end, not at once: %s", status)
	}
	clk.Add(time.Hour)
	status, pct, body := f.poll(t, id)
	want := map[string]any{"error_code": -3.0, "error_subcode": 1504045.0, "error_message": "Report Too Large", "error_user_title": "Report Too Large"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v, want %v", k, body[k], v)
		}
	}
	if status != "Job Failed" || pct != 100 || body["error_user_msg"] == "" {
		t.Fatalf("%s %d %v", status, pct, body)
	}
	apiErr(t, f.get(t, "/v25.0/"+id+"/insights", nil), 400, 2601, 1815107)
	if st := f.srv.Stats(); st.JobsFailed != 1 {
		t.Errorf("JobsFailed = %d", st.JobsFailed)
	}
	// A small request under the same limit completes.
	small := f.createRun(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"time_range": {tr("2026-01-01", "2026-01-31")}})
	clk.Add(time.Hour)
	if status, _, _ := f.poll(t, small); status != "Job Completed" {
		t.Fatalf("small job: %s", status)
	}
}

func TestMaxJobsPerAccount(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Config{Now: clk.Now, Model: Model{JobBase: time.Minute, MaxJobsPerAccount: 2}})
	path := "/v25.0/act_" + f.acct + "/insights"
	f.createRun(t, path, nil)
	f.createRun(t, path, nil)
	e := apiErr(t, f.post(t, path, nil), 400, 4, 1504022)
	if e["error_user_title"] != "Too many API requests" {
		t.Errorf("error: %v", e)
	}
	other := f.srv.AccountIDs()[1]
	f.createRun(t, "/v25.0/act_"+other+"/insights", nil)
	if st := f.srv.Stats(); st.MaxConcurrentJobs != 3 || st.JobsCreated != 3 {
		t.Errorf("stats %+v", st)
	}
	clk.Add(time.Minute)
	f.createRun(t, path, nil)
}

func TestReportRunIDsAreDistinctNumbers(t *testing.T) {
	f := newFixture(t, Config{})
	seen := map[string]bool{}
	for range 5 {
		id := f.createRun(t, "/v25.0/act_"+f.acct+"/insights", nil)
		if _, err := strconv.ParseUint(id, 10, 64); err != nil || seen[id] {
			t.Fatalf("id %q", id)
		}
		seen[id] = true
	}
	apiErr(t, f.post(t, "/v25.0/act_999/insights", nil), 400, 100, 33)
}

// TestRealisticModelRoundTrip runs one small report run on the real clock
// with the realistic defaults: it must finish in about JobBase.
func TestRealisticModelRoundTrip(t *testing.T) {
	m := RealisticModel()
	f := newFixture(t, Config{Now: time.Now, Model: m})
	start := time.Now()
	id := f.createRun(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"level": {"campaign"}})
	for {
		status, _, _ := f.poll(t, id)
		if status == "Job Completed" {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("still %s after %v", status, time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(start); d < m.JobBase {
		t.Errorf("completed after %v, before JobBase %v", d, m.JobBase)
	}
	r := f.get(t, "/v25.0/"+id+"/insights", nil)
	if r.status != 200 || len(r.body["data"].([]any)) == 0 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if b := bucEntry(t, r, f.acct); b["call_count"].(float64) > 5 { // a handful of calls out of 600
		t.Errorf("BUC %v", b)
	}
}
