package sandbox

import (
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // account time zones must resolve on minimal systems too
)

// level is a node kind of the ad hierarchy, coarse to fine.
type level int

const (
	levelAccount level = iota
	levelCampaign
	levelAdset
	levelAd
)

var levelNames = [...]string{"account", "campaign", "adset", "ad"}

func (l level) String() string { return levelNames[l] }

// nodeType is the Graph node type named in "nonexisting field" errors.
var nodeTypes = [...]string{"AdAccount", "Campaign", "AdSet", "Adgroup"}

// world is the synthetic entity tree. It is built once in New and read-only
// afterwards, so handlers share it without locks.
type world struct {
	seed     uint64
	accounts []*account
	byID     map[string]any // campaign, adset and ad ids → *campaign, *adset, *ad
}

type account struct {
	id, name, currency, tzName, business, country string
	loc                                           *time.Location
	created                                       time.Time
	campaigns                                     []*campaign
	adsets                                        []*adset
	ads                                           []*ad
	lib                                           *library // creatives, images, audiences... (library.go)
}

// entity holds what campaigns, ad sets and ads have in common.
type entity struct {
	id, name, status, effective string
	idx                         int // position in the account's list for its level
	created, updated, start     time.Time
	acct                        *account
}

type campaign struct {
	entity
	objective, bidStrategy string
	dailyBudget, lifetime  int64 // minor units; 0 = budget lives on the ad sets
	stop                   time.Time
	specialCategories      []string
	adsets                 []*adset
}

type adset struct {
	entity
	camp                       *campaign
	optGoal, billing, bidStrat string
	dailyBudget, bidAmount     int64
	ageMin, ageMax             int
	countries, platforms       []string
	end                        time.Time
	ads                        []*ad
}

type ad struct {
	entity
	set        *adset
	camp       *campaign
	creativeID string
	h          uint64      // hash of (seed, id): the root of every metric of this ad
	p          adProfile   // per-ad rates, derived from h
	weights    [][]float64 // static breakdown cell weights per family (targeting × taste)
}

// ancestor returns the index, in its account's list, of the ad's entity at l.
func (a *ad) ancestor(l level) int {
	switch l {
	case levelCampaign:
		return a.camp.idx
	case levelAdset:
		return a.set.idx
	case levelAd:
		return a.idx
	}
	return 0
}

var (
	campaignThemes = []string{"Spring Sale", "Summer Launch", "Black Friday", "Evergreen", "Back to School",
		"Holiday Gifting", "New Arrivals", "Brand Awareness", "Clearance", "Loyalty", "Cyber Week",
		"Mother's Day", "Product Launch", "Valentine's Day"}
	campaignFunnels = []string{"Prospecting", "Retargeting", "Lookalikes", "Broad", "Catalog", "Lead Gen",
		"Video Views", "Traffic"}
	funnelObjective = map[string]string{"Prospecting": "OUTCOME_SALES", "Retargeting": "OUTCOME_SALES",
		"Lookalikes": "OUTCOME_SALES", "Broad": "OUTCOME_SALES", "Catalog": "OUTCOME_SALES",
		"Lead Gen": "OUTCOME_LEADS", "Video Views": "OUTCOME_AWARENESS", "Traffic": "OUTCOME_TRAFFIC"}
	objectiveGoal = map[string]string{"OUTCOME_SALES": "OFFSITE_CONVERSIONS", "OUTCOME_LEADS": "LEAD_GENERATION",
		"OUTCOME_AWARENESS": "THRUPLAY", "OUTCOME_TRAFFIC": "LANDING_PAGE_VIEWS"}
	audiences = []string{"Lookalike 1%", "Lookalike 3%", "Interests – Fitness", "Interests – Travel",
		"Broad 25–54", "Website Visitors 30d", "Add to Cart 14d", "Engagers 90d", "Advantage+ Audience"}
	geos = []struct {
		label     string
		countries []string
	}{{"US", []string{"US"}}, {"UK", []string{"GB"}}, {"DACH", []string{"DE"}},
		{"EU", []string{"DE", "FR", "ES", "IT"}}, {"Global", []string{"US", "GB", "DE", "FR", "CA", "AU", "BR", "IN", "ES", "IT"}},
		{"US & CA", []string{"US", "CA"}}, {"ANZ", []string{"AU"}}, {"LATAM", []string{"BR"}}, {"India", []string{"IN"}}}
	adFormats = []string{"Video", "Carousel", "Single Image", "Collection", "Reel"}
	adHooks   = []string{"UGC Testimonial", "Founder Story", "Product Demo", "20% Off", "Free Shipping",
		"Before/After", "Bestsellers", "Unboxing"}
	bidStrategies = []string{"LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITHOUT_CAP", "COST_CAP", "LOWEST_COST_WITH_BID_CAP"}
)

// accountSpecs fixes the two accounts' identity; only their contents vary with the seed.
var accountSpecs = []struct{ id, name, currency, tz, business, country string }{
	{"1000000000000001", "Acme Outdoor – US", "USD", "America/Los_Angeles", "Acme Outdoor Inc.", "US"},
	{"1000000000000002", "Acme Outdoor – EU", "EUR", "Europe/Berlin", "Acme Outdoor GmbH", "DE"},
}

// extraMarkets give the accounts past accountSpecs their currency, time
// zone and country, in turn.
var extraMarkets = []struct{ label, currency, tz, country string }{
	{"US", "USD", "America/New_York", "US"}, {"UK", "GBP", "Europe/London", "GB"}, {"FR", "EUR", "Europe/Paris", "FR"},
	{"JP", "JPY", "Asia/Tokyo", "JP"}, {"BR", "BRL", "America/Sao_Paulo", "BR"}, {"AU", "AUD", "Australia/Sydney", "AU"},
}

// accountSpec is the identity of the i-th account: accountSpecs, then
// numbered accounts in the extra markets.
func accountSpec(i int) struct{ id, name, currency, tz, business, country string } {
	if i < len(accountSpecs) {
		return accountSpecs[i]
	}
	m := extraMarkets[(i-len(accountSpecs))%len(extraMarkets)]
	return struct{ id, name, currency, tz, business, country string }{
		fmt.Sprintf("%d", 1000000000000001+i), fmt.Sprintf("Acme Outdoor – %s %d", m.label, i+1), m.currency, m.tz,
		"Acme Outdoor " + m.label, m.country}
}

// newWorld builds the entity tree for seed. Entity timestamps are anchored
// 38 months before today so every object predates the 37-month data window;
// metrics never depend on these timestamps.
//
// nAccounts (0 = the two of accountSpecs) and adsMult (0 = 1) scale the world
// for benchmarks; the first accounts are the same whatever nAccounts, and at
// the defaults the world is the one every test knows.
func newWorld(seed uint64, today time.Time, nAccounts, adsMult int) *world {
	w := &world{seed: seed, byID: map[string]any{}}
	s := &stream{state: mix(seed)}
	// Ids share one increasing space, like real Marketing API object ids
	// ("1202…", 18 digits); the block structure keeps them distinct.
	nextID := uint64(120200000000000000) + (mix(seed)%100000)*1000000
	newID := func() string {
		nextID += 1000 + uint64(s.intn(1000))
		return strconv.FormatUint(nextID, 10)
	}
	anchor := today.AddDate(0, -38, 0)
	if nAccounts <= 0 {
		nAccounts = len(accountSpecs)
	}
	adsMult = max(adsMult, 1)
	for i := 0; i < nAccounts; i++ {
		spec := accountSpec(i)
		loc, err := time.LoadLocation(spec.tz)
		if err != nil {
			loc = time.UTC
		}
		a := &account{id: spec.id, name: spec.name, currency: spec.currency, tzName: spec.tz,
			business: spec.business, country: spec.country, loc: loc,
			created: anchor.Add(-time.Duration(30+s.intn(300)) * 24 * time.Hour).In(loc).Add(time.Duration(s.intn(86400)) * time.Second)}
		w.accounts = append(w.accounts, a)
		nCamp := 9 + s.intn(3)
		themeOff := s.intn(len(campaignThemes))
		for ci := 0; ci < nCamp; ci++ {
			c := &campaign{}
			theme := campaignThemes[(themeOff+ci)%len(campaignThemes)]
			funnel := pick(s, campaignFunnels)
			c.entity = newEntity(s, a, newID(), theme+" – "+funnel, len(a.campaigns), anchor)
			c.status = campaignStatus(s, ci, nCamp)
			c.effective = c.status
			c.objective = funnelObjective[funnel]
			c.bidStrategy = pick(s, bidStrategies)
			if s.intn(2) == 0 { // Advantage campaign budget
				c.dailyBudget = int64(20+s.intn(30)) * 1000
			}
			if s.intn(6) == 0 {
				c.specialCategories = []string{"HOUSING"}
			}
			if c.status == "ARCHIVED" || c.status == "DELETED" {
				c.stop = c.start.AddDate(0, 2+s.intn(6), 0)
			}
			a.campaigns = append(a.campaigns, c)
			w.byID[c.id] = c
			nSets := 2 + s.intn(3)
			for si := 0; si < nSets; si++ {
				as := newAdset(s, a, c, newID(), anchor)
				c.adsets = append(c.adsets, as)
				a.adsets = append(a.adsets, as)
				w.byID[as.id] = as
				nAds := (2 + s.intn(3)) * adsMult
				for ai := 0; ai < nAds; ai++ {
					d := newAd(s, w.seed, a, as, newID(), newID(), ai, anchor)
					as.ads = append(as.ads, d)
					a.ads = append(a.ads, d)
					w.byID[d.id] = d
				}
			}
		}
	}
	w.buildLibraries(today)
	return w
}

func newEntity(s *stream, a *account, id, name string, idx int, anchor time.Time) entity {
	created := anchor.AddDate(0, 0, s.intn(20)).Add(time.Duration(s.intn(86400)) * time.Second).In(a.loc)
	return entity{id: id, name: name, idx: idx, acct: a, created: created,
		start:   created.Add(time.Duration(1+s.intn(48)) * time.Hour).Truncate(time.Hour),
		updated: created.AddDate(0, 1+s.intn(30), s.intn(28)).Add(time.Duration(s.intn(86400)) * time.Second)}
}

// campaignStatus guarantees each account has paused, archived and deleted
// campaigns (the last three), so status handling is always exercised.
func campaignStatus(s *stream, i, n int) string {
	switch n - i {
	case 1:
		return "DELETED"
	case 2:
		return "ARCHIVED"
	case 3:
		return "PAUSED"
	}
	if s.intn(7) == 0 {
		return "PAUSED"
	}
	return "ACTIVE"
}

// childStatus draws a configured status for an ad set or ad.
func childStatus(s *stream) string {
	switch r := s.intn(20); {
	case r < 14:
		return "ACTIVE"
	case r < 17:
		return "PAUSED"
	case r < 19:
		return "ARCHIVED"
	}
	return "DELETED"
}

// effectiveStatus derives a child's effective_status from its own and its
// parents' configured statuses, the way the API reports it: a deleted or
// archived ancestor wins, then the child's own pause, then a paused ancestor.
func effectiveStatus(own string, parents ...struct{ status, pausedAs string }) string {
	if own == "DELETED" || own == "ARCHIVED" {
		return own
	}
	for _, p := range parents {
		if p.status == "DELETED" || p.status == "ARCHIVED" {
			return p.status
		}
	}
	if own == "PAUSED" {
		return own
	}
	for _, p := range parents {
		if p.status == "PAUSED" {
			return p.pausedAs
		}
	}
	return own
}

type parentStatus = struct{ status, pausedAs string }

func newAdset(s *stream, a *account, c *campaign, id string, anchor time.Time) *adset {
	g := pick(s, geos)
	as := &adset{camp: c, countries: g.countries}
	as.entity = newEntity(s, a, id, pick(s, audiences)+" – "+g.label, len(a.adsets), anchor)
	as.status = childStatus(s)
	as.effective = effectiveStatus(as.status, parentStatus{c.status, "CAMPAIGN_PAUSED"})
	as.optGoal = objectiveGoal[c.objective]
	as.billing = "IMPRESSIONS"
	as.bidStrat = c.bidStrategy
	if c.dailyBudget == 0 {
		as.dailyBudget = int64(5+s.intn(40)) * 1000
	}
	if as.bidStrat != "LOWEST_COST_WITHOUT_CAP" {
		as.bidAmount = int64(300 + s.intn(2000))
	}
	as.ageMin, as.ageMax = 18, 65
	if s.intn(3) == 0 {
		as.ageMin, as.ageMax = 25, 54
	}
	as.platforms = []string{"facebook", "instagram", "audience_network", "messenger"}
	if s.intn(3) == 0 {
		as.platforms = []string{"facebook", "instagram"}
	}
	if c.status == "ARCHIVED" || c.status == "DELETED" {
		as.end = c.stop
	}
	return as
}

func newAd(s *stream, seed uint64, a *account, as *adset, id, creativeID string, n int, anchor time.Time) *ad {
	d := &ad{set: as, camp: as.camp, creativeID: creativeID}
	name := fmt.Sprintf("%s – %s v%d", pick(s, adFormats), pick(s, adHooks), n+1)
	d.entity = newEntity(s, a, id, name, len(a.ads), anchor)
	d.status = childStatus(s)
	d.effective = effectiveStatus(d.status, parentStatus{as.camp.status, "CAMPAIGN_PAUSED"},
		parentStatus{as.status, "ADSET_PAUSED"})
	d.h = hash2(seed, strHash(id))
	d.p = newProfile(d.h, as.camp.objective)
	d.weights = adCellWeights(d)
	return d
}
