package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// cacheShape is how a scan is cached: per day, or whole per account.
type cacheShape struct {
	key   string    // hex SHA-256 of everything that changes rows, but the account, the days and the fields
	daily bool      // daily insights over a time_range: one entry per account and day
	since time.Time // daily: the range asked for
	until time.Time
	// lastDay is the last day a whole entry's rows describe; zero when
	// unknown (a date preset, an entity table), so only the TTL applies.
	lastDay time.Time
	fields  []string // the API fields the stage holds, in stage order
}

// tokenID names the token in cache keys: a hash, so two tokens never share
// rows and the cache file never holds the token in any form.
func tokenID(token string) string {
	h := sha256.Sum256([]byte("fbsql cache token\x00" + token))
	return hex.EncodeToString(h[:])
}

// cacheShapeOf describes how sc's rows are cached, or returns false when
// they are not: a pushed-down LIMIT reads only part of the rows.
func (e *Engine) cacheShapeOf(sc *planner.Scan, fields []stageField, today time.Time) (cacheShape, bool) {
	if sc.Limit > 0 {
		return cacheShape{}, false
	}
	var s cacheShape
	inc, _ := sc.Param("time_increment")
	tr, hasRange := sc.Param("time_range")
	_, hasRanges := sc.Param("time_ranges")
	if sc.Table.Insights && inc == "1" && hasRange && !hasRanges {
		r := tr.(map[string]string)
		s.since, _ = time.Parse(time.DateOnly, r["since"])
		s.until, _ = time.Parse(time.DateOnly, r["until"])
		s.daily = !s.since.IsZero() && !s.until.IsZero()
	}
	if sc.Table.Insights && !s.daily {
		u := baseUnit(sc)
		s.lastDay = u.until
		for _, r := range u.ranges {
			if r.until.After(s.lastDay) {
				s.lastDay = r.until
			}
		}
		if _, preset := sc.Param("date_preset"); preset {
			s.lastDay = time.Time{}
		}
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f.apiField != "" && !seen[f.apiField] {
			seen[f.apiField] = true
			s.fields = append(s.fields, f.apiField)
		}
	}
	s.key = e.cacheKey(sc, s.daily, today)
	return s, true
}

// cacheKey hashes what decides a scan's rows besides the account, the
// days of a daily scan and the fields (a request for fewer fields is served
// from an entry with more): the token's identity, the server and API
// version, the path, and every other parameter — level, breakdowns,
// action_breakdowns, attribution windows, filtering, time increment.
func (e *Engine) cacheKey(sc *planner.Scan, daily bool, today time.Time) string {
	var b strings.Builder
	base := e.cfg.Graph.BaseURL
	if base == "" {
		base = graph.DefaultBaseURL
	}
	b.WriteString("fbsql cache v1\n")
	b.WriteString("token " + e.tokenID + "\n")
	b.WriteString("graph " + base + " " + e.version() + "\n")
	b.WriteString("path " + sc.Path + "\n")
	params := append([]planner.Param(nil), sc.Params...)
	sort.SliceStable(params, func(i, j int) bool { return params[i].Key < params[j].Key })
	for _, p := range params {
		switch {
		case p.Key == "fields" || p.Key == "limit":
			continue
		case daily && p.Key == "time_range":
			continue
		case p.Key == "date_preset":
			// A preset's days move with the calendar.
			b.WriteString("today " + today.Format(time.DateOnly) + "\n")
		}
		b.WriteString(p.Key + "=" + planner.ParamText(p) + "\n")
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:])
}
