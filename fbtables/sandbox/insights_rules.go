package sandbox

import (
	"slices"
	"sort"
	"strings"
)

// Validation of breakdowns × action breakdowns × fields (reference §2.4,
// §2.5): which combinations the API serves and which fields it refuses with
// which breakdowns. Everything here runs before any computation.

// joinableActions combine with every permutation marked * in §2.5.
var joinableActions = setOf("action_type", "action_target_id", "action_destination")

// servedActionBreakdowns are the action breakdowns the sandbox computes.
var servedActionBreakdowns = setOf("action_type", "action_target_id", "action_destination", "action_device",
	"action_reaction", "action_video_type", "action_video_sound", "action_carousel_card_id", "action_carousel_card_name")

// actionCombos are the §2.5 permutations that involve an action breakdown
// other than the joinable ones, as sorted sets (carousel id and name are
// one dimension, "action_carousel_card"); star marks the ones joinable with
// action_type, action_target_id and action_destination. The others take
// action_type only (it is the implicit default). action_video_type and
// action_video_sound are not in the table, but the API serves them alone
// (Airbyte's ads_insights_action_video_* streams request them so).
var actionCombos = []struct {
	set  []string
	star bool
}{
	{[]string{"action_device"}, true},
	{[]string{"action_device", "impression_device"}, true},
	{[]string{"action_device", "publisher_platform"}, true},
	{[]string{"action_device", "impression_device", "publisher_platform"}, true},
	{[]string{"action_device", "platform_position", "publisher_platform"}, true},
	{[]string{"action_device", "impression_device", "platform_position", "publisher_platform"}, true},
	{[]string{"action_reaction"}, false},
	{[]string{"action_video_type"}, false},
	{[]string{"action_video_sound"}, false},
	{[]string{"action_carousel_card"}, false},
	{[]string{"action_carousel_card", "impression_device"}, false},
	{[]string{"action_carousel_card", "country"}, false},
	{[]string{"action_carousel_card", "age"}, false},
	{[]string{"action_carousel_card", "gender"}, false},
	{[]string{"action_carousel_card", "age", "gender"}, false},
}

// parseBreakdowns validates breakdowns and action_breakdowns together and
// sets q.bd and q.actionDims.
func (q *insightsQuery) parseBreakdowns(p params) *apiError {
	bds, err := p.list("breakdowns")
	if err != nil {
		return err
	}
	abs, err := p.list("action_breakdowns")
	if err != nil {
		return err
	}
	for i, b := range abs {
		if !actionBreakdowns[b] {
			return errParam("action_breakdowns[%d] must be one of the following values: %s", i, strings.Join(sortedKeys(actionBreakdowns), ", "))
		}
		if !servedActionBreakdowns[b] {
			return errParam("action_breakdowns value %s is not supported by this sandbox; use one of %s", b, strings.Join(sortedKeys(servedActionBreakdowns), ", "))
		}
	}
	abs = dedupe(abs)
	if len(abs) > 0 && !slices.Contains(q.fields, "actions") {
		// D-CINS: the actions field is required whenever action_breakdowns is given.
		return errParam("actions field is required when action_breakdowns is specified; add actions to the fields param")
	}
	var core []string // action breakdowns that need a permutation of their own
	for _, b := range abs {
		if b != "action_type" {
			q.actionDims = append(q.actionDims, b)
		}
		if !joinableActions[b] {
			core = append(core, b)
		}
	}
	if len(core) == 0 {
		q.bd, err = planBreakdowns(bds)
		return err
	}
	for i, n := range bds {
		if !validBreakdowns[n] {
			return errParam("breakdowns[%d] must be one of the following values: %s", i, strings.Join(sortedKeys(validBreakdowns), ", "))
		}
	}
	if !actionComboAllowed(core, bds, abs) {
		return errParam("Current combination of data breakdown columns (%s) is invalid ", strings.Join(append(slices.Clone(abs), bds...), ", "))
	}
	if len(bds) > 0 {
		q.bd = newBreakdownPlan(familyOf(bds), dedupe(bds))
	}
	return nil
}

// actionComboAllowed checks core ∪ breakdowns against actionCombos and the
// joinable action breakdowns against the permutation's star.
func actionComboAllowed(core, bds, abs []string) bool {
	var key []string
	for _, n := range append(slices.Clone(core), bds...) {
		if strings.HasPrefix(n, "action_carousel_card_") {
			n = "action_carousel_card"
		}
		key = append(key, n)
	}
	sort.Strings(key)
	key = slices.Compact(key)
	for _, c := range actionCombos {
		if !slices.Equal(c.set, key) {
			continue
		}
		for _, b := range abs {
			if joinableActions[b] && b != "action_type" && !c.star {
				return false
			}
		}
		return true
	}
	return false
}

// familyOf is the family whose dimensions hold every name (validated by
// actionComboAllowed, so one exists).
func familyOf(names []string) int {
	for f, fam := range families {
		if !slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(fam.dims, n) }) {
			return f
		}
	}
	return 0
}

// noBreakdownFields must not be requested with any breakdown (§2.4). They
// are legacy fields: accepted without breakdowns and never filled.
var noBreakdownFields = setOf("app_store_clicks", "newsfeed_avg_position", "newsfeed_clicks", "relevance_score", "newsfeed_impressions")

// fieldBreakdownRules are the §2.4 field restrictions of single breakdowns.
var fieldBreakdownRules = map[string]func(f string) bool{
	"region": func(f string) bool {
		return f == "video_avg_time_watched_actions" || slices.Contains([]string{"video_p25_watched_actions",
			"video_p50_watched_actions", "video_p75_watched_actions", "video_p95_watched_actions", "video_p100_watched_actions"}, f)
	},
	"dma": func(f string) bool { return f == "estimated_ad_recall_rate" || f == "video_thruplay_watched_actions" },
}

// isUniqueField reports the person-count fields hourly breakdowns refuse.
func isUniqueField(f string) bool {
	return f == "reach" || f == "frequency" || f == "cpp" || strings.HasPrefix(f, "unique_") ||
		strings.HasPrefix(f, "cost_per_unique_") || f == "full_view_reach" || strings.HasPrefix(f, "estimated_ad_recall")
}

// checkFieldRules rejects fields the requested breakdowns do not serve.
func (q *insightsQuery) checkFieldRules() *apiError {
	if q.bd == nil {
		return nil
	}
	for _, f := range q.fields {
		if noBreakdownFields[f] {
			return errParam("%s field cannot be requested with breakdowns", f)
		}
		for _, b := range q.bd.names {
			hourly := b == hourlyAdvertiser || b == hourlyAudience
			switch {
			case hourly && isUniqueField(f):
				return errParam("Reach, frequency and unique metrics (%s) are not supported with the %s breakdown", f, b)
			case hourly && strings.HasPrefix(f, "video_"):
				return errParam("Video metrics (%s) are not supported with the %s breakdown", f, b)
			case fieldBreakdownRules[b] != nil && fieldBreakdownRules[b](f):
				return errParam("%s is not available with the %s breakdown", f, b)
			}
		}
	}
	return nil
}

// extraInsightsFields are accepted in fields= besides validInsightsFields:
// the legacy no-breakdown fields the catalog does not list, which are only
// checked against breakdowns.
var extraInsightsFields = setOf("app_store_clicks", "newsfeed_avg_position", "newsfeed_clicks", "relevance_score", "newsfeed_impressions")
