package engine

import (
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// TestCacheKey: everything that changes rows changes the key; the fields
// and a daily scan's time range do not (they are matched per entry).
func TestCacheKey(t *testing.T) {
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	base := func() *planner.Scan {
		return &planner.Scan{Table: ins, Path: "act_{account}/insights", Params: []planner.Param{
			{Key: "level", Value: "ad"}, {Key: "fields", Value: []string{"ad_id", "spend"}},
			{Key: "breakdowns", Value: []string{"country"}},
			{Key: "time_range", Value: map[string]string{"since": "2025-01-01", "until": "2025-02-01"}},
			{Key: "time_increment", Value: "1"}}}
	}
	e := &Engine{cfg: Config{Graph: graph.Config{Token: "t1"}}, tokenID: tokenID("t1")}
	key := func(e *Engine, sc *planner.Scan) string {
		s, ok := e.cacheShapeOf(sc, stageFields(sc), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
		if !ok || !s.daily {
			t.Fatalf("not a daily cached scan: %+v", s)
		}
		return s.key
	}
	k0 := key(e, base())
	same := map[string]func(*planner.Scan){
		"fields": func(sc *planner.Scan) { sc.Params[1].Value = []string{"spend"} },
		"time range": func(sc *planner.Scan) {
			sc.Params[3].Value = map[string]string{"since": "2024-01-01", "until": "2025-02-01"}
		},
	}
	for name, f := range same {
		sc := base()
		f(sc)
		if key(e, sc) != k0 {
			t.Errorf("%s changed the key", name)
		}
	}
	differ := map[string]func(*planner.Scan){
		"level":      func(sc *planner.Scan) { sc.Params[0].Value = "adset" },
		"breakdowns": func(sc *planner.Scan) { sc.Params[2].Value = []string{"age"} },
		"filtering": func(sc *planner.Scan) {
			sc.Params = append(sc.Params, planner.Param{Key: "filtering", Value: []any{"x"}})
		},
		"attribution": func(sc *planner.Scan) {
			sc.Params = append(sc.Params, planner.Param{Key: "action_attribution_windows", Value: []string{"1d_click"}})
		},
		"action breakdowns": func(sc *planner.Scan) {
			sc.Params = append(sc.Params, planner.Param{Key: "action_breakdowns", Value: []string{"action_type"}})
		},
		"path": func(sc *planner.Scan) { sc.Path = "act_{account}/other" },
	}
	for name, f := range differ {
		sc := base()
		f(sc)
		if key(e, sc) == k0 {
			t.Errorf("%s did not change the key", name)
		}
	}
	for name, other := range map[string]*Engine{
		"token":   {cfg: Config{Graph: graph.Config{Token: "t2"}}, tokenID: tokenID("t2")},
		"version": {cfg: Config{Graph: graph.Config{Token: "t1", Version: "v1.0"}}, tokenID: tokenID("t1")},
		"server":  {cfg: Config{Graph: graph.Config{Token: "t1", BaseURL: "http://127.0.0.1:9"}}, tokenID: tokenID("t1")},
	} {
		if key(other, base()) == k0 {
			t.Errorf("another %s shares the key", name)
		}
	}
}
