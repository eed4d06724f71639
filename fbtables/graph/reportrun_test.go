package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// jobServer scripts an async report run: the POST answers created, status answers the n-th
// status poll (1-based), and GET {id}/insights answers two rows.
type jobServer struct {
	created string
	status  func(n int) (int, string)
}

func (j jobServer) start(t *testing.T) *fakeGraph {
	polls := 0
	return newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == http.MethodPost:
			writeJSON(w, 200, j.created)
		case strings.HasSuffix(r.URL.Path, "/insights"):
			writeJSON(w, 200, `{"data":[{"spend":"1"},{"spend":"2"}]}`)
		default:
			polls++
			status, body := j.status(polls)
			writeJSON(w, status, body)
		}
	})
}

func completed(n int) (int, string) {
	return 200, `{"id":"9001","async_status":"Job Completed","async_percent_completion":100}`
}

const unknownRun = `{"error":{"message":"Unsupported get request. Object with ID '9001' does not exist","type":"GraphMethodException","code":100,"error_subcode":33}}`

func runReport(t *testing.T, f *fakeGraph, o RunOptions) (int, error) {
	c, _ := newTestClient(t, f.URL)
	if o.PollMin == 0 {
		o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
	}
	rows := 0
	err := c.RunReport(context.Background(), Insights{Account: "1", Params: ParamList{{"level", "ad"}}}, o, Rows{Each: func(json.RawMessage) error { rows++; return nil }})
	return rows, err
}

func TestRunReport(t *testing.T) {
	t.Run("report_run_id as a number", func(t *testing.T) {
		f := jobServer{created: `{"report_run_id":9001}`, status: completed}.start(t)
		if rows, err := runReport(t, f, RunOptions{}); err != nil || rows != 2 {
			t.Errorf("rows %d, err %v", rows, err)
		}
		if got := f.requests()[1].path; got != "/v25.0/9001" {
			t.Errorf("polled %s, want /v25.0/9001", got)
		}
	})
	t.Run("a fresh run unknown to the API is asked again", func(t *testing.T) {
		f := jobServer{created: `{"report_run_id":"9001"}`, status: func(n int) (int, string) {
			if n <= 2 {
				return 400, unknownRun
			}
			return completed(n)
		}}.start(t)
		if rows, err := runReport(t, f, RunOptions{}); err != nil || rows != 2 {
			t.Errorf("rows %d, err %v; want the rows after two 100/33 answers", rows, err)
		}
	})
	t.Run("a failed run says what its status said", func(t *testing.T) {
		f := jobServer{created: `{"report_run_id":"9001"}`, status: func(int) (int, string) {
			return 200, `{"id":"9001","async_status":"Job Failed","async_percent_completion":40,"error_code":-2,"error_subcode":2490547,"error_message":"Report Failed"}`
		}}.start(t)
		_, err := runReport(t, f, RunOptions{})
		var je *JobError
		if !errors.As(err, &je) || !strings.Contains(err.Error(), `ended "Job Failed" with error -2 (subcode 2490547): Report Failed`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a failed run without a reason says so", func(t *testing.T) {
		f := jobServer{created: `{"report_run_id":"9001"}`, status: func(int) (int, string) {
			return 200, `{"id":"9001","async_status":"Job Failed","async_percent_completion":0}`
		}}.start(t)
		_, err := runReport(t, f, RunOptions{})
		if err == nil || !strings.Contains(err.Error(), `ended "Job Failed" (the API gave no reason)`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a run stuck at 0% meets its deadline", func(t *testing.T) {
		f := jobServer{created: `{"report_run_id":"9001"}`, status: func(int) (int, string) {
			return 200, `{"id":"9001","async_status":"Job Running","async_percent_completion":0}`
		}}.start(t)
		_, err := runReport(t, f, RunOptions{Deadline: 100 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), `did not finish within 100ms (last status "Job Running" at 0%)`) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestRunReportWithCallersWait: a caller's Wait replaces the client's status polls (the
// benchmark's Airbyte schedule polls many runs in one batch), and PageSize sizes the result pages.
func TestRunReportWithCallersWait(t *testing.T) {
	f := jobServer{created: `{"report_run_id":"9001"}`, status: func(int) (int, string) {
		t.Error("the client polled although the caller waits")
		return completed(1)
	}}.start(t)
	var waited []string
	o := RunOptions{PageSize: 100, Wait: func(_ context.Context, id string) (ReportRun, error) {
		waited = append(waited, id)
		return ReportRun{ID: id, Status: "Job Completed", Percent: 100}, nil
	}}
	if rows, err := runReport(t, f, o); err != nil || rows != 2 {
		t.Fatalf("rows %d, err %v", rows, err)
	}
	hits := f.requests()
	if len(waited) != 1 || waited[0] != "9001" || len(hits) != 2 {
		t.Fatalf("waited for %v; requests %v", waited, hits)
	}
	if hits[1].path != "/v25.0/9001/insights" || !strings.Contains(hits[1].query, "limit=100") {
		t.Errorf("result read %s?%s, want 100-row pages of /v25.0/9001/insights", hits[1].path, hits[1].query)
	}

	// A run the caller's wait reports failed is a JobError, as with the client's polls.
	o.Wait = func(_ context.Context, id string) (ReportRun, error) {
		return ReportRun{ID: id, Status: "Job Failed"}, nil
	}
	var je *JobError
	if _, err := runReport(t, f, o); !errors.As(err, &je) {
		t.Errorf("failed run: err = %v, want a *JobError", err)
	}
}
