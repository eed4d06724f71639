package sandbox

import (
	"slices"
	"sort"
	"strings"
)

// A family is one joint distribution of breakdown values. Every ad-day is
// split into the family's cells once; a request's breakdowns pick dimensions
// of the family and rows are the marginals over the other dimensions. That is
// why age alone, gender alone and age×gender always sum to the same totals.
type family struct {
	dims    []string   // dimension names, e.g. age, gender
	cells   [][]string // cells[c][d] = value of dims[d] in cell c
	base    []float64  // population weight of each cell
	allowed [][]string // breakdown sets (sorted) this family answers
}

var (
	ages      = []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}
	ageWeight = []float64{0.16, 0.28, 0.22, 0.16, 0.11, 0.07}
	genders   = []string{"female", "male", "unknown"}
	genWeight = []float64{0.52, 0.45, 0.03}
	countries = []struct {
		code    string
		weight  float64
		regions []string
	}{
		{"US", 0.30, []string{"California", "Texas", "New York"}},
		{"GB", 0.10, []string{"England", "Scotland", "Wales"}},
		{"DE", 0.10, []string{"Bavaria", "Berlin", "North Rhine-Westphalia"}},
		{"FR", 0.08, []string{"Île-de-France", "Auvergne-Rhône-Alpes", "Provence-Alpes-Côte d'Azur"}},
		{"CA", 0.07, []string{"Ontario", "Quebec", "British Columbia"}},
		{"AU", 0.06, []string{"New South Wales", "Victoria", "Queensland"}},
		{"BR", 0.09, []string{"São Paulo (state)", "Rio de Janeiro (state)", "Minas Gerais"}},
		{"IN", 0.10, []string{"Maharashtra", "Karnataka", "Delhi"}},
		{"ES", 0.05, []string{"Community of Madrid", "Catalonia", "Andalusia"}},
		{"IT", 0.05, []string{"Lombardy", "Lazio", "Campania"}},
	}
	regionShare = []float64{0.5, 0.3, 0.2}
	devices     = []string{"iphone", "android_smartphone", "desktop", "ipad", "android_tablet"}
	devWeight   = []float64{0.38, 0.42, 0.12, 0.05, 0.03}
	// placements: publisher_platform, platform_position, weight, allowed devices
	// ("m" = phones and tablets, "d" = desktop, "p" = phones only).
	placements = []struct {
		platform, position string
		weight             float64
		devs               string
	}{
		{"facebook", "feed", 0.30, "md"}, {"facebook", "facebook_stories", 0.05, "m"},
		{"facebook", "facebook_reels", 0.06, "m"}, {"facebook", "right_hand_column", 0.02, "d"},
		{"facebook", "instream_video", 0.03, "md"}, {"facebook", "marketplace", 0.03, "md"},
		{"facebook", "video_feeds", 0.02, "m"}, {"facebook", "search", 0.01, "md"},
		{"instagram", "feed", 0.18, "m"}, {"instagram", "instagram_stories", 0.12, "m"},
		{"instagram", "instagram_reels", 0.10, "m"}, {"instagram", "instagram_explore", 0.02, "m"},
		{"audience_network", "an_classic", 0.03, "p"}, {"audience_network", "rewarded_video", 0.01, "p"},
		{"messenger", "messenger_inbox", 0.015, "md"}, {"messenger", "messenger_stories", 0.005, "m"},
	}
)

const (
	famDemo = iota
	famGeo
	famPlacement
	famHourAdvertiser
	famHourAudience
	famDMA
	nFamilies
)

var families = buildFamilies()

func buildFamilies() []*family {
	demo := &family{dims: []string{"age", "gender"},
		allowed: [][]string{{"age"}, {"gender"}, {"age", "gender"}}}
	for i, a := range ages {
		for j, g := range genders {
			demo.cells = append(demo.cells, []string{a, g})
			demo.base = append(demo.base, ageWeight[i]*genWeight[j])
		}
	}
	geo := &family{dims: []string{"country", "region"}, allowed: [][]string{{"country"}, {"region"}}}
	for _, c := range countries {
		for i, r := range c.regions {
			geo.cells = append(geo.cells, []string{c.code, r})
			geo.base = append(geo.base, c.weight*regionShare[i])
		}
	}
	// device_platform is the coarse form of impression_device, so it is a
	// dimension of the placement family rather than a family of its own.
	pl := &family{dims: []string{"publisher_platform", "platform_position", "impression_device", "device_platform"},
		allowed: [][]string{{"publisher_platform"}, {"impression_device", "publisher_platform"},
			{"platform_position", "publisher_platform"}, {"impression_device", "platform_position", "publisher_platform"},
			{"device_platform"},
			// Not in Meta's combination table, but requested in production by
			// Airbyte's delivery_platform_and_device_platform report.
			{"device_platform", "publisher_platform"}}}
	for _, p := range placements {
		for i, d := range devices {
			desktop := d == "desktop"
			phone := d == "iphone" || d == "android_smartphone"
			if (desktop && !strings.Contains(p.devs, "d")) || (!desktop && !strings.Contains(p.devs, "m") && !(phone && strings.Contains(p.devs, "p"))) {
				continue
			}
			dp := "mobile"
			if desktop {
				dp = "desktop"
			}
			pl.cells = append(pl.cells, []string{p.platform, p.position, d, dp})
			pl.base = append(pl.base, p.weight*devWeight[i])
		}
	}
	return append([]*family{demo, geo, pl}, moreFamilies()...)
}

// adCellWeights derives an ad's static weight for every cell of every family:
// the population weight, zero outside the ad set's targeting (so a US-only ad
// set has only US rows), times a per-ad taste so ads differ.
func adCellWeights(a *ad) [][]float64 {
	out := make([][]float64, nFamilies)
	for f, fam := range families {
		w := make([]float64, len(fam.cells))
		for c, cell := range fam.cells {
			if !a.targets(f, cell) {
				continue
			}
			w[c] = fam.base[c] * between(hash3(a.h, uint64(f), uint64(c)), 0.6, 1.4)
		}
		out[f] = w
	}
	return out
}

// targets reports whether cell of family f is inside the ad's ad set targeting.
func (a *ad) targets(f int, cell []string) bool {
	s := a.set
	switch f {
	case famDemo:
		lo, hi := ageBounds(cell[0])
		return hi >= s.ageMin && lo <= s.ageMax
	case famGeo:
		return slices.Contains(s.countries, cell[0])
	case famPlacement:
		return slices.Contains(s.platforms, cell[0])
	case famDMA:
		if cell[0] == dmaUnknown {
			return slices.ContainsFunc(s.countries, func(c string) bool { return c != "US" })
		}
		return slices.Contains(s.countries, "US")
	}
	return true
}

func ageBounds(bucket string) (int, int) {
	if bucket == "65+" {
		return 65, 200
	}
	var lo, hi int
	for i, part := range strings.SplitN(bucket, "-", 2) {
		n := 0
		for _, r := range part {
			n = n*10 + int(r-'0')
		}
		if i == 0 {
			lo = n
		} else {
			hi = n
		}
	}
	return lo, hi
}

// breakdownPlan maps the cells of one family to the output groups of a request.
type breakdownPlan struct {
	names   []string   // requested breakdowns, in request order
	fam     int        // family index
	groupOf []int32    // cell → group
	values  [][]string // group → values, aligned with names
	members [][]byte   // group → its JSON members, `,"name":"value"` per name
}

// planBreakdowns validates a breakdowns list and builds its cell→group map.
// A nil plan means no breakdowns.
func planBreakdowns(names []string) (*breakdownPlan, *apiError) {
	if len(names) == 0 {
		return nil, nil
	}
	for i, n := range names {
		if !validBreakdowns[n] {
			return nil, errParam("breakdowns[%d] must be one of the following values: %s", i, strings.Join(sortedKeys(validBreakdowns), ", "))
		}
	}
	key := slices.Clone(names)
	sort.Strings(key)
	key = slices.Compact(key)
	for f, fam := range families {
		for _, allowed := range fam.allowed {
			if slices.Equal(allowed, key) {
				return newBreakdownPlan(f, dedupe(names)), nil
			}
		}
	}
	return nil, errParam("Current combination of data breakdown columns (%s) is invalid ", strings.Join(names, ", "))
}

func newBreakdownPlan(f int, names []string) *breakdownPlan {
	fam := families[f]
	p := &breakdownPlan{names: names, fam: f, groupOf: make([]int32, len(fam.cells))}
	dimIdx := make([]int, len(names))
	for i, n := range names {
		dimIdx[i] = slices.Index(fam.dims, n)
	}
	seen := map[string]int32{}
	for c, cell := range fam.cells {
		vals := make([]string, len(names))
		for i, d := range dimIdx {
			vals[i] = cell[d]
		}
		k := strings.Join(vals, "\x00")
		g, ok := seen[k]
		if !ok {
			g = int32(len(p.values))
			seen[k] = g
			p.values = append(p.values, vals)
		}
		p.groupOf[c] = g
	}
	for _, vals := range p.values {
		var m []byte
		for i, n := range names {
			m = append(appendString(append(m, ','), n), ':')
			m = appendString(m, vals[i])
		}
		p.members = append(p.members, m)
	}
	return p
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
