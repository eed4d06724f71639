package sandbox

import (
	"fmt"
	"math"
)

// The derived metrics (post reactions, comments and shares, outbound clicks,
// video watch depths, full views, social spend) are integer functions of an
// ad-day's base metrics plus draws that come after every base draw, so the
// base metrics of an ad-day are the same as before they existed. Breakdown
// cells apportion each in proportion to its parent metric (derivedParents),
// which keeps them exact sums at every grain and child ≤ parent per cell.

// derivedParents pairs every derived metric with the metric its cells follow.
var derivedParents = [...]struct{ child, parent int }{
	{mPostReaction, mPostEngagement}, {mComment, mPostEngagement}, {mShare, mPostEngagement},
	{mOutboundClick, mInlineLinkClicks},
	{mVideoPlay, mImpressions}, {mVideo2s, mVideoView}, {mVideo6s, mVideoView},
	{mVideo15s, mVideoView}, {mVideo30s, mVideo15s},
	{mVideoP25, mVideoView}, {mVideoP50, mVideoP25}, {mVideoP75, mVideoP50},
	{mVideoP95, mVideoP75}, {mVideoP100, mVideoP95}, {mThruplay, mVideoPlay},
	{mVideoWatchSec, mVideoPlay}, {mFullViewImpr, mImpressions}, {mSocialSpend, mSpend},
}

// deriveMore fills the derived metrics of one ad-day. draw continues the
// ad-day's draw sequence.
func deriveMore(m *metrics, a *ad, draw func(float64) int64) {
	// post_engagement = link clicks + reactions + comments + shares.
	extra := m[mPostEngagement] - m[mInlineLinkClicks]
	m[mPostReaction] = extra * 62 / 100
	m[mComment] = (extra - m[mPostReaction]) * 2 / 5
	m[mShare] = extra - m[mPostReaction] - m[mComment]
	m[mOutboundClick] = min(m[mInlineLinkClicks], draw(float64(m[mInlineLinkClicks])*0.9))
	vv := m[mVideoView]
	m[mVideoPlay] = min(m[mImpressions], vv+draw(float64(vv)*0.6))
	m[mVideo2s] = vv * 85 / 100
	m[mVideo6s] = vv * 55 / 100
	m[mVideo15s] = vv * 32 / 100
	m[mVideo30s] = m[mVideo15s] * 3 / 5
	m[mVideoP25] = vv * 58 / 100
	m[mVideoP50] = m[mVideoP25] * 3 / 5
	m[mVideoP75] = m[mVideoP50] * 7 / 10
	m[mVideoP95] = m[mVideoP75] * 4 / 5
	m[mVideoP100] = m[mVideoP95] * 9 / 10
	m[mThruplay] = max(m[mVideo15s], m[mVideoP100])
	avgSec := between(hash2(a.h, 93), 2.5, 9)
	m[mVideoWatchSec] = draw(float64(m[mVideoPlay]) * avgSec)
	m[mFullViewImpr] = min(m[mImpressions], draw(float64(m[mImpressions])*between(hash2(a.h, 94), 0.05, 0.2)))
	m[mSocialSpend] = min(m[mSpend], draw(float64(m[mSpend])*between(hash2(a.h, 95), 0.03, 0.12)))
}

// Hourly and DMA families: one dimension each.
const dmaUnknown = "Unknown"

var (
	hourlyAdvertiser = "hourly_stats_aggregated_by_advertiser_time_zone"
	hourlyAudience   = "hourly_stats_aggregated_by_audience_time_zone"
	dmas             = []string{"New York", "Los Angeles", "Chicago", "Philadelphia", "Dallas-Ft. Worth",
		"San Francisco-Oak-San Jose", "Washington, DC (Hagerstown, MD)", "Houston", "Boston (Manchester)", "Atlanta"}
	dmaWeight = []float64{0.2, 0.16, 0.1, 0.08, 0.08, 0.08, 0.08, 0.07, 0.08, 0.07}
)

// hourLabel is an hourly breakdown value: "13:00:00 - 13:59:59".
func hourLabel(h int) string { return fmt.Sprintf("%02d:00:00 - %02d:59:59", h, h) }

// diurnal is the share of a day's delivery in hour h: low at night, peaking
// in the evening. shift moves the curve (the audience's time zones spread it).
func diurnal(h int, shift float64) float64 {
	return 0.35 + math.Max(0, math.Sin(math.Pi*(float64(h)-6+shift)/17))
}

func moreFamilies() []*family {
	adv := &family{dims: []string{hourlyAdvertiser}, allowed: [][]string{{hourlyAdvertiser}}}
	aud := &family{dims: []string{hourlyAudience}, allowed: [][]string{{hourlyAudience}}}
	for h := 0; h < 24; h++ {
		adv.cells = append(adv.cells, []string{hourLabel(h)})
		adv.base = append(adv.base, diurnal(h, 0))
		aud.cells = append(aud.cells, []string{hourLabel(h)})
		aud.base = append(aud.base, diurnal(h, 0.7))
	}
	dma := &family{dims: []string{"dma"}, allowed: [][]string{{"dma"}}}
	for i, d := range dmas {
		dma.cells = append(dma.cells, []string{d})
		dma.base = append(dma.base, 0.3*dmaWeight[i])
	}
	dma.cells = append(dma.cells, []string{dmaUnknown})
	dma.base = append(dma.base, 0.7)
	return []*family{adv, aud, dma}
}
