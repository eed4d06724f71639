package engine

import (
	"database/sql/driver"
	"testing"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// BenchmarkDecodeRow measures the load path's per-row decode of a typical
// ad-level daily row with two action lists.
func BenchmarkDecodeRow(b *testing.B) {
	row := []byte(`{"account_id":"1000000000000001","campaign_id":"120200000000012345","adset_id":"120200000000012346","ad_id":"120200000000012347","impressions":"1234","clicks":"56","spend":"78.90","reach":"1000","ctr":"4.538088","actions":[{"action_type":"link_click","value":"50"},{"action_type":"landing_page_view","value":"41"},{"action_type":"purchase","value":"3"}],"action_values":[{"action_type":"purchase","value":"129.5"}],"date_start":"2025-06-01","date_stop":"2025-06-01","country":"US"}`)
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
		"country", "impressions", "clicks", "spend", "reach", "ctr", "actions", "action_values"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	d := newDecoder(stageFields(sc), false)
	out := make([]driver.Value, len(sc.Columns))
	b.SetBytes(int64(len(row)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.decode(row, out); err != nil {
			b.Fatal(err)
		}
	}
}
