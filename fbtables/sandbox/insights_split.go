package sandbox

// splitOrder pairs every metric but impressions with the parent metric its
// cells are apportioned by (clicks by impressions, purchases by checkouts,
// ...), parents before children, so one pass in this order splits a vector.
var splitOrder = append([]struct{ child, parent int }{
	{mClicks, mImpressions}, {mInlineLinkClicks, mClicks}, {mSpend, mImpressions},
	{mReach, mImpressions}, {mUniqueClicks, mClicks}, {mUniqueInline, mInlineLinkClicks},
	{mLandingPageView, mInlineLinkClicks}, {mAddToCart, mLandingPageView},
	{mInitiateCheckout, mAddToCart}, {mPurchase, mInitiateCheckout}, {mPurchaseValue, mPurchase},
	{mLead, mClicks}, {mPostEngagement, mImpressions}, {mPageEngagement, mPostEngagement},
	{mVideoView, mImpressions},
}, derivedParents[:]...)

// splitter apportions ad-day vectors into the cells of one family; it owns
// scratch buffers so the hot loop does not allocate. Cells are stored
// metric-major (cols[k][c]), so a parent's cells are the child's weights as
// they stand. Only the metrics in need are split; the others have no
// column. Not safe for concurrent use.
type splitter struct {
	fam     int
	w       []int64                       // impressions weights of the current ad-day
	cols    [nMetrics][]int64             // cols[k][c]: metric k of cell c; nil when not needed
	order   []struct{ child, parent int } // splitOrder restricted to need
	metrics []int                         // the needed metrics, impressions first
	keys    []uint64                      // apportion's remainders, as sort keys
}

func newSplitter(fam int, need metricSet) *splitter {
	n := len(families[fam].cells)
	sp := &splitter{fam: fam, w: make([]int64, n), keys: make([]uint64, 0, n)}
	sp.cols[mImpressions] = make([]int64, n)
	sp.metrics = append(sp.metrics, mImpressions)
	for _, pc := range splitOrder {
		if need.has(pc.child) {
			sp.order = append(sp.order, pc)
			sp.cols[pc.child] = make([]int64, n)
			sp.metrics = append(sp.metrics, pc.child)
		}
	}
	return sp
}

// split fills sp.cols with ad a's day split of m. Every metric is divided
// by largest-remainder apportionment, so the cells of each metric sum to the
// ad-day value exactly. Impressions follow the cell weights (with a daily
// jitter); every other metric is apportioned in proportion to its parent
// metric's cells, which keeps child ≤ parent in every cell:
// floor(x·c/p) + 1 ≤ p_i whenever c < p.
func (sp *splitter) split(a *ad, day int, m *metrics) {
	base := a.weights[sp.fam]
	dh := hash2(a.h, uint64(day)*7+uint64(sp.fam))
	for c := range sp.w {
		sp.w[c] = 0
		if base[c] > 0 {
			sp.w[c] = int64(base[c] * between(hash2(dh, uint64(c)), 0.85, 1.15) * 1e6)
		}
	}
	sp.apportion(sp.cols[mImpressions], m[mImpressions], sp.w)
	for _, pc := range sp.order {
		sp.apportion(sp.cols[pc.child], m[pc.child], sp.cols[pc.parent])
	}
}

// addTo adds every cell with impressions to its group's accumulator.
func (sp *splitter) addTo(accs []acc, groupOf []int32) {
	imp := sp.cols[mImpressions]
	for c, n := range imp {
		if n == 0 {
			continue
		}
		a := &accs[groupOf[c]]
		for _, k := range sp.metrics {
			a.m[k] += sp.cols[k][c]
		}
		for i, u := range uniqueMetrics {
			if col := sp.cols[u]; col != nil {
				a.max[i] = max(a.max[i], col[c])
			}
		}
		a.n++
	}
}

// apportion splits total over the cells by weights w into col.
func (sp *splitter) apportion(col []int64, total int64, w []int64) {
	if total == 0 {
		clear(col)
		return
	}
	var sum int64
	for _, x := range w {
		sum += x
	}
	if sum == 0 { // cannot happen for a delivering ad; keep the total anyway
		clear(col)
		col[0] = total
		return
	}
	left := total
	sp.keys = sp.keys[:0]
	for c, x := range w {
		if x == 0 {
			col[c] = 0
			continue
		}
		// total·x fits in int64: totals are < 2^31 and weights < 2^31.
		q := total * x / sum
		col[c] = q
		left -= q
		if rem := total*x - q*sum; rem > 0 {
			// Largest remainder first, then the lower cell: as one
			// integer key, smallest first. rem < sum < 2^40 and
			// c < 2^20, so the key fits, and keys are distinct.
			sp.keys = append(sp.keys, uint64(sum-rem)<<cellBits|uint64(c))
		}
	}
	if left == 0 {
		return
	}
	// The remainders sum to left·sum and each is below sum, so at least
	// left cells have one: keys[:left] exists.
	smallestFirst(sp.keys, int(left))
	for _, key := range sp.keys[:left] {
		col[key&(1<<cellBits-1)]++
	}
}

// cellBits is the bits of a cell index in apportion's sort keys.
const cellBits = 20

// smallestFirst reorders keys so that keys[:k] are its k smallest, in no
// particular order (a quickselect): apportion gives each of them one unit,
// so it needs the set, not a sorted list, and this was its hottest loop.
// keys must be distinct.
func smallestFirst(keys []uint64, k int) {
	lo, hi := 0, len(keys)-1
	t := k - 1 // the index whose element must end in its sorted place
	for hi-lo > 12 {
		mid := lo + (hi-lo)/2
		// Median of three as the pivot.
		if keys[mid] < keys[lo] {
			keys[mid], keys[lo] = keys[lo], keys[mid]
		}
		if keys[hi] < keys[lo] {
			keys[hi], keys[lo] = keys[lo], keys[hi]
		}
		if keys[hi] < keys[mid] {
			keys[hi], keys[mid] = keys[mid], keys[hi]
		}
		pivot := keys[mid]
		i, j := lo, hi
		for i <= j {
			for keys[i] < pivot {
				i++
			}
			for keys[j] > pivot {
				j--
			}
			if i <= j {
				keys[i], keys[j] = keys[j], keys[i]
				i++
				j--
			}
		}
		// keys[lo..j] ≤ pivot ≤ keys[i..hi]; between them, the pivot.
		switch {
		case t <= j:
			hi = j
		case t >= i:
			lo = i
		default:
			return
		}
	}
	// A short range: insertion sort puts it all in order.
	for i := lo + 1; i <= hi; i++ {
		for j := i; j > lo && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
