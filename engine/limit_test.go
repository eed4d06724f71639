package engine_test

import (
	"fmt"
	"testing"

	"github.com/fbsql/fbsql/fbtables"
)

// TestLimitOnEveryTable: LIMIT n keeps min(n, all rows) rows of every
// table, nodes read with one GET per account (ad_accounts) as well as
// paged edges. The oracle is the same table read without a LIMIT.
func TestLimitOnEveryTable(t *testing.T) {
	d := newDemo(t)
	for _, tbl := range fbtables.DefaultCatalog().Tables() {
		t.Run(tbl.Name, func(t *testing.T) {
			all := d.one(t, fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %s)", tbl.Name))[0]
			for _, n := range []int{1, 2} {
				want := fmt.Sprint(n)
				if all == "0" || (all == "1" && n == 2) {
					want = all
				}
				got := d.rows(t, fmt.Sprintf("SELECT * FROM %s LIMIT %d", tbl.Name, n))
				if fmt.Sprint(len(got)) != want {
					t.Errorf("LIMIT %d: %d rows, want %s (of %s)", n, len(got), want, all)
				}
			}
		})
	}
}
