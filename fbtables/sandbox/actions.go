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
	scratch   []byte // statList's buffer, reused within the row
}

// setRowContext fills rc for row r, keeping rc's scratch buffer.
func (q *insightsQuery) setRowContext(rc *rowCtx, r *rowRec, sl dateRange, camp *campaign, set *adset, d *ad) {
	id := q.acct.id
	switch {
	case d != nil:
		id = d.id
	case set != nil:
		id = set.id
	case camp != nil:
		id = camp.id
	}
	*rc = rowCtx{ent: strHash(id), camp: camp, set: set, d: d, since: sl.since, scratch: rc.scratch}
	rc.seed = hash3(rc.ent, uint64(sl.since), uint64(r.group))
	if q.bd != nil {
		if i := slices.Index(q.bd.names, "impression_device"); i >= 0 {
			rc.impDevice = q.bd.values[r.group][i]
		}
	}
}

// valueFormat appends one value of an action-stat element, quoted.
type valueFormat func(b []byte, n int64) []byte

// appendCount appends a count as the API writes it: a decimal string.
func appendCount(b []byte, n int64) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, n, 10)
	return append(b, '"')
}

// statList renders one list as a JSON array: an element (or its
// action-breakdown split) per (action type, count) with a non-zero count,
// values written by format. An empty list is nil, which appendRow omits. The
// array lives in rc's scratch buffer: it is valid until the next statList
// of the row, which is long enough to copy it into the page.
func (q *insightsQuery) statList(rc *rowCtx, items []actionCount, format valueFormat) any {
	b := rc.scratch[:0]
	for _, it := range items {
		if it.n != 0 {
			b = q.appendElems(b, rc, it.name, it.n, format)
		}
	}
	if len(b) == 0 {
		rc.scratch = b
		return nil
	}
	b[0] = '[' // every element was written with a leading comma
	b = append(b, ']')
	rc.scratch = b
	return rawJSON(b)
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

// appendElems appends the elements of one action type, each after a comma:
// one without action breakdowns beyond action_type, else one per non-zero
// cell of the split.
func (q *insightsQuery) appendElems(b []byte, rc *rowCtx, actionType string, n int64, format valueFormat) []byte {
	if len(q.actionDims) == 0 {
		return q.appendStat(b, actionType, nil, n, format)
	}
	cells := q.actionCells(rc, actionType)
	if cells == nil {
		return b // the breakdown does not apply to this action type
	}
	w := make([]float64, len(cells))
	for i, c := range cells {
		w[i] = c.w * between(hash3(rc.seed, strHash(actionType), uint64(i)), 0.8, 1.2)
	}
	parts := apportionFloat(n, w)
	for i, c := range cells {
		if parts[i] != 0 {
			b = q.appendStat(b, actionType, c.keys, parts[i], format)
		}
	}
	return b
}

// appendStat appends one element: action_type, the action-breakdown keys,
// value, and the requested window keys. value is the default attribution
// (7d_click + 1d_view); the window keys are deterministic splits of it,
// nested so that 1d ≤ 7d ≤ 28d within clicks and within views.
func (q *insightsQuery) appendStat(b []byte, actionType string, keys []member, v int64, format valueFormat) []byte {
	b = append(b, `,{"action_type":`...)
	b = appendString(b, actionType)
	for _, k := range keys {
		b = append(appendString(append(b, ','), k.k), ':')
		b = appendString(b, k.v)
	}
	b = append(b, `,"value":`...)
	b = format(b, v)
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
		b = append(appendString(append(b, ','), w), ':')
		b = format(b, x)
	}
	return append(b, '}')
}

// member is one key of an action-stat element with its string value.
type member struct{ k, v string }

// actionCell is one combination of action-breakdown values.
type actionCell struct {
	keys []member
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
	cross := func(keys [][]member, w []float64) {
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
			keys := make([][]member, len(actionDevices))
			w := slices.Clone(actionDevWts)
			for i, v := range actionDevices {
				keys[i] = []member{{dim, v}}
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
			keys := make([][]member, len(pairs))
			for i, p := range pairs {
				for _, d2 := range q.actionDims {
					switch d2 {
					case "action_target_id":
						keys[i] = append(keys[i], member{d2, p[0]})
					case "action_destination":
						keys[i] = append(keys[i], member{d2, p[1]})
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
			keys := make([][]member, n)
			w := make([]float64, n)
			for i := range n {
				id := strconv.FormatUint(120211000000000000+hash2(rc.ent, uint64(i))%1000000000000, 10)
				for _, d2 := range q.actionDims {
					switch d2 {
					case "action_carousel_card_id":
						keys[i] = append(keys[i], member{d2, id})
					case "action_carousel_card_name":
						keys[i] = append(keys[i], member{d2, carouselThings[(int(rc.ent%7)+i)%len(carouselThings)]})
					}
				}
				w[i] = 1 / float64(i+1) // the first card gets the most action
			}
			cross(keys, w)
		}
	}
	return cells
}

func valueKeys(dim string, values []string) [][]member {
	out := make([][]member, len(values))
	for i, v := range values {
		out[i] = []member{{dim, v}}
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
