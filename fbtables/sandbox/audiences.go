package sandbox

import (
	"fmt"
	"time"
)

// Custom conversions and custom audiences of an account.

type customConversion struct {
	acct                                  *account
	id, name, description, eventType, url string
	defaultValue                          int
	created, firstFired, lastFired        time.Time
	archived                              bool
}

type customAudience struct {
	acct                           *account
	id, name, description, subtype string
	lower, upper, retention        int64
	created, updated               time.Time
	rule                           string
	source                         *customAudience // lookalike origin
	ratio                          float64
	sourceType, sourceSub          string
}

var conversionSpecs = []struct{ name, event, path string }{
	{"Purchase – Thank You page", "PURCHASE", "/checkout/thank-you"},
	{"Lead – Newsletter signup", "LEAD", "/newsletter/confirmed"},
	{"Add to cart – Tents", "ADD_TO_CART", "/cart?collection=tents"},
	{"Registration – Loyalty club", "COMPLETE_REGISTRATION", "/loyalty/welcome"},
	{"Store locator view", "OTHER", "/stores"},
	{"High-value purchase (> 200)", "PURCHASE", "/checkout/thank-you?tier=high"},
}

func newConversions(a *account, next func() uint64, idOf func(uint64) string, today time.Time) []*customConversion {
	n := 3 + int(next()%4)
	var out []*customConversion
	for i := range n {
		sp := conversionSpecs[i]
		c := &customConversion{acct: a, id: idOf(2_100_000_000_000_000)[:16], name: sp.name, eventType: sp.event, url: sp.path,
			description: "Counts visits to " + sp.path,
			created:     today.AddDate(0, -30+i*3, 0).Add(time.Duration(next()%86400) * time.Second),
			archived:    i == n-1 && n > 4}
		if sp.event == "PURCHASE" {
			c.defaultValue = 50
		}
		c.firstFired = c.created.Add(time.Duration(2+next()%48) * time.Hour)
		c.lastFired = today.Add(-time.Duration(1+next()%72) * time.Hour)
		if c.archived {
			c.lastFired = c.created.AddDate(0, 2, 0)
		}
		out = append(out, c)
	}
	return out
}

var audienceSpecs = []struct {
	name, subtype, src, sub string
	retention               int64
}{
	{"Website Visitors 30d", "WEBSITE", "EVENT_BASED", "WEBSITE_PIXEL", 30},
	{"Purchasers 180d", "WEBSITE", "EVENT_BASED", "WEBSITE_PIXEL", 180},
	{"Add to Cart 14d", "WEBSITE", "EVENT_BASED", "WEBSITE_PIXEL", 14},
	{"Customer List – 2025", "CUSTOM", "FILE_IMPORTED", "HASHES", 0},
	{"Engagers 90d", "ENGAGEMENT", "EVENT_BASED", "ENGAGEMENT_EVENT_USERS", 90},
	{"Video Viewers 50% 30d", "ENGAGEMENT", "EVENT_BASED", "ENGAGEMENT_EVENT_USERS", 30},
	{"Instagram Engagers 365d", "IG_BUSINESS", "EVENT_BASED", "ENGAGEMENT_EVENT_USERS", 365},
	{"Newsletter Subscribers", "CUSTOM", "FILE_IMPORTED", "HASHES", 0},
}

func newAudiences(a *account, next func() uint64, idOf func(uint64) string, today time.Time) []*customAudience {
	n := 3 + int(next()%6) // plus two lookalikes: 5–10 in all
	var out []*customAudience
	for i := range n {
		sp := audienceSpecs[i]
		size := int64(2000 + next()%900000)
		au := &customAudience{acct: a, id: idOf(23_850_000_000_000_000), name: sp.name, subtype: sp.subtype,
			description: sp.name + " (" + a.name + ")", retention: sp.retention,
			lower: size, upper: size + size*15/100, sourceType: sp.src, sourceSub: sp.sub,
			created: today.AddDate(0, -36+i*4, 0).Add(time.Duration(next()%86400) * time.Second)}
		au.updated = today.Add(-time.Duration(1+next()%400) * time.Hour)
		if sp.subtype == "WEBSITE" {
			au.rule = fmt.Sprintf(`{"inclusions":{"operator":"or","rules":[{"event_sources":[{"id":"%s","type":"pixel"}],"retention_seconds":%d,"filter":{"operator":"and","filters":[{"field":"url","operator":"i_contains","value":""}]}}]}}`,
				pixelID, sp.retention*86400)
		}
		out = append(out, au)
	}
	origin := out[min(1, len(out)-1)]
	for _, pct := range []int{1, 3} {
		size := int64(a.lookalikeBase()) * int64(pct)
		lal := &customAudience{acct: a, id: idOf(23_850_000_000_000_000), subtype: "LOOKALIKE",
			name:        fmt.Sprintf("Lookalike (%s, %d%%) - %s", a.country, pct, origin.name),
			description: fmt.Sprintf("Lookalike of %s", origin.name), source: origin, ratio: float64(pct) / 100,
			lower: size, upper: size + size/10, sourceType: "LOOKALIKE", sourceSub: "LOOKALIKE_PLATFORM",
			created: origin.created.AddDate(0, 1, 0)}
		lal.updated = today.Add(-time.Duration(1+next()%200) * time.Hour)
		out = append(out, lal)
	}
	return out
}

// lookalikeBase is 1% of the account's home country, roughly.
func (a *account) lookalikeBase() int {
	if a.country == "US" {
		return 2_300_000
	}
	return 690_000
}

func (c *customConversion) field(f string) any {
	loc := c.acct.loc
	switch f {
	case "id":
		return c.id
	case "account_id":
		return c.acct.id
	case "name":
		return c.name
	case "description":
		return c.description
	case "custom_event_type":
		return c.eventType
	case "rule":
		// The API sends the rule as a JSON-encoded string.
		return fmt.Sprintf(`{"and":[{"event":{"eq":"PageView"}},{"or":[{"URL":{"i_contains":%q}}]}]}`, c.url)
	case "default_conversion_value":
		return c.defaultValue
	case "event_source_type":
		return "pixel"
	case "first_fired_time":
		return graphTime(c.firstFired, loc)
	case "last_fired_time":
		return graphTime(c.lastFired, loc)
	case "creation_time":
		return graphTime(c.created, loc)
	case "is_archived":
		return c.archived
	case "is_unavailable":
		return false
	case "pixel":
		return obj{{"id", pixelID}}
	case "retention_days":
		return 0
	case "data_sources":
		return []obj{{{"id", pixelID}, {"source_type", "PIXEL"}, {"name", "Acme Outdoor Pixel"}}}
	case "offline_conversion_data_set", "business", "aggregation_rule", "custom_conversion_id", "offline_event_type":
		return nil
	}
	return nil
}

func (au *customAudience) field(f string) any {
	switch f {
	case "id":
		return au.id
	case "account_id":
		return au.acct.id
	case "name":
		return au.name
	case "description":
		return au.description
	case "subtype":
		return au.subtype
	case "approximate_count_lower_bound":
		return au.lower
	case "approximate_count_upper_bound":
		return au.upper
	case "time_created":
		return au.created.Unix()
	case "time_updated":
		return au.updated.Unix()
	case "time_content_updated":
		return au.updated.Unix()
	case "retention_days":
		if au.subtype == "LOOKALIKE" || au.subtype == "CUSTOM" {
			return nil
		}
		return au.retention
	case "rule":
		if au.rule == "" {
			return nil
		}
		return au.rule
	case "operation_status":
		return obj{{"code", 200}, {"description", "Normal"}}
	case "delivery_status":
		return obj{{"code", 200}, {"description", "This audience is ready for use."}}
	case "data_source":
		return obj{{"type", au.sourceType}, {"sub_type", au.sourceSub}, {"creation_params", "[]"}}
	case "lookalike_spec":
		if au.source == nil {
			return nil
		}
		return obj{{"country", au.acct.country}, {"ratio", au.ratio}, {"type", "custom_ratio"},
			{"origin", []obj{{{"id", au.source.id}, {"name", au.source.name}, {"type", "custom_audience"}}}}}
	case "customer_file_source":
		if au.subtype == "CUSTOM" {
			return "USER_PROVIDED_ONLY"
		}
	case "is_value_based":
		return false
	case "pixel_id":
		if au.subtype == "WEBSITE" {
			return pixelID
		}
	}
	return nil
}
