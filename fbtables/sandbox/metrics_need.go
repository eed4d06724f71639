package sandbox

// A breakdown request splits every ad-day into cells metric by metric, and
// that split is most of the sandbox's CPU. A request that reads impressions
// and spend need not split the thirty other metrics: each metric's cells
// depend only on its own total and its parent metric's cells (splitter), so
// splitting the needed metrics and their ancestors gives exactly the cells
// a full split gives for them. Metrics outside the set stay zero in the
// result, which nothing of that request reads.

// metricSet is a set of metric indexes: bit k is metric k.
type metricSet uint64

// allMetrics is every metric: the safe answer for a field not listed below.
const allMetrics = metricSet(1)<<nMetrics - 1

func metricsOf(ks ...int) metricSet {
	var s metricSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s metricSet) has(k int) bool { return s&(1<<k) != 0 }

// actionMetrics are the metrics behind the actions list (actionTypes).
var actionMetrics = func() metricSet {
	var s metricSet
	for _, at := range actionTypes {
		s |= 1 << at.metric
	}
	return s
}()

// fieldMetrics lists what each field (or filter and sort attribute, through
// rowValue) reads of a row's vector; appendRow, renderMore and rowValue are
// the places to check against. Fields echoed from entities read nothing. A
// field missing here is taken to read every metric.
var fieldMetrics = map[string]metricSet{
	"account_id": 0, "account_name": 0, "account_currency": 0, "campaign_id": 0, "campaign_name": 0,
	"objective": 0, "buying_type": 0, "adset_id": 0, "adset_name": 0, "optimization_goal": 0, "ad_id": 0, "ad_name": 0,
	"impressions":                metricsOf(mImpressions),
	"clicks":                     metricsOf(mClicks),
	"inline_link_clicks":         metricsOf(mInlineLinkClicks),
	"inline_post_engagement":     metricsOf(mPostEngagement),
	"spend":                      metricsOf(mSpend),
	"unique_clicks":              metricsOf(mUniqueClicks),
	"unique_inline_link_clicks":  metricsOf(mUniqueInline),
	"ctr":                        metricsOf(mClicks, mImpressions),
	"inline_link_click_ctr":      metricsOf(mInlineLinkClicks, mImpressions),
	"cpc":                        metricsOf(mSpend, mClicks),
	"cost_per_inline_link_click": metricsOf(mSpend, mInlineLinkClicks),
	"cost_per_unique_click":      metricsOf(mSpend, mUniqueClicks),
	"cpm":                        metricsOf(mSpend, mImpressions),
	"reach":                      metricsOf(mReach),
	"frequency":                  metricsOf(mImpressions, mReach),
	"cpp":                        metricsOf(mSpend, mReach),
	"unique_ctr":                 metricsOf(mUniqueClicks, mReach),
	"actions":                    actionMetrics,
}

// neededMetrics is what q's fields, metric filters and sort read, with the
// ancestors their split depends on. Impressions are always in: they decide
// which cells and rows exist.
func (q *insightsQuery) neededMetrics() metricSet {
	need := metricsOf(mImpressions)
	add := func(name string) {
		if s, ok := fieldMetrics[name]; ok {
			need |= s
		} else {
			need = allMetrics
		}
	}
	for _, f := range q.fields {
		add(f)
	}
	for _, f := range q.filters {
		if f.metric {
			add(f.attr)
		}
	}
	if q.sortField != "" {
		add(q.sortField)
	}
	// Close over parents: splitOrder lists parents before children, so
	// one pass from the end adds every ancestor.
	for i := len(splitOrder) - 1; i >= 0; i-- {
		if pc := splitOrder[i]; need.has(pc.child) {
			need |= 1 << pc.parent
		}
	}
	return need
}
