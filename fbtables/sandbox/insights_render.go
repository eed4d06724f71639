package sandbox

import (
	"strconv"
	"strings"
)

// rowValue returns a numeric field of an aggregated row, as used by metric
// filters and sort; ok is false for names that are not numeric fields.
// Money is in currency units, like the rendered strings.
func rowValue(a *acc, name string) (float64, bool) {
	m := &a.m
	div := func(x, y float64) float64 {
		if y == 0 {
			return 0
		}
		return x / y
	}
	spend := float64(m[mSpend]) / 100
	reach := float64(a.unique(0))
	switch name {
	case "impressions":
		return float64(m[mImpressions]), true
	case "clicks":
		return float64(m[mClicks]), true
	case "spend":
		return spend, true
	case "reach":
		return reach, true
	case "frequency":
		return div(float64(m[mImpressions]), reach), true
	case "ctr":
		return div(float64(m[mClicks])*100, float64(m[mImpressions])), true
	case "cpc":
		return div(spend, float64(m[mClicks])), true
	case "cpm":
		return div(spend*1000, float64(m[mImpressions])), true
	case "cpp":
		return div(spend*1000, reach), true
	case "unique_clicks":
		return float64(a.unique(1)), true
	case "inline_link_clicks":
		return float64(m[mInlineLinkClicks]), true
	case "unique_inline_link_clicks":
		return float64(a.unique(2)), true
	case "inline_post_engagement":
		return float64(m[mPostEngagement]), true
	}
	if t, ok := strings.CutPrefix(name, "actions:"); ok {
		for _, at := range actionTypes {
			if at.name == t {
				return float64(m[at.metric]), true
			}
		}
	}
	return 0, false
}

// rowWriter appends one row's JSON object: keys in call order, a value
// written straight into the page's bytes (no intermediate obj), so a page
// costs one growing buffer rather than an obj of boxed values per row.
type rowWriter struct {
	b     []byte
	first bool
	err   error
}

// key starts a member: the separator, then k, a quoted key and its colon
// (jsonKey).
func (w *rowWriter) key(k []byte) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, k...)
}

// jsonKey is the quoted key and colon that start a member named k.
func jsonKey(k string) []byte { return append(appendString(nil, k), ':') }

// The members every row has, quoted once.
var (
	keyAccountID = jsonKey("account_id")
	keyDateStart = jsonKey("date_start")
	keyDateStop  = jsonKey("date_stop")
	keyLevelID   = [...][]byte{levelCampaign: jsonKey("campaign_id"), levelAdset: jsonKey("adset_id"), levelAd: jsonKey("ad_id")}
)

// str writes v as a JSON string.
func (w *rowWriter) str(k []byte, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// count writes n as the API writes counts: a decimal string.
func (w *rowWriter) count(k []byte, n int64) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, n, 10)
	w.b = append(w.b, '"')
}

// rate writes x·scale/y as ratio does, and nothing when y is not positive.
func (w *rowWriter) rate(k []byte, x, y int64, scale float64) {
	if y > 0 {
		w.key(k)
		w.b = appendRatio(w.b, float64(x)*scale, float64(y))
	}
}

// value writes any value encoding/json or obj accepts.
func (w *rowWriter) value(k []byte, v any) {
	w.key(k)
	if w.b, w.err = appendValue(w.b, v); w.err != nil {
		w.b = nil
	}
}

// appendRow appends row r's JSON object to b: requested fields in request
// order (fields the sandbox does not compute are omitted, as the API omits
// fields without data), then account_id and the level's id if not
// requested, then date_start/date_stop (the row's slice), then the
// breakdown values.
// rc is the page's action context, refilled for the row when a field needs
// it.
func (q *insightsQuery) appendRow(b []byte, r *rowRec, rc *rowCtx) ([]byte, error) {
	sl := q.slices[r.rng][r.slice]
	var camp *campaign
	var set *adset
	var d *ad
	switch q.level {
	case levelCampaign:
		camp = q.acct.campaigns[r.ent]
	case levelAdset:
		set = q.acct.adsets[r.ent]
		camp = set.camp
	case levelAd:
		d = q.acct.ads[r.ent]
		set, camp = d.set, d.camp
	}
	a := &r.a
	m := &a.m
	noReach := q.noReach[r.rng]
	haveRC := false // the action context is filled on first use: most rows need none
	w := rowWriter{b: append(b, '{'), first: true}
	for fi, f := range q.fields {
		k := q.fieldKeys[fi]
		switch f {
		case "account_id":
			w.str(k, q.acct.id)
		case "account_name":
			w.str(k, q.acct.name)
		case "account_currency":
			w.str(k, q.acct.currency)
		case "campaign_id", "campaign_name", "objective", "buying_type":
			if camp != nil {
				w.str(k, campaignAttr(camp, f))
			}
		case "adset_id", "adset_name", "optimization_goal":
			if set != nil {
				w.str(k, adsetAttr(set, f))
			}
		case "ad_id":
			if d != nil {
				w.str(k, d.id)
			}
		case "ad_name":
			if d != nil {
				w.str(k, d.name)
			}
		case "impressions":
			w.count(k, m[mImpressions])
		case "clicks":
			w.count(k, m[mClicks])
		case "inline_link_clicks":
			w.count(k, m[mInlineLinkClicks])
		case "inline_post_engagement":
			w.count(k, m[mPostEngagement])
		case "spend":
			w.key(k)
			w.b = appendMoney(w.b, m[mSpend])
		case "unique_clicks":
			w.count(k, a.unique(1))
		case "unique_inline_link_clicks":
			w.count(k, a.unique(2))
		case "ctr":
			w.rate(k, m[mClicks], m[mImpressions], 100)
		case "inline_link_click_ctr":
			w.rate(k, m[mInlineLinkClicks], m[mImpressions], 100)
		case "cpc":
			w.rate(k, m[mSpend], m[mClicks], 0.01)
		case "cost_per_inline_link_click":
			w.rate(k, m[mSpend], m[mInlineLinkClicks], 0.01)
		case "cost_per_unique_click":
			w.rate(k, m[mSpend], a.unique(1), 0.01)
		case "cpm":
			w.rate(k, m[mSpend], m[mImpressions], 10)
		case "reach", "frequency", "cpp", "unique_ctr":
			if noReach {
				continue // §2.4: sync breakdowns older than 13 months omit reach
			}
			reach := a.unique(0)
			switch f {
			case "reach":
				w.count(k, reach)
			case "frequency":
				w.rate(k, m[mImpressions], reach, 1)
			case "cpp":
				w.rate(k, m[mSpend], reach, 10)
			case "unique_ctr":
				w.rate(k, a.unique(1), reach, 100)
			}
		default:
			if !haveRC {
				q.setRowContext(rc, r, sl, camp, set, d)
				haveRC = true
			}
			if v := q.renderMore(f, a, rc); v != nil {
				w.value(k, v)
			}
		}
		if w.err != nil {
			return b, w.err
		}
	}
	if !q.hasAccountID {
		w.str(keyAccountID, q.acct.id)
	}
	if q.level > levelAccount && !q.hasLevelID {
		k := keyLevelID[q.level]
		switch q.level {
		case levelCampaign:
			w.str(k, camp.id)
		case levelAdset:
			w.str(k, set.id)
		case levelAd:
			w.str(k, d.id)
		}
	}
	w.key(keyDateStart)
	w.b = appendDay(w.b, sl.since)
	w.key(keyDateStop)
	w.b = appendDay(w.b, sl.until)
	if q.bd != nil {
		w.b = append(w.b, q.bd.members[r.group]...)
	}
	return append(w.b, '}'), nil
}

// campaignAttr and adsetAttr give the entity attributes insights rows echo.
func campaignAttr(c *campaign, f string) string {
	switch f {
	case "campaign_id":
		return c.id
	case "campaign_name":
		return c.name
	case "objective":
		return c.objective
	}
	return "AUCTION" // buying_type
}

func adsetAttr(s *adset, f string) string {
	switch f {
	case "adset_id":
		return s.id
	case "adset_name":
		return s.name
	}
	return s.optGoal // optimization_goal
}
