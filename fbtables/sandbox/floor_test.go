package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNoClientBeatsTheFloor runs client schedules of every kind the model
// allows — one stream per account, many streams per account, tiny pages,
// report runs, batches — and checks each read all the rows and took at
// least Model.Floor. The floor is a lower bound, so a slow machine can
// only make the runs slower, never the test fail.
func TestNoClientBeatsTheFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a dozen timed schedules")
	}
	m := RealisticModel()
	m.AccountSlots, m.AppSlots = 2, 3 // small, so the floor is the larger part of each run
	m.JobBase = 50 * time.Millisecond
	s := New(Config{Seed: 1, Model: m})
	hs := httptest.NewServer(s)
	defer hs.Close()
	c := &floorClient{base: hs.URL + "/v25.0/"}
	today := time.Now().UTC()
	var days []string
	for d := 30; d >= 1; d-- {
		days = append(days, today.AddDate(0, 0, -d).Format(time.DateOnly))
	}
	ctx := context.Background()

	// The truth: rows per account, read once with no load limit.
	truth := map[string]int64{}
	free := New(Config{Seed: 1})
	fs := httptest.NewServer(free)
	defer fs.Close()
	for _, a := range s.AccountIDs() {
		n, err := (&floorClient{base: fs.URL + "/v25.0/"}).sync(ctx, a, days[0], days[len(days)-1], 5000)
		if err != nil {
			t.Fatal(err)
		}
		truth[a] = int64(n)
	}
	// The rows of each day, for a client that knows them beforehand.
	daily := map[string][]int{}
	for _, a := range s.AccountIDs() {
		for _, d := range days {
			n, err := (&floorClient{base: fs.URL + "/v25.0/"}).sync(ctx, a, d, d, 5000)
			if err != nil {
				t.Fatal(err)
			}
			daily[a] = append(daily[a], n)
		}
	}
	floor := m.Floor(truth)
	var want int64
	for _, n := range truth {
		want += n
	}

	type schedule struct {
		name    string
		streams int // concurrent calls per account
		read    func(acct string, part []string) (int, error)
		parts   int                          // days per unit of work
		split   func(acct string) [][]string // the units, instead of parts
	}
	syncPages := func(limit int) func(string, []string) (int, error) {
		return func(acct string, part []string) (int, error) {
			return c.sync(ctx, acct, part[0], part[len(part)-1], limit)
		}
	}
	schedules := []schedule{
		{"one stream per account", 1, syncPages(5000), 30, nil},
		{"10 streams per account", 10, syncPages(5000), 1, nil},
		{"40 streams per account", 40, syncPages(5000), 1, nil},
		{"40 streams, 100-row pages", 40, syncPages(100), 1, nil},
		{"report runs, 10 at once", 10, func(a string, p []string) (int, error) { return c.async(ctx, a, p[0], p[len(p)-1]) }, 3, nil},
		{"batches of 10 days, 4 at once", 4, func(a string, p []string) (int, error) { return c.batch(ctx, a, p) }, 10, nil},
	}
	// The best client the test can write: knowing every day's rows, it
	// gives each of the account's slots a run of days holding an even
	// share of them, read in full pages.
	schedules = append(schedules, schedule{name: "even shares, rows known", streams: m.AccountSlots, read: syncPages(5000),
		split: func(a string) [][]string { return evenRuns(days, daily[a], m.AccountSlots) }})
	for _, sc := range schedules {
		start := time.Now()
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			rows  int64
			first error
		)
		for _, a := range s.AccountIDs() {
			work := make(chan []string)
			for i := 0; i < sc.streams; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for part := range work {
						n, err := sc.read(a, part)
						mu.Lock()
						rows += int64(n)
						if err != nil && first == nil {
							first = err
						}
						mu.Unlock()
					}
				}()
			}
			var units [][]string
			if sc.split != nil {
				units = sc.split(a)
			} else {
				for i := 0; i < len(days); i += sc.parts {
					units = append(units, days[i:min(i+sc.parts, len(days))])
				}
			}
			go func() {
				for _, u := range units {
					work <- u
				}
				close(work)
			}()
		}
		wg.Wait()
		wall := time.Since(start)
		if first != nil {
			t.Fatalf("%s: %v", sc.name, first)
		}
		if rows != want {
			t.Errorf("%s: read %d rows, the sandbox holds %d", sc.name, rows, want)
		}
		if wall < floor {
			t.Errorf("%s took %v, under the model's floor %v: the floor is wrong", sc.name, wall, floor)
		}
		t.Logf("%-30s %8v  %.2f × floor %v", sc.name, wall.Round(time.Millisecond), wall.Seconds()/floor.Seconds(), floor.Round(time.Millisecond))
	}
}

// evenRuns cuts days into at most n runs of consecutive days whose rows
// (rows[i] on days[i]) are as even as whole days allow: each run ends
// once it holds its share of what is left.
func evenRuns(days []string, rows []int, n int) [][]string {
	left := 0
	for _, r := range rows {
		left += r
	}
	var runs [][]string
	start, held := 0, 0
	for i, r := range rows {
		held += r
		share := float64(left) / float64(n-len(runs))
		if len(runs) < n-1 && float64(held) >= share-float64(r)/2 {
			runs = append(runs, days[start:i+1])
			left -= held
			start, held = i+1, 0
		}
	}
	if start < len(days) {
		runs = append(runs, days[start:])
	}
	return runs
}

// floorClient is a bare Graph API client for the floor test.
type floorClient struct{ base string }

func (c *floorClient) call(ctx context.Context, method, path string, q url.Values) (map[string]any, error) {
	q.Set("access_token", "sandbox-token")
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequestWithContext(ctx, method, c.base+path+"?"+q.Encode(), nil)
	} else {
		req, _ = http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(q.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body any
	if err := json.Unmarshal(raw, &body); err != nil || res.StatusCode != 200 {
		return nil, fmt.Errorf("%s %s: %d %.200s", method, path, res.StatusCode, raw)
	}
	if m, ok := body.(map[string]any); ok {
		return m, nil
	}
	return map[string]any{"batch": body}, nil
}

func floorQuery(since, until string, limit int) url.Values {
	return url.Values{"level": {"ad"}, "fields": {"ad_id,impressions,spend"}, "breakdowns": {`["country"]`},
		"time_increment": {"1"}, "limit": {fmt.Sprint(limit)},
		"time_range": {fmt.Sprintf(`{"since":"%s","until":"%s"}`, since, until)}}
}

// pages reads path and its next pages, returning the rows.
func (c *floorClient) pages(ctx context.Context, path string, q url.Values) (int, error) {
	n := 0
	for {
		body, err := c.call(ctx, http.MethodGet, path, q)
		if err != nil {
			return n, err
		}
		n += len(body["data"].([]any))
		paging, _ := body["paging"].(map[string]any)
		cursors, _ := paging["cursors"].(map[string]any)
		if paging["next"] == nil || cursors["after"] == nil {
			return n, nil
		}
		q.Set("after", cursors["after"].(string))
	}
}

func (c *floorClient) sync(ctx context.Context, acct, since, until string, limit int) (int, error) {
	return c.pages(ctx, "act_"+acct+"/insights", floorQuery(since, until, limit))
}

func (c *floorClient) async(ctx context.Context, acct, since, until string) (int, error) {
	created, err := c.call(ctx, http.MethodPost, "act_"+acct+"/insights", floorQuery(since, until, 5000))
	if err != nil {
		return 0, err
	}
	id := created["report_run_id"].(string)
	for {
		st, err := c.call(ctx, http.MethodGet, id, url.Values{})
		if err != nil {
			return 0, err
		}
		if st["async_status"] == "Job Completed" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return c.pages(ctx, id+"/insights", url.Values{"limit": {"5000"}})
}

func (c *floorClient) batch(ctx context.Context, acct string, days []string) (int, error) {
	var ops []map[string]string
	for _, d := range days {
		ops = append(ops, map[string]string{"method": "GET", "relative_url": "act_" + acct + "/insights?" + floorQuery(d, d, 5000).Encode()})
	}
	b, _ := json.Marshal(ops)
	body, err := c.call(ctx, http.MethodPost, "", url.Values{"batch": {string(b)}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range body["batch"].([]any) {
		var page struct {
			Data []json.RawMessage `json:"data"`
		}
		op := r.(map[string]any)
		if err := json.Unmarshal([]byte(op["body"].(string)), &page); err != nil || op["code"].(float64) != 200 {
			return n, fmt.Errorf("batch op: %v %v", op["code"], op["body"])
		}
		n += len(page.Data)
	}
	return n, nil
}
