package sandbox

import "github.com/fbsql/fbsql/fbtables"

// The API's field and breakdown enums, as the sandbox validates them. They
// come from fbtables' catalog rather than a second copy: the catalog and the
// sandbox both transcribe the same reference (the Marketing API's AdsInsights,
// Campaign, AdSet, Ad and AdAccount field lists and the breakdowns enum), and
// two hand-kept copies drifted. A field the catalog lists but the sandbox does
// not compute is accepted and omitted, as the API omits fields without data.
var (
	// validInsightsFields holds every AdsInsights field accepted in fields=.
	validInsightsFields = apiFields("insights", func(c *fbtables.Column) bool {
		return c.Kind != fbtables.KindBreakdown && c.Kind != fbtables.KindOption
	})
	// validBreakdowns is the breakdowns enum; names outside it are
	// rejected as invalid values.
	validBreakdowns = apiFields("insights", func(c *fbtables.Column) bool {
		return c.Kind == fbtables.KindBreakdown
	})
	// validCampaignFields are the readable Campaign fields.
	validCampaignFields = apiFields("campaigns", nil)
	// validAdSetFields are the readable AdSet fields.
	validAdSetFields = apiFields("adsets", nil)
	// validAdFields are the readable Ad fields.
	validAdFields = apiFields("ads", nil)
	// validAccountFields are the readable AdAccount fields.
	validAccountFields = apiFields("ad_accounts", nil)
)

// apiFields is the set of API field names of a catalog table's columns that
// keep says are fields (all of them when keep is nil).
func apiFields(table string, keep func(*fbtables.Column) bool) map[string]bool {
	t, ok := fbtables.DefaultCatalog().Table(table)
	if !ok {
		panic("sandbox: catalog has no table " + table)
	}
	set := make(map[string]bool, len(t.Columns))
	for i := range t.Columns {
		if c := &t.Columns[i]; keep == nil || keep(c) {
			set[c.APIField()] = true
		}
	}
	return set
}

// setOf builds a membership set from names.
func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
