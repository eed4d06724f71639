package fbtables

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// DefaultVersion is the Graph API version the catalog describes and queries
// use unless told otherwise. The reference (§6.1) has Meta's Node SDK at
// v26.0, but the Python SDK (whose AdsInsights field list, §2.1, the insights
// columns are checked against) and every sample in the current docs are
// v25.0; v26.0 is newer than anything documented, so fbsql defaults to the
// documented version and marks the v26.0 differences in fieldAvailability.
const DefaultVersion = "v25.0"

// Availability is the span of API versions that serve a field: from Since
// (inclusive) to Until (exclusive). An empty bound is open.
type Availability struct {
	Since, Until string
}

// fieldAvailability lists, per table and field, the fields whose presence
// depends on the API version (reference §2.1 "Docs vs SDK field lists":
// Node SDK v26.0 compared with Python SDK v25.0). Fields not listed are
// served by every supported version.
var fieldAvailability = map[string]map[string]Availability{
	"insights": {
		// Added in Node SDK v26.0, absent from Python SDK v25.0.
		"creative_fatigue_summary":     {Since: "v26.0"},
		"creative_fatigued_ads":        {Since: "v26.0"},
		"instagram_profile_follow":     {Since: "v26.0"},
		"playable_average_game_length": {Since: "v26.0"},
		"playable_game_start_rate":     {Since: "v26.0"},
		// In Python SDK v25.0, dropped by Node SDK v26.0.
		"marketing_messages_website_add_to_cart":       {Until: "v26.0"},
		"marketing_messages_website_initiate_checkout": {Until: "v26.0"},
		"marketing_messages_website_purchase":          {Until: "v26.0"},
		"marketing_messages_website_purchase_values":   {Until: "v26.0"},
		"shop_clicks": {Until: "v26.0"},
	},
}

// versionRE is the form Meta's Python SDK accepts for api_version.
var versionRE = regexp.MustCompile(`^v([0-9]+)\.([0-9]+)$`)

// parseVersion splits "v25.0" into 25 and 0.
func parseVersion(v string) (major, minor int, err error) {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, fmt.Errorf("invalid API version %q: want the form %s", v, DefaultVersion)
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, nil
}

// CompareVersions orders two API versions numerically (v9.0 < v25.0),
// returning -1, 0 or +1.
func CompareVersions(a, b string) (int, error) {
	amaj, amin, err := parseVersion(a)
	if err != nil {
		return 0, err
	}
	bmaj, bmin, err := parseVersion(b)
	if err != nil {
		return 0, err
	}
	switch {
	case amaj != bmaj:
		return cmpInt(amaj, bmaj), nil
	default:
		return cmpInt(amin, bmin), nil
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AvailableIn reports whether the API serves this column's field in
// version, with an error a user can act on when it does not.
func (c *Column) AvailableIn(version string) error {
	if c.Since != "" {
		cmp, err := CompareVersions(version, c.Since)
		if err != nil {
			return err
		}
		if cmp < 0 {
			return fmt.Errorf("field %s needs API version %s or later; this query uses %s (set --api-version)",
				c.APIField(), c.Since, version)
		}
	}
	if c.Until != "" {
		cmp, err := CompareVersions(version, c.Until)
		if err != nil {
			return err
		}
		if cmp >= 0 {
			return fmt.Errorf("field %s is not served from API version %s on; this query uses %s (set --api-version to an earlier version)",
				c.APIField(), c.Until, version)
		}
	}
	return nil
}

// applyAvailability copies fieldAvailability onto the columns of the
// catalog's tables and reports entries that name no column or a bad version.
func applyAvailability(c *Catalog) []string {
	var problems []string
	for _, table := range sortedKeys(fieldAvailability) {
		t, ok := c.byName[table]
		if !ok {
			continue // a catalog without that table (tests build small ones)
		}
		fields := fieldAvailability[table]
		for _, field := range sortedKeys(fields) {
			a := fields[field]
			col, ok := t.Column(field)
			if !ok {
				problems = append(problems, fmt.Sprintf("fieldAvailability names %s.%s, which is not a column", table, field))
				continue
			}
			for _, v := range []string{a.Since, a.Until} {
				if _, _, err := parseVersion(v); v != "" && err != nil {
					problems = append(problems, fmt.Sprintf("%s.%s: %v", table, field, err))
				}
			}
			if a.Since != "" && a.Until != "" {
				if cmp, err := CompareVersions(a.Since, a.Until); err == nil && cmp >= 0 {
					problems = append(problems, fmt.Sprintf("%s.%s: available since %s but until %s", table, field, a.Since, a.Until))
				}
			}
			if col.Since == "" {
				col.Since = a.Since
			}
			if col.Until == "" {
				col.Until = a.Until
			}
		}
	}
	return problems
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
