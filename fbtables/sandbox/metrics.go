package sandbox

import "math"

// Additive metrics of one ad-day (or one breakdown cell of it), in a fixed
// vector. Reach and the unique counts are stored here as per-component values
// (their sums are kept while aggregating, next to the max, so a coarser row
// can report a sub-additive figure).
const (
	mImpressions = iota
	mClicks
	mInlineLinkClicks // also the link_click action
	mSpend            // minor units
	mReach
	mUniqueClicks
	mUniqueInline
	mLandingPageView
	mAddToCart
	mInitiateCheckout
	mPurchase // purchase and offsite_conversion.fb_pixel_purchase
	mLead
	mPostEngagement
	mPageEngagement
	mVideoView
	mPurchaseValue // minor units
	// Derived per ad-day from the metrics above (metrics_more.go), so they
	// are exactly additive at every grain like the rest.
	mPostReaction
	mComment
	mShare
	mOutboundClick
	mVideoPlay
	mVideo2s
	mVideo6s
	mVideo15s
	mVideo30s
	mVideoP25
	mVideoP50
	mVideoP75
	mVideoP95
	mVideoP100
	mThruplay
	mVideoWatchSec // seconds of video watched
	mFullViewImpr
	mSocialSpend // minor units
	nMetrics
)

// metrics is one additive vector.
type metrics [nMetrics]int64

// uniqueMetrics are the sub-additive ones; their order indexes acc.max.
var uniqueMetrics = [3]int{mReach, mUniqueClicks, mUniqueInline}

// actionTypes lists the action_type values the sandbox reports, in the order
// they appear in "actions", with the metric that counts each.
var actionTypes = []struct {
	name   string
	metric int
}{
	{"link_click", mInlineLinkClicks},
	{"landing_page_view", mLandingPageView},
	{"add_to_cart", mAddToCart},
	{"initiate_checkout", mInitiateCheckout},
	{"offsite_conversion.fb_pixel_purchase", mPurchase},
	{"purchase", mPurchase},
	{"lead", mLead},
	{"comment", mComment},
	{"post_reaction", mPostReaction},
	{"post", mShare},
	{"post_engagement", mPostEngagement},
	{"page_engagement", mPageEngagement},
	{"video_view", mVideoView},
}

// valueTypes are the action types that carry a conversion value.
var valueTypes = []string{"offsite_conversion.fb_pixel_purchase", "purchase"}

// adProfile holds an ad's rates. They are drawn once from the ad's hash so an
// ad has a personality (a cheap video ad, an expensive retargeting ad) that
// stays put from day to day.
type adProfile struct {
	baseImpr, ctr, linkShare, cpmCents, freq, uniqueClick     float64
	lpvRate, atcRate, icRate, purRate, aovCents, leadRate     float64
	videoRate, engageRate, deliverP, uniqueInline, pageEngage float64
}

func newProfile(h uint64, objective string) adProfile {
	r := func(salt uint64, lo, hi float64) float64 { return between(hash2(h, salt), lo, hi) }
	p := adProfile{
		baseImpr:     math.Exp(r(1, math.Log(300), math.Log(9000))),
		ctr:          r(2, 0.006, 0.03),
		linkShare:    r(3, 0.55, 0.85),
		cpmCents:     r(4, 400, 2000),
		freq:         r(5, 1.05, 1.6),
		uniqueClick:  r(6, 0.82, 0.97),
		uniqueInline: r(7, 0.85, 0.98),
		lpvRate:      r(8, 0.6, 0.9),
		atcRate:      r(9, 0.02, 0.08),
		icRate:       r(10, 0.4, 0.7),
		purRate:      r(11, 0.3, 0.7),
		aovCents:     r(12, 2500, 15000),
		videoRate:    r(13, 0.02, 0.1),
		engageRate:   r(14, 0.002, 0.01),
		deliverP:     r(15, 0.8, 0.95),
		pageEngage:   r(16, 0.0005, 0.003),
	}
	switch objective {
	case "OUTCOME_SALES":
		p.atcRate *= 2.5
	case "OUTCOME_LEADS":
		p.leadRate = r(17, 0.05, 0.2)
	case "OUTCOME_AWARENESS":
		p.videoRate *= 4
		p.cpmCents *= 0.5
		p.ctr *= 0.5
	case "OUTCOME_TRAFFIC":
		p.ctr *= 1.5
	}
	return p
}

// weekday shape: delivery dips at the weekend (day 0 of the Unix epoch was a Thursday).
var weekdayFactor = [7]float64{1.0, 0.92, 0.85, 0.95, 1.05, 1.08, 1.04} // Thu..Wed

// adDay computes the additive metrics of ad a on day (days since 1970-01-01).
// It is a pure function of (seed, ad id, day): the clock plays no part.
func adDay(a *ad, day int) metrics {
	var m metrics
	h := hash2(a.h, uint64(day))
	if unit(h) >= a.p.deliverP {
		return m // a day without delivery
	}
	p := &a.p
	season := 1 + 0.25*math.Sin(2*math.Pi*float64(day)/365.25+unit(a.h)*6.28)
	noise := between(hash2(h, 1), 0.6, 1.4)
	// draw turns an expected value into an integer by deterministic
	// stochastic rounding, so small rates still produce occasional events.
	salt := uint64(1)
	draw := func(x float64) int64 {
		salt++
		if x <= 0 {
			return 0
		}
		return int64(x + unit(hash2(h, salt)))
	}
	imp := draw(p.baseImpr * season * noise * weekdayFactor[((day%7)+7)%7])
	if imp == 0 {
		return m
	}
	m[mImpressions] = imp
	m[mClicks] = min(imp, draw(float64(imp)*p.ctr*between(hash2(h, 90), 0.8, 1.2)))
	m[mInlineLinkClicks] = min(m[mClicks], draw(float64(m[mClicks])*p.linkShare))
	m[mSpend] = max(1, draw(float64(imp)*p.cpmCents/1000*between(hash2(h, 91), 0.85, 1.15)))
	m[mReach] = max(1, min(imp, draw(float64(imp)/p.freq)))
	m[mUniqueClicks] = min(m[mClicks], draw(float64(m[mClicks])*p.uniqueClick))
	m[mUniqueInline] = min(m[mInlineLinkClicks], draw(float64(m[mInlineLinkClicks])*p.uniqueInline))
	m[mLandingPageView] = min(m[mInlineLinkClicks], draw(float64(m[mInlineLinkClicks])*p.lpvRate))
	m[mAddToCart] = min(m[mLandingPageView], draw(float64(m[mLandingPageView])*p.atcRate))
	m[mInitiateCheckout] = min(m[mAddToCart], draw(float64(m[mAddToCart])*p.icRate))
	m[mPurchase] = min(m[mInitiateCheckout], draw(float64(m[mInitiateCheckout])*p.purRate))
	if m[mPurchase] > 0 {
		m[mPurchaseValue] = draw(float64(m[mPurchase]) * p.aovCents * between(hash2(h, 92), 0.7, 1.3))
	}
	m[mLead] = min(m[mClicks], draw(float64(m[mClicks])*p.leadRate))
	// post_engagement includes link clicks (the action hierarchy of §2.5).
	m[mPostEngagement] = m[mInlineLinkClicks] + draw(float64(imp)*p.engageRate)
	m[mPageEngagement] = m[mPostEngagement] + draw(float64(imp)*p.pageEngage)
	m[mVideoView] = draw(float64(imp) * p.videoRate)
	deriveMore(&m, a, draw)
	return m
}

// acc accumulates components (ad-days or cells) into one output row.
type acc struct {
	m   metrics
	max [len(uniqueMetrics)]int64 // largest component of each unique metric
	n   int64                     // components with impressions
}

func (a *acc) add(m *metrics) {
	if m[mImpressions] == 0 {
		return
	}
	for i := range m {
		a.m[i] += m[i]
	}
	for i, u := range uniqueMetrics {
		a.max[i] = max(a.max[i], m[u])
	}
	a.n++
}

// unique returns the sub-additive value of unique metric i (index into
// uniqueMetrics) for the row: people overlap across ads and days, so the
// union is smaller than the sum, never smaller than the largest part, and
// the shrink grows slowly with the number of parts.
func (a *acc) unique(i int) int64 {
	sum := a.m[uniqueMetrics[i]]
	if a.n <= 1 {
		return sum
	}
	v := int64(float64(sum) / (1 + 0.15*math.Log2(float64(a.n))))
	return max(v, a.max[i])
}

// Totals is ground truth for tests: exact sums at the finest grain (ad × day)
// over every ad of one account, archived and deleted ones included.
type Totals struct {
	Impressions, Clicks, InlineLinkClicks int64
	SpendCents                            int64
	Purchases                             int64
	PurchaseValueCents                    int64
	Rows                                  int // ad-days with impressions
}

// Truth returns the exact totals of one account (bare numeric id) for days
// since..until inclusive ("YYYY-MM-DD"). It sums ad-days directly, bypassing
// every code path the HTTP handlers use, so tests can hold those paths to it.
// An unknown account or unparsable date gives zero Totals.
func (s *Server) Truth(accountID, since, until string) Totals {
	var t Totals
	a := s.account(accountID)
	from, err1 := parseDay(since)
	to, err2 := parseDay(until)
	if a == nil || err1 != nil || err2 != nil {
		return t
	}
	to = min(to, s.today())
	for _, d := range a.ads {
		for day := from; day <= to; day++ {
			m := adDay(d, day)
			if m[mImpressions] == 0 {
				continue
			}
			t.Impressions += m[mImpressions]
			t.Clicks += m[mClicks]
			t.InlineLinkClicks += m[mInlineLinkClicks]
			t.SpendCents += m[mSpend]
			t.Purchases += m[mPurchase]
			t.PurchaseValueCents += m[mPurchaseValue]
			t.Rows++
		}
	}
	return t
}
