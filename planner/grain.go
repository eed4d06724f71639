package planner

import (
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// derive turns what the walk found about one table reference into its
// requests: the grain rule (level, breakdowns, time slice), the fields, the
// time range and the pushed filters.
func derive(sb *scanBuild, w *walker, in Input) (*Scan, error) {
	scan := &Scan{Table: sb.table, Alias: sb.alias, Options: map[string]string{}, OptionText: map[string]string{}}
	sb.scan = scan
	if err := pushOptions(sb, w, scan.Options, scan.OptionText); err != nil {
		return nil, err
	}
	var tw timeWindow
	if sb.table.Insights {
		tw = pushTimeRange(sb, w, in)
	}
	var pf pushedFilters
	if in.GrainOnly {
		// Statuses the API hides unless named are part of what the
		// query asks for, not a filter.
		pf.statuses = grainStatuses(sb, w)
	} else {
		pf = pushFilters(sb, w, in)
	}
	if pf.accounts != nil {
		scan.Accounts = pf.accounts
	}

	// Referenced columns, in catalog order.
	used := map[string]bool{}
	timeInGrain := false
	for _, r := range sb.refs {
		used[r.col.Name] = true
		if r.col.Kind == fbtables.KindTime && (r.node == nil || !sb.pushed[nodeKey(r.node)]) {
			timeInGrain = true
		}
	}
	if sb.star {
		for _, c := range sb.table.DefaultColumns() {
			used[c.Name] = true
		}
	}
	for i := range sb.table.Columns {
		if c := &sb.table.Columns[i]; used[c.Name] {
			if in.APIVersion != "" {
				if err := c.AvailableIn(in.APIVersion); err != nil {
					return nil, &Error{Table: sb.table.Name, Column: c.Name, Reason: err.Error()}
				}
			}
			scan.Columns = append(scan.Columns, c)
		}
	}

	if sb.table.ActionRows {
		splitActionColumns(scan)
	}
	var err error
	if sb.table.Insights {
		err = insightsParams(scan, sb, tw, pf, timeInGrain, in)
	} else {
		err = entityParams(scan, pf)
	}
	if err != nil {
		return nil, err
	}
	for k, v := range scan.Options {
		if _, set := scan.OptionText[k]; !set {
			scan.OptionText[k] = v
		}
	}
	if !in.GrainOnly {
		pushLimit(sb, w, scan)
	}
	return scan, nil
}

// insightsParams applies the grain rule.
func insightsParams(scan *Scan, sb *scanBuild, tw timeWindow, pf pushedFilters, timeInGrain bool, in Input) error {
	level := fbtables.LevelAccount
	var finest *fbtables.Column
	var breakdowns, fields []string
	for _, c := range scan.Columns {
		if c.Level > level {
			level, finest = c.Level, c
		}
		switch c.Kind {
		case fbtables.KindBreakdown:
			breakdowns = append(breakdowns, c.APIField())
		case fbtables.KindMetric, fbtables.KindAttribute, fbtables.KindActionList, fbtables.KindID:
			fields = append(fields, c.APIField())
		}
	}
	if v := scan.Options["level"]; v != "" {
		want, _ := fbtables.ParseLevel(v)
		if want < level {
			return &Error{Table: "insights", Column: "level",
				Reason: fmt.Sprintf("level = '%s' is coarser than the column %s, which needs level %s", v, finest.Name, level),
				Hint:   fmt.Sprintf("use level = '%s' or finer, or drop %s", level, finest.Name)}
		}
		level = want
	}
	scan.Options["level"] = level.String()
	if err := fbtables.ValidateBreakdowns(breakdowns); err != nil {
		return &Error{Table: "insights", Reason: err.Error()}
	}
	if err := fbtables.ValidateFields(fields, breakdowns); err != nil {
		return &Error{Table: "insights", Reason: err.Error()}
	}

	increment := "all_days"
	if timeInGrain {
		increment = "1"
	}
	explicit := scan.Options["time_increment"] != ""
	if explicit {
		increment = scan.Options["time_increment"]
	}
	timeParams, notes, empty, err := tw.timeParams(sb, in, increment, explicit, scan.Options["date_preset"], nonAdditive(scan))
	if err != nil {
		return err
	}
	scan.Empty = empty
	scan.Notes = append(scan.Notes, notes...)
	if v, ok := paramValue(timeParams, "time_increment"); ok {
		increment = v.(string)
	}
	scan.Options["time_increment"] = increment

	scan.Path = "act_{account}/insights"
	scan.Params = append(scan.Params, Param{Key: "level", Value: level.String()}, Param{Key: "fields", Value: withLevelIDs(fields, level)})
	if len(breakdowns) > 0 {
		scan.Params = append(scan.Params, Param{Key: "breakdowns", Value: breakdowns})
	}
	scan.Params = append(scan.Params, timeParams...)
	if err := actionParams(scan, in); err != nil {
		return err
	}
	if _, set := scan.Options["attribution_windows"]; !set && in.AttributionWindows != "" {
		w, err := optionValue("attribution_windows", in.AttributionWindows)
		if err != nil {
			return err
		}
		scan.Options["attribution_windows"] = w
	}
	if w := scan.Options["attribution_windows"]; w != "" {
		scan.Params = append(scan.Params, Param{Key: "action_attribution_windows", Value: strings.Split(w, ",")})
	}
	if len(pf.filters) > 0 {
		for i := range pf.filters {
			pf.filters[i].Field = strings.ReplaceAll(pf.filters[i].Field, "{level}", level.String())
		}
		scan.Params = append(scan.Params, Param{Key: "filtering", Value: pf.filters})
	}
	return nil
}

// nonAdditive names a metric the scan reads whose values do not add up
// across rows (reach, ratios), or "".
func nonAdditive(scan *Scan) string {
	for _, c := range scan.Columns {
		if c.Kind == fbtables.KindMetric && !c.Additive {
			return c.Name
		}
	}
	return ""
}

func paramValue(ps []Param, key string) (any, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

// levelIDs are the id fields of the levels, account to ad.
var levelIDs = []string{"account_id", "campaign_id", "adset_id", "ad_id"}

// withLevelIDs is the request's fields: the columns' own, or the level's
// id when the query reads none (count(*)), so that each row has a member.
// The level, not the ids asked for, sets the rows' grain, so ids no column
// reads are not asked for: the parents' ids were a quarter of an ad-level
// page's bytes, sent, read and checked for nothing.
func withLevelIDs(fields []string, level fbtables.Level) []string {
	var out []string
	if len(fields) == 0 {
		out = append(out, levelIDs[int(level)-1])
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// entityParams builds the request of an entity table.
func entityParams(scan *Scan, pf pushedFilters) error {
	var fields []string
	if _, ok := scan.Table.Column("id"); ok { // activities have none
		fields = append(fields, "id")
	}
	for _, c := range scan.Columns {
		if c.APIField() != "id" {
			fields = append(fields, c.APIField())
		}
	}
	if scan.Table.Edge == "" {
		scan.Path = "act_{account}"
	} else {
		scan.Path = "act_{account}/" + scan.Table.Edge
	}
	scan.Params = append(scan.Params, Param{Key: "fields", Value: fields})
	if pf.noRows {
		scan.Empty = true
		scan.Notes = append(scan.Notes, "no "+scan.Table.Name+" can have the effective_status named (the edge takes "+strings.Join(statusColumn(scan.Table).Push.Values, ", ")+"): no request, no rows")
	}
	if pf.statuses != nil {
		scan.Params = append(scan.Params, Param{Key: "effective_status", Value: pf.statuses})
	}
	if len(pf.filters) > 0 {
		scan.Params = append(scan.Params, Param{Key: "filtering", Value: pf.filters})
	}
	return nil
}
