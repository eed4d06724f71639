package sandbox

import (
	"slices"
	"strings"
)

// insightsQuery is a validated insights request, ready to compute and render
// (appendRow).
type insightsQuery struct {
	acct      *account
	level     level
	ads       []*ad // ads in scope, after entity filters
	fields    []string
	bd        *breakdownPlan
	ts        timeSpec
	slices    [][]dateRange // per range
	filters   []filter
	sortField string
	sortDesc  bool
	windows   []string // action_attribution_windows, "default" excluded
	today     int
	noReach   []bool    // per range: reach omitted (breakdowns older than 13 months)
	need      metricSet // metrics the request reads (and their split parents): the only ones split and stored

	hasAccountID, hasLevelID bool     // account_id, the level's id among fields
	fieldKeys                [][]byte // per field, its quoted key and colon

	actionDims []string // action_breakdowns other than action_type, in request order
}

var defaultInsightsFields = []string{"impressions", "spend"}

var attributionWindows = setOf("1d_view", "7d_view", "28d_view", "1d_click", "7d_click", "28d_click", "1d_ev",
	"dda", "default", "7d_view_first_conversion", "28d_view_first_conversion", "7d_view_all_conversions",
	"28d_view_all_conversions", "skan_view", "skan_click", "skan_click_second_postback", "skan_view_second_postback",
	"skan_click_third_postback", "skan_view_third_postback")

var actionBreakdowns = setOf("action_canvas_component_name", "action_carousel_card_id", "action_carousel_card_name",
	"action_destination", "action_device", "action_reaction", "action_target_id", "action_type", "action_video_sound",
	"action_video_type", "conversion_destination", "is_business_ai_assisted", "matched_persona_id",
	"matched_persona_name", "signal_source_bucket", "standard_event_content_type")

// insights serves the sync GET /{node}/insights. node is the queried object's level;
// inScope limits the ads to the node's subtree (nil = the whole account).
func (s *Server) insights(c *call, a *account, node level, inScope func(*ad) bool) (any, *apiError) {
	today := s.today()
	key := cacheKey(c, today)
	rs := s.cache.get(key)
	if rs == nil {
		q, err := parseInsights(c.p, a, node, inScope, today)
		if err != nil {
			return nil, err
		}
		rs = q.compute()
		s.cache.put(key, rs)
	}
	if _, err := c.p.limit(25); err != nil {
		return nil, err
	}
	// The data-per-call limit is about the whole result, not the page: the
	// API refuses the request even when the client asks for a small page.
	if m := s.model.SyncRowLimit; m > 0 && rs.len() > m {
		return nil, errTooMuchData()
	}
	s.bump(&s.stats.SyncInsights)
	out, err := insightsPage(c, rs)
	c.syncRows = c.pageRows
	return out, err
}

// insightsPage renders the page of rs the request's cursors select. Sync
// responses and report-run results share it, so both page the same way.
func insightsPage(c *call, rs *resultSet) (any, *apiError) {
	limit, err := c.p.limit(25)
	if err != nil {
		return nil, err
	}
	start, end, err := pageBounds(c.p, rs.len(), limit)
	if err != nil {
		return nil, err
	}
	data, rerr := rs.appendRows(make([]byte, 0, rs.pageBytes(end-start)), start, end)
	if rerr != nil {
		return nil, errInternal(rerr)
	}
	c.pageRows = end - start
	out := obj{{"data", rawJSON(data)}}
	if pg := pagingObj(c, start, end, rs.len(), limit); pg != nil {
		out = append(out, kv{"paging", pg})
	}
	return out, nil
}

// parseInsights validates every parameter the way the API does, before any
// computation, so a bad request fails fast with the API's error.
func parseInsights(p params, a *account, node level, inScope func(*ad) bool, today int) (*insightsQuery, *apiError) {
	q := &insightsQuery{acct: a, level: node, today: today}
	fields, err := p.list("fields")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		fields = defaultInsightsFields
	}
	for _, f := range fields {
		if !validInsightsFields[f] && !extraInsightsFields[f] {
			return nil, errParam("%s is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values", f)
		}
	}
	q.fields = dedupe(fields)
	q.hasAccountID = slices.Contains(q.fields, "account_id")
	for _, f := range q.fields {
		q.fieldKeys = append(q.fieldKeys, jsonKey(f))
	}
	if l := p["level"]; l != "" {
		i := slices.Index(levelNames[:], l)
		if i < 0 {
			return nil, errParam("level must be one of the following values: ad, adset, campaign, account")
		}
		q.level = level(i)
	}
	q.hasLevelID = slices.Contains(q.fields, levelNames[q.level]+"_id")
	if err := q.parseBreakdowns(p); err != nil {
		return nil, err
	}
	if err := q.parseWindows(p); err != nil {
		return nil, err
	}
	if err := q.checkFieldRules(); err != nil {
		return nil, err
	}
	if q.ts, err = parseTime(p, today); err != nil {
		return nil, err
	}
	for _, r := range q.ts.ranges {
		q.slices = append(q.slices, q.ts.slices(r))
		q.noReach = append(q.noReach, q.bd != nil && r.since < monthsBack(today, 13))
	}
	if q.filters, err = parseFiltering(p["filtering"], -1, true); err != nil {
		return nil, err
	}
	if err := q.parseSort(p); err != nil {
		return nil, err
	}
	q.need = q.neededMetrics()
	for _, d := range a.ads {
		if (inScope == nil || inScope(d)) && matchAd(q.filters, d) {
			q.ads = append(q.ads, d)
		}
	}
	return q, nil
}

// parseWindows reads action_attribution_windows ("default" is the value
// itself, so it adds no key).
func (q *insightsQuery) parseWindows(p params) *apiError {
	windows, err := p.list("action_attribution_windows")
	if err != nil {
		return err
	}
	for i, w := range windows {
		if !attributionWindows[w] {
			return errParam("action_attribution_windows[%d] must be one of the following values: %s", i, strings.Join(sortedKeys(attributionWindows), ", "))
		}
		if w != "default" {
			q.windows = append(q.windows, w)
		}
	}
	q.windows = dedupe(q.windows)
	return nil
}

// parseSort accepts one "<field>_ascending|_descending" element.
func (q *insightsQuery) parseSort(p params) *apiError {
	sorts, err := p.list("sort")
	if err != nil || len(sorts) == 0 {
		return err
	}
	if len(sorts) > 1 {
		return errParam("sort param accepts at most one element")
	}
	s := sorts[0]
	field, desc := strings.CutSuffix(s, "_descending")
	if !desc {
		field = strings.TrimSuffix(s, "_ascending")
	}
	if _, ok := rowValue(&acc{}, field); !ok {
		return errParam("sort field %s is not valid; use <field>_ascending or <field>_descending with a numeric field", s)
	}
	q.sortField, q.sortDesc = field, desc
	return nil
}

// compute walks range → slice → entity → ad → day, aggregating ad-days (or
// their breakdown cells) into one accumulator per output group and flushing
// after each (slice, entity). Memory is bounded by the number of groups, not
// by the length of the range.
func (q *insightsQuery) compute() *resultSet {
	rs := newResultSet(q)
	var ents []int
	byEnt := map[int][]*ad{}
	for _, d := range q.ads {
		e := d.ancestor(q.level)
		if _, ok := byEnt[e]; !ok {
			ents = append(ents, e)
		}
		byEnt[e] = append(byEnt[e], d)
	}
	slices.Sort(ents)
	var sp *splitter
	groups := 1
	if q.bd != nil {
		sp = newSplitter(q.bd.fam, q.need)
		groups = len(q.bd.values)
	}
	accs := make([]acc, groups)
	for ri := range q.ts.ranges {
		for si, sl := range q.slices[ri] {
			last := min(sl.until, q.today) // no delivery in the future
			for _, e := range ents {
				clear(accs)
				for _, d := range byEnt[e] {
					for day := sl.since; day <= last; day++ {
						m := adDay(d, day)
						if m[mImpressions] == 0 {
							continue
						}
						if sp == nil {
							accs[0].add(&m)
							continue
						}
						sp.split(d, day, &m)
						sp.addTo(accs, q.bd.groupOf)
					}
				}
				for g := range accs {
					// Rows without impressions are omitted, as the API omits them.
					if accs[g].m[mImpressions] > 0 && matchRow(q.filters, &accs[g]) {
						rs.add(ri, si, e, g, &accs[g])
					}
				}
			}
		}
	}
	rs.sortRows(q.sortDesc)
	return rs
}
