package engine

import (
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// BenchmarkDecodeRow measures the load path's per-row decode of a typical
// ad-level daily row with two action lists. The rows are a page of a daily
// report: 1,000 ads over 5 days, every number different from row to row,
// so the decoder's memory of values seen (ids, dates, countries) helps as
// much as it does on a real page, and no more.
func BenchmarkDecodeRow(b *testing.B) {
	var rows [][]byte
	size := 0
	for i := range 5000 {
		ad, day := i%1000, i/1000
		row := fmt.Appendf(nil, `{"account_id":"1000000000000001","campaign_id":"1202000000000%05d","adset_id":"1202000000001%05d","ad_id":"1202000000002%05d","impressions":"%d","clicks":"%d","spend":"%d.%02d","reach":"%d","ctr":"4.5%05d","actions":[{"action_type":"link_click","value":"%d"},{"action_type":"landing_page_view","value":"%d"},{"action_type":"purchase","value":"%d"}],"action_values":[{"action_type":"purchase","value":"%d.5"}],"date_start":"2025-06-%02d","date_stop":"2025-06-%02d","country":"%s"}`,
			ad/50, ad/10, ad, 1000+i*37, 50+i%97, 70+i, i%100, 900+i*31, i*97, 40+i, 30+i, i%5, 100+i, 1+day, 1+day, []string{"US", "GB", "DE"}[ad%3])
		rows = append(rows, row)
		size += len(row)
	}
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
		"country", "impressions", "clicks", "spend", "reach", "ctr", "actions", "action_values"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	d := newDecoder(stageFields(sc), false)
	b.SetBytes(int64(size / len(rows)))
	benchDecode(b, d, rows, len(sc.Columns))
}

// BenchmarkDecodeYearRow measures the per-row decode of the year
// workload's rows: two ids, two dates, a country, two numbers, the day's
// ads in turn, so ids and dates repeat as they do on a page.
func BenchmarkDecodeYearRow(b *testing.B) {
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"account_id", "ad_id", "date_start", "country", "impressions", "spend"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	d := newDecoder(stageFields(sc), false)
	var rows [][]byte
	for i := range 5000 {
		rows = append(rows, fmt.Appendf(nil, `{"account_id":"1000000000000001","ad_id":"1202000000002%05d","impressions":"%d","spend":"%d.%02d","date_start":"2025-06-%02d","date_stop":"2025-06-%02d","country":"%s"}`,
			i%1000, 1000+i*37, 70+i, i%100, 1+i/1000, 1+i/1000, []string{"US", "GB", "DE"}[i%3]))
	}
	benchDecode(b, d, rows, len(sc.Columns))
}

// benchDecode decodes the rows in turn, once per iteration.
func benchDecode(b *testing.B, d *decoder, rows [][]byte, fields int) {
	out := make([]driver.Value, fields)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := d.decode(rows[i%len(rows)], out); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
