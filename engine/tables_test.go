package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables"
)

// TestEveryTable: every virtual table answers SELECT * … LIMIT 5 with its
// default columns typed as declared, and a typed aggregate over a column
// of each DuckDB type it has.
func TestEveryTable(t *testing.T) {
	d := newDemo(t)
	for _, tbl := range fbtables.DefaultCatalog().Tables() {
		t.Run(tbl.Name, func(t *testing.T) {
			var cols, types []string
			n := 0
			err := d.eng.Exec(context.Background(), fmt.Sprintf("SELECT * FROM %s LIMIT 5", tbl.Name), func(res *engine.Result) error {
				cols, types = res.Columns, res.Types
				for {
					row, err := res.Next()
					if err != nil || row == nil {
						return err
					}
					n++
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatalf("SELECT * FROM %s returned no rows", tbl.Name)
			}
			for i, c := range cols {
				col, ok := tbl.Column(c)
				if !ok {
					continue // insights_actions' unnested columns
				}
				if !sameType(col.Type, types[i]) {
					t.Errorf("%s.%s is %s, declared %s", tbl.Name, c, types[i], col.Type)
				}
			}
			// One aggregate per distinct loadable type: every declared type
			// must survive loading real API values.
			seen := map[string]bool{}
			var aggs []string
			for _, c := range tbl.Columns {
				if c.Hidden || c.Kind == fbtables.KindOption || seen[c.Type] || c.Kind == fbtables.KindBreakdown {
					continue
				}
				seen[c.Type] = true
				aggs = append(aggs, fmt.Sprintf("count(%q)", c.Name))
			}
			sql := fmt.Sprintf("SELECT %s FROM %s", strings.Join(aggs, ", "), tbl.Name)
			if tbl.Insights {
				sql += " WHERE date_start >= current_date - 3"
			}
			d.rows(t, sql)
		})
	}
}

// sameType compares a declared DuckDB type with the one a result reports.
func sameType(declared, got string) bool {
	norm := func(s string) string {
		s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		switch {
		case strings.HasPrefix(s, "STRUCT("):
			return "STRUCT"
		case strings.HasSuffix(s, "[]"):
			return "LIST"
		}
		return s
	}
	d, g := norm(declared), norm(got)
	return d == g || (d == "LIST" && strings.HasPrefix(g, "LIST")) || (d == "STRUCT" && strings.Contains(g, "STRUCT")) ||
		(d == "TIMESTAMPTZ" && g == "TIMESTAMPWITHTIMEZONE")
}
