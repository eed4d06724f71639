package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// filter is one parsed element of the filtering parameter.
type filter struct {
	index  int    // position in the list, for error messages
	scope  level  // entity filters: the level whose entity is tested
	attr   string // id, name, effective_status, updated_time, created_time, or a metric name
	metric bool   // applies to output rows rather than entities
	op     string
	strs   []string  // values as strings (IN lists, names, ids)
	nums   []float64 // values as numbers (thresholds, ranges)
}

var operators = []string{"EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
	"LESS_THAN_OR_EQUAL", "IN_RANGE", "NOT_IN_RANGE", "CONTAIN", "NOT_CONTAIN", "CONTAINS_ANY",
	"CONTAINS_ALL", "NOT_CONTAINS_ANY", "STEM_MATCH", "IN", "NOT_IN", "STARTS_WITH", "ENDS_WITH",
	"ANY", "ALL", "AFTER", "BEFORE", "ON_OR_AFTER", "ON_OR_BEFORE", "NONE", "TOP"}

// supportedOps lists, per kind of attribute, the operators the sandbox
// evaluates; a valid operator outside these is rejected rather than ignored,
// because silently ignoring a filter would return wrong rows.
var supportedOps = map[string][]string{
	"id":               {"EQUAL", "NOT_EQUAL", "IN", "NOT_IN"},
	"name":             {"EQUAL", "NOT_EQUAL", "CONTAIN", "NOT_CONTAIN", "STARTS_WITH", "ENDS_WITH", "IN", "NOT_IN"},
	"effective_status": {"IN", "NOT_IN", "EQUAL", "NOT_EQUAL"},
	"time":             {"GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL"},
	"metric":           {"EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "IN_RANGE", "NOT_IN_RANGE"},
}

// filterMetrics are the row metrics a filter can threshold.
var filterMetrics = []string{"impressions", "clicks", "spend", "reach", "ctr", "cpc", "cpm", "frequency",
	"inline_link_clicks", "unique_clicks"}

// parseFiltering parses the filtering parameter. self is the level a bare
// attribute ("name", "id") refers to on entity edges; insights pass -1 so
// bare names must be metrics. metrics says whether metric thresholds are allowed.
func parseFiltering(raw string, self level, metrics bool) ([]filter, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var items []struct {
		Field    string          `json:"field"`
		Operator string          `json:"operator"`
		Value    json.RawMessage `json:"value"`
	}
	if relaxedJSON(raw, &items) != nil {
		return nil, errParam("param filtering must be an array of objects with field, operator and value")
	}
	var out []filter
	for i, it := range items {
		f := filter{index: i, op: strings.ToUpper(it.Operator)}
		if it.Field == "" || it.Operator == "" || len(it.Value) == 0 {
			return nil, errParam("param filtering[%d] must have field, operator and value", i)
		}
		if !slices.Contains(operators, f.op) {
			return nil, errParam("param filtering[%d][operator] must be one of {%s}", i, strings.Join(operators, ", "))
		}
		kind, err := f.resolveField(it.Field, self, metrics)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(supportedOps[kind], f.op) {
			return nil, errParam("Filtering operator %s is not supported for field %s; use one of {%s}", f.op, it.Field, strings.Join(supportedOps[kind], ", "))
		}
		f.strs, f.nums = filterValues(it.Value)
		if kind == "time" && len(f.nums) == 0 {
			for _, s := range f.strs { // also accept a date-time string
				if t, err := time.Parse("2006-01-02T15:04:05-0700", s); err == nil {
					f.nums = append(f.nums, float64(t.Unix()))
				}
			}
		}
		if (kind == "metric" || kind == "time") && len(f.nums) == 0 {
			return nil, errParam("param filtering[%d][value] must be a number for field %s", i, it.Field)
		}
		out = append(out, f)
	}
	return out, nil
}

// resolveField sets scope, attr and metric from a field name and returns its kind.
func (f *filter) resolveField(field string, self level, metrics bool) (string, *apiError) {
	prefix, attr, dotted := strings.Cut(field, ".")
	if !dotted {
		prefix, attr = "", field
	}
	bad := errParam("Filtering field '%s' is invalid.", field)
	scope := self
	if dotted {
		i := slices.Index(levelNames[:], prefix)
		if i < 0 {
			return "", bad
		}
		scope = level(i)
	}
	f.attr = attr
	switch attr {
	case "id", "name", "effective_status", "updated_time", "created_time":
		if scope < levelCampaign { // account attributes or a bare name on insights
			return "", bad
		}
		f.scope = scope
		if attr == "updated_time" || attr == "created_time" {
			return "time", nil
		}
		return attr, nil
	}
	if metrics && slices.Contains(filterMetrics, attr) {
		f.metric = true
		return "metric", nil
	}
	return "", bad
}

// filterValues reads a value that may be a string, a number or a list of them.
func filterValues(raw json.RawMessage) ([]string, []float64) {
	var list []any
	if json.Unmarshal(raw, &list) != nil {
		var one any
		_ = json.Unmarshal(raw, &one)
		list = []any{one}
	}
	var strs []string
	var nums []float64
	for _, v := range list {
		s := fmt.Sprint(v)
		if f, ok := v.(float64); ok {
			s = strconv.FormatFloat(f, 'f', -1, 64)
		}
		strs = append(strs, s)
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			nums = append(nums, n)
		}
	}
	return strs, nums
}

// matchEntity tests an entity filter against e (already resolved to f.scope).
func (f *filter) matchEntity(e *entity) bool {
	switch f.attr {
	case "id":
		return f.matchString(e.id, false)
	case "name":
		return f.matchString(e.name, true)
	case "effective_status":
		return f.matchString(e.effective, false)
	case "updated_time":
		return f.matchNumber(float64(e.updated.Unix()))
	case "created_time":
		return f.matchNumber(float64(e.created.Unix()))
	}
	return true
}

// matchString applies a string operator. CONTAIN-style operators ignore case
// as Ads Manager search does; EQUAL and IN are exact.
func (f *filter) matchString(s string, fold bool) bool {
	first := ""
	if len(f.strs) > 0 {
		first = f.strs[0]
	}
	lower := strings.ToLower
	if !fold {
		lower = func(s string) string { return s }
	}
	switch f.op {
	case "EQUAL":
		return s == first
	case "NOT_EQUAL":
		return s != first
	case "IN":
		return slices.Contains(f.strs, s)
	case "NOT_IN":
		return !slices.Contains(f.strs, s)
	case "CONTAIN":
		return strings.Contains(lower(s), lower(first))
	case "NOT_CONTAIN":
		return !strings.Contains(lower(s), lower(first))
	case "STARTS_WITH":
		return strings.HasPrefix(lower(s), lower(first))
	case "ENDS_WITH":
		return strings.HasSuffix(lower(s), lower(first))
	}
	return true
}

// matchNumber applies a numeric comparison.
func (f *filter) matchNumber(x float64) bool {
	v := f.nums[0]
	switch f.op {
	case "EQUAL":
		return x == v
	case "NOT_EQUAL":
		return x != v
	case "GREATER_THAN":
		return x > v
	case "GREATER_THAN_OR_EQUAL":
		return x >= v
	case "LESS_THAN":
		return x < v
	case "LESS_THAN_OR_EQUAL":
		return x <= v
	case "IN_RANGE", "NOT_IN_RANGE":
		hi := v
		if len(f.nums) > 1 {
			hi = f.nums[1]
		}
		in := x >= v && x <= hi
		return in == (f.op == "IN_RANGE")
	}
	return true
}

// matchAd tests the entity filters against an ad's ancestor at each filter's scope.
func matchAd(fs []filter, d *ad) bool {
	for i := range fs {
		f := &fs[i]
		if f.metric {
			continue
		}
		var e *entity
		switch f.scope {
		case levelCampaign:
			e = &d.camp.entity
		case levelAdset:
			e = &d.set.entity
		default:
			e = &d.entity
		}
		if !f.matchEntity(e) {
			return false
		}
	}
	return true
}

// matchRow tests metric filters against an aggregated output row.
func matchRow(fs []filter, a *acc) bool {
	for i := range fs {
		if fs[i].metric {
			v, _ := rowValue(a, fs[i].attr)
			if !fs[i].matchNumber(v) {
				return false
			}
		}
	}
	return true
}
