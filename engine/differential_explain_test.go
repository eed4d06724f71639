package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/sandbox"
	"github.com/fbsql/fbsql/planner"
)

// The explain oracle: the requests the sandbox received for a query are
// the ones its plan (what EXPLAIN prints) shows — the same path, accounts,
// parameters and days, sent the way EXPLAIN says (sync GET pages, not an
// async report run). The engine may cut a scan into several requests
// along time slices; their days together must be exactly the plan's.

// paging and transport parameters the plan does not show.
var transportParams = map[string]bool{"limit": true, "after": true, "appsecret_proof": true}

// timeParams are compared as sets of days, not as text.
var timeParams = map[string]bool{"time_range": true, "time_ranges": true, "date_preset": true}

// explain compares the requests sent while q ran on the full-pushdown
// engine with q's plan.
func (h *diffHarness) explain(q genQuery, sent []sandbox.Request) string {
	var st *planner.Statement
	// EXPLAIN through the engine, which states how it will send each request.
	err := h.full.Exec(context.Background(), "EXPLAIN "+fillDays(q.sql(), h.today), func(r *engine.Result) error {
		st = r.Plan
		return nil
	})
	if err != nil || st == nil {
		return ""
	}
	return compareExplain(st, sent, h.values.accounts, h.today)
}

// sentRequest is a logged request with its path split.
type sentRequest struct {
	sandbox.Request
	rel string // path after the version, e.g. "act_1/insights"
}

var versionPrefix = regexp.MustCompile(`^/v\d+\.\d+/`)

// compareExplain matches every first-page request to a scan of st and
// checks each scan's requests against it.
func compareExplain(st *planner.Statement, log []sandbox.Request, accounts []string, today time.Time) string {
	var reqs []sentRequest
	for _, r := range log {
		rel := versionPrefix.ReplaceAllString(r.Path, "")
		if r.Params["after"] != "" || isHelperRequest(rel, r) {
			continue
		}
		reqs = append(reqs, sentRequest{r, rel})
	}
	used := make([]bool, len(reqs))
	var bad []string
	shown := st.JSON().Requests
	for si, sc := range st.Scans {
		async := shown[si].Async
		if sc.Empty {
			continue // EXPLAIN says "no request": any request for it is unmatched below
		}
		pat := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(sc.Path), `\{account\}`, `(\d+)`) + "$")
		want := sc.Accounts
		if want == nil {
			want = accounts
		}
		wantDays, err := scanDays(sc.Params, today)
		if err != nil {
			return err.Error()
		}
		perAcct := map[string][]sentRequest{}
		for i, r := range reqs {
			m := pat.FindStringSubmatch(r.rel)
			// Identical scans (the same subquery twice) may share requests.
			if m == nil || !sameParams(sc, r.Params) {
				continue
			}
			used[i] = true
			acct := ""
			if len(m) > 1 {
				acct = m[1]
			}
			perAcct[acct] = append(perAcct[acct], r)
		}
		for _, a := range want {
			rs := perAcct[a]
			if !strings.Contains(sc.Path, "{account}") {
				rs = perAcct[""]
			}
			if len(rs) == 0 {
				bad = append(bad, fmt.Sprintf("%s: no request for account %s (EXPLAIN lists it)", sc.Path, a))
				continue
			}
			if !strings.HasSuffix(sc.Path, "/insights") {
				continue
			}
			var got []string
			for _, r := range rs {
				if (r.Method == "POST") != async {
					bad = append(bad, fmt.Sprintf("%s for %s: sent by %s, EXPLAIN says async=%v", sc.Path, a, r.Method, async))
				}
				days, err := scanDays(requestParams(r.Params), today)
				if err != nil {
					return err.Error()
				}
				got = append(got, days...)
			}
			sort.Strings(got)
			if !slices.Equal(got, wantDays) {
				bad = append(bad, fmt.Sprintf("%s for %s: requests cover days %s, EXPLAIN's %s", sc.Path, a, span(got), span(wantDays)))
			}
		}
		for a := range perAcct {
			if a != "" && !slices.Contains(want, a) {
				bad = append(bad, fmt.Sprintf("%s: a request for account %s, which EXPLAIN does not list", sc.Path, a))
			}
		}
	}
	for i, r := range reqs {
		if !used[i] {
			bad = append(bad, fmt.Sprintf("request %s %s %v matches no request EXPLAIN shows", r.Method, r.rel, r.Params))
		}
	}
	if len(bad) > 4 {
		bad = append(bad[:4], fmt.Sprintf("… %d more", len(bad)-4))
	}
	if len(bad) > 0 {
		return strings.Join(bad, "\n") + "\nEXPLAIN:\n" + st.String()
	}
	return ""
}

// isHelperRequest: requests the engine sends for itself, not for a scan —
// the account list, an account's currency, a report run's status and result pages (checked
// by the async rule through the POST that started them), campaign lists
// for a split.
func isHelperRequest(rel string, r sandbox.Request) bool {
	if regexp.MustCompile(`^act_\d+$`).MatchString(rel) && r.Params["fields"] == "currency" {
		return true
	}
	return !strings.HasPrefix(rel, "act_")
}

// sameParams: every parameter the scan shows was sent with the same text,
// except time parameters (compared as days), and nothing else was sent
// but paging and transport parameters.
func sameParams(sc *planner.Scan, got map[string]string) bool {
	shown := map[string]bool{}
	for _, p := range sc.Params {
		shown[p.Key] = true
		if timeParams[p.Key] {
			continue
		}
		if canonical(p.Key, got[p.Key]) != canonical(p.Key, planner.ParamText(p)) {
			return false
		}
	}
	for k := range got {
		if !shown[k] && !transportParams[k] && !timeParams[k] {
			return false
		}
	}
	return true
}

// canonical is a parameter's text with JSON re-encoded one way (the
// client may escape non-ASCII characters) and fields as a comma list
// (an async POST sends them as a JSON list).
func canonical(key, text string) string {
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return text
	}
	if list, ok := v.([]any); ok && key == "fields" {
		var names []string
		for _, x := range list {
			names = append(names, fmt.Sprint(x))
		}
		return strings.Join(names, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// requestParams turns logged parameters back into plan parameters for scanDays.
func requestParams(m map[string]string) []planner.Param {
	var out []planner.Param
	for k, v := range m {
		if timeParams[k] {
			out = append(out, planner.Param{Key: k, Value: v})
		}
	}
	return out
}

// scanDays lists the days a set of time parameters covers; a text value
// is the JSON the request carried.
func scanDays(params []planner.Param, today time.Time) ([]string, error) {
	var ranges []map[string]string
	for _, p := range params {
		var text string
		switch v := p.Value.(type) {
		case string:
			text = v
		default:
			text = planner.ParamText(p)
		}
		switch p.Key {
		case "time_range":
			var r map[string]string
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				return nil, fmt.Errorf("time_range %s: %w", text, err)
			}
			ranges = append(ranges, r)
		case "time_ranges":
			var rs []map[string]string
			if err := json.Unmarshal([]byte(text), &rs); err != nil {
				return nil, fmt.Errorf("time_ranges %s: %w", text, err)
			}
			ranges = append(ranges, rs...)
		case "date_preset":
			if text != "last_30d" {
				return []string{"preset " + text}, nil
			}
			ranges = append(ranges, map[string]string{"since": today.AddDate(0, 0, -30).Format(time.DateOnly), "until": today.AddDate(0, 0, -1).Format(time.DateOnly)})
		}
	}
	var days []string
	for _, r := range ranges {
		from, err1 := time.Parse(time.DateOnly, r["since"])
		to, err2 := time.Parse(time.DateOnly, r["until"])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad range %v", r)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			days = append(days, d.Format(time.DateOnly))
		}
	}
	sort.Strings(days)
	return days, nil
}

// span shortens a sorted day list for a message.
func span(days []string) string {
	if len(days) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s..%s (%d)", days[0], days[len(days)-1], len(days))
}
