package sandbox

import (
	"slices"
	"strconv"
)

// Action-stat lists (AdsActionStats, reference §2.2). Each element carries
// action_type, the requested action-breakdown keys, value, and one key per
// requested attribution window. Action breakdowns split an action type's
// count of the row by largest remainder, so the elements of one action type
// sum exactly to the count without the breakdown. The split is made per
// rendered row (weights fixed by the row's entity, slice and group), not
// per ad-day, so across grains it is close to additive rather than exact.

// rowCtx is what action rendering needs to know about a row.
type rowCtx struct {
	seed      uint64 // entity × slice × group: the jitter of action splits
	ent       uint64 // hash of the row's entity id: carousel cards
	impDevice string // the row's impression_device, when broken down by it
	camp      *campaign
	set       *adset
	d         *ad
	since     int
}

func (q *insightsQuery) rowContext(r *rowRec, sl dateRange, camp *campaign, set *adset, d *ad) *rowCtx {
	id := q.acct.id
	switch {
	case d != nil:
		id = d.id
	case set != nil:
		id = set.id
	case camp != nil:
		id = camp.id
	}
	rc := &rowCtx{ent: strHash(id), camp: camp, set: set, d: d, since: sl.since}
	rc.seed = hash3(rc.ent, uint64(sl.since), uint64(r.group))
	if q.bd != nil {
		if i := slices.Index(q.bd.names, "impression_device"); i >= 0 {
			rc.impDevice = q.bd.values[r.group][i]
		}
	}
	return rc
}

// statList renders one list: an element (or its action-breakdown split) per
// (action type, count) with a non-zero count, values formatted by format.
func (q *insightsQuery) statList(rc *rowCtx, items []actionCount, format func(int64) string) []obj {
	var out []obj
	for _, it := range items {
		if it.n == 0 {
			continue
		}
		out = append(out, q.elems(rc, it.name, it.n, format)...)
	}
	return out
}

// actionCount is one action type's count (or value) in a row.
type actionCount struct {
	name string
	n    int64
}

// counts lists the actions of a row in actionTypes order.
func counts(m *metrics) []actionCount {
	out := make([]actionCount, 0, len(actionTypes))
	for _, at := range actionTypes {
		out = append(out, actionCount{at.name, m[at.metric]})
	}
	return out
}

// elems renders the elements of one action type: one without action
// breakdowns beyond action_type, else one per non-zero cell of the split.
func (q *insightsQuery) elems(rc *rowCtx, actionType string, n int64, format func(int64) string) []obj {
	if len(q.actionDims) == 0 {
		return []obj{q.actionStat(obj{{"action_type", actionType}}, n, format)}
	}
	cells := q.actionCells(rc, actionType)
	if cells == nil {
		return nil // the breakdown does not apply to this action type
	}
	w := make([]float64, len(cells))
	for i, c := range cells {
		w[i] = c.w * between(hash3(rc.seed, strHash(actionType), uint64(i)), 0.8, 1.2)
	}
	parts := apportionFloat(n, w)
	var out []obj
	for i, c := range cells {
		if parts[i] == 0 {
			continue
		}
		head := append(obj{{"action_type", actionType}}, c.keys...)
		out = append(out, q.actionStat(head, parts[i], format))
	}
	return out
}

// actionStat appends value and the requested window keys to head. value is
// the default attribution (7d_click + 1d_view); the window keys are
// deterministic splits of it, nested so that 1d ≤ 7d ≤ 28d within clicks
// and within views.
func (q *insightsQuery) actionStat(head obj, v int64, format func(int64) string) obj {
	o := append(head, kv{"value", format(v)})
	click7 := v * 4 / 5
	view1 := v - click7
	for _, w := range q.windows {
		var x int64
		switch w {
		case "7d_click":
			x = click7
		case "1d_click":
			x = click7 * 3 / 4
		case "28d_click":
			x = click7 + click7/10
		case "1d_view":
			x = view1
		case "7d_view":
			x = view1 * 3 / 2
		case "28d_view":
			x = view1 * 2
		case "dda":
			x = v
		case "1d_ev":
			x = 0
		default:
			continue // SKAdNetwork and first/all-conversion windows have no data here
		}
		o = append(o, kv{w, format(x)})
	}
	return o
}

// actionCell is one combination of action-breakdown values.
type actionCell struct {
	keys obj
	w    float64
}

var (
	actionDevices  = []string{"iphone", "android_smartphone", "desktop", "ipad", "android_tablet", "other"}
	actionDevWts   = []float64{0.37, 0.41, 0.13, 0.05, 0.03, 0.01}
	reactions      = []string{"like", "love", "care", "haha", "wow", "sad", "angry"}
	reactionWts    = []float64{0.62, 0.2, 0.06, 0.05, 0.04, 0.02, 0.01}
	videoTypes     = []string{"auto_played", "click_to_play"}
	videoTypeWts   = []float64{0.85, 0.15}
	videoSounds    = []string{"sound_on", "sound_off"}
	videoSoundWts  = []float64{0.35, 0.65}
	carouselThings = []string{"Trail Tent 2P", "Down Jacket", "Hiking Boots", "Camp Stove", "Headlamp", "Daypack 24L"}
)

// destinations are the (action_target_id, action_destination) pairs an
// action type lands on: the website (pixel) for web actions, the Page and
// the Instagram account for on-Meta engagement.
func destinations(actionType string) ([][2]string, []float64) {
	switch actionType {
	case "post_engagement", "page_engagement", "post_reaction", "comment", "post", "video_view", "lead":
		return [][2]string{{pageID, "Acme Outdoor"}, {igAccountID, "acmeoutdoor"}}, []float64{0.7, 0.3}
	}
	return [][2]string{{pixelID, "acme-outdoor.example"}, {pageID, "Acme Outdoor"}}, []float64{0.92, 0.08}
}

// isVideoAction reports whether the video action breakdowns apply.
func isVideoAction(t string) bool { return t == "video_view" }

// actionCells builds the cartesian product of the requested action
// breakdowns for one action type; nil when one of them does not apply
// (action_reaction to anything but post_reaction, video ones to non-video).
func (q *insightsQuery) actionCells(rc *rowCtx, actionType string) []actionCell {
	cells := []actionCell{{w: 1}}
	cross := func(keys []obj, w []float64) {
		var next []actionCell
		for _, c := range cells {
			for i, k := range keys {
				next = append(next, actionCell{keys: append(slices.Clone(c.keys), k...), w: c.w * w[i]})
			}
		}
		cells = next
	}
	destDone, cardDone := false, false
	for _, dim := range q.actionDims {
		switch dim {
		case "action_device":
			keys := make([]obj, len(actionDevices))
			w := slices.Clone(actionDevWts)
			for i, v := range actionDevices {
				keys[i] = obj{{dim, v}}
				if v == rc.impDevice {
					w[i] *= 30 // people mostly act on the device they saw the ad on
				}
			}
			cross(keys, w)
		case "action_target_id", "action_destination":
			if destDone {
				continue
			}
			destDone = true
			pairs, w := destinations(actionType)
			keys := make([]obj, len(pairs))
			for i, p := range pairs {
				for _, d2 := range q.actionDims {
					switch d2 {
					case "action_target_id":
						keys[i] = append(keys[i], kv{d2, p[0]})
					case "action_destination":
						keys[i] = append(keys[i], kv{d2, p[1]})
					}
				}
			}
			cross(keys, w)
		case "action_reaction":
			if actionType != "post_reaction" {
				return nil
			}
			cross(valueKeys(dim, reactions), reactionWts)
		case "action_video_type", "action_video_sound":
			if !isVideoAction(actionType) {
				return nil
			}
			if dim == "action_video_type" {
				cross(valueKeys(dim, videoTypes), videoTypeWts)
			} else {
				cross(valueKeys(dim, videoSounds), videoSoundWts)
			}
		case "action_carousel_card_id", "action_carousel_card_name":
			if cardDone {
				continue
			}
			cardDone = true
			n := 3 + int(rc.ent%3)
			keys := make([]obj, n)
			w := make([]float64, n)
			for i := range n {
				id := strconv.FormatUint(120211000000000000+hash2(rc.ent, uint64(i))%1000000000000, 10)
				for _, d2 := range q.actionDims {
					switch d2 {
					case "action_carousel_card_id":
						keys[i] = append(keys[i], kv{d2, id})
					case "action_carousel_card_name":
						keys[i] = append(keys[i], kv{d2, carouselThings[(int(rc.ent%7)+i)%len(carouselThings)]})
					}
				}
				w[i] = 1 / float64(i+1) // the first card gets the most action
			}
			cross(keys, w)
		}
	}
	return cells
}

func valueKeys(dim string, values []string) []obj {
	out := make([]obj, len(values))
	for i, v := range values {
		out[i] = obj{{dim, v}}
	}
	return out
}

// apportionFloat splits total over weights w by largest remainder; the parts
// sum to total exactly.
func apportionFloat(total int64, w []float64) []int64 {
	parts := make([]int64, len(w))
	var sum float64
	for _, x := range w {
		sum += x
	}
	if sum <= 0 || len(w) == 0 {
		if len(w) > 0 {
			parts[0] = total
		}
		return parts
	}
	rem := make([]float64, len(w))
	left := total
	for i, x := range w {
		exact := float64(total) * x / sum
		parts[i] = int64(exact)
		rem[i] = exact - float64(parts[i])
		left -= parts[i]
	}
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for i := len(idx) - 1; left < 0; i = (i + len(idx) - 1) % len(idx) { // float rounding overshot
		if parts[idx[i]] > 0 {
			parts[idx[i]]--
			left++
		}
	}
	for i := 0; left > 0; i = (i + 1) % len(idx) {
		parts[idx[i]]++
		left--
	}
	return parts
}
