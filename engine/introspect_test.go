package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// TestIntrospection: SHOW TABLES, DESCRIBE, information_schema and
// duckdb_columns() list the catalog's tables and columns (the catalog is
// the oracle), with comments giving kind and pushed-down operators.
func TestIntrospection(t *testing.T) {
	d := newDemo(t)
	cat := fbtables.DefaultCatalog()

	var shown []string
	for _, r := range d.rows(t, "SHOW TABLES") {
		shown = append(shown, r[0])
	}
	if !slices.Equal(shown, cat.TableNames()) {
		t.Errorf("SHOW TABLES = %v, want %v", shown, cat.TableNames())
	}

	camp, _ := cat.Table("campaigns")
	desc := d.rows(t, "DESCRIBE campaigns")
	if len(desc) != len(camp.Columns) {
		t.Fatalf("DESCRIBE campaigns: %d rows, want %d", len(desc), len(camp.Columns))
	}
	for i, c := range camp.Columns {
		want := c.Kind.String()
		if ops := planner.PushdownOps(camp, &camp.Columns[i]); len(ops) > 0 {
			want += "; pushed to the API: " + strings.Join(ops, " ")
		}
		if desc[i][0] != c.Name || !sameType(c.Type, desc[i][1]) || !strings.HasPrefix(desc[i][2], want) {
			t.Errorf("DESCRIBE row %d = %v, want %s %s %q…", i, desc[i], c.Name, c.Type, want)
		}
	}

	counts := map[string]string{}
	for _, r := range d.rows(t, "SELECT table_name, count(*) FROM information_schema.columns GROUP BY 1") {
		counts[r[0]] = r[1]
	}
	for _, tbl := range cat.Tables() {
		if counts[tbl.Name] != fmt.Sprint(len(tbl.Columns)) {
			t.Errorf("information_schema.columns has %s columns of %s, want %d", counts[tbl.Name], tbl.Name, len(tbl.Columns))
		}
	}
	got := d.one(t, "SELECT comment FROM duckdb_columns() WHERE table_name = 'insights' AND column_name = 'spend'")
	if !strings.HasPrefix(got[0], "metric; pushed to the API: = < <= > >=") {
		t.Errorf("duckdb_columns() comment of insights.spend = %q", got[0])
	}
	got = d.one(t, "SELECT TABLE_COMMENT FROM information_schema.tables WHERE table_name = 'insights'")
	if ins, _ := cat.Table("insights"); got[0] != ins.Doc {
		t.Errorf("information_schema.tables comment of insights = %q, want %q", got[0], ins.Doc)
	}
}

// TestUnplannedReferenceFails: a reference fbsql does not plan (inside a
// view, or a query() string) reaches the introspection view, and reading
// it is an error naming the table, never an empty result.
func TestUnplannedReferenceFails(t *testing.T) {
	d := newDemo(t)
	d.rows(t, "SHOW TABLES") // installs the introspection views
	for _, sql := range []string{
		"SELECT * FROM query('SELECT * FROM campaigns')",
		"SELECT count(*) FROM query('SELECT spend FROM insights')",
	} {
		_, err := collect(context.Background(), d.eng, sql, nil)
		if err == nil || !strings.Contains(err.Error(), "is a virtual table of fbsql") {
			t.Errorf("%s: err = %v, want the virtual-table error", sql, err)
		}
	}
}

// TestSummarizeFetches: SUMMARIZE t plans and fetches the table; its
// count agrees with count(*) of the same table.
func TestSummarizeFetches(t *testing.T) {
	d := newDemo(t)
	want := d.one(t, "SELECT count(*) FROM campaigns")[0]
	rows := d.rows(t, "SUMMARIZE campaigns")
	if len(rows) == 0 {
		t.Fatal("SUMMARIZE campaigns returned nothing")
	}
	var res []string
	err := d.eng.Exec(context.Background(), "SUMMARIZE campaigns", func(r *engine.Result) error {
		res = r.Columns
		_, err := r.Each(func([]any) error { return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	count := slices.Index(res, "count")
	if count < 0 {
		t.Fatalf("SUMMARIZE columns %v have no count", res)
	}
	if rows[0][0] != "id" || rows[0][count] != want {
		t.Errorf("SUMMARIZE campaigns first row %v: want id with count %s", rows[0], want)
	}
}

// TestTableTypoSuggestsOnlyFbsqlTables: DuckDB's guess among its system
// tables does not show; fbsql's does.
func TestTableTypoSuggestsOnlyFbsqlTables(t *testing.T) {
	d := newDemo(t)
	for _, warm := range []bool{false, true} {
		if warm {
			d.rows(t, "SHOW TABLES")
		}
		_, err := collect(context.Background(), d.eng, "SELECT * FROM campaign", nil)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		if strings.Contains(msg, "Did you mean") || strings.Count(msg, "did you mean") != 1 || !strings.Contains(msg, `did you mean "campaigns"?`) {
			t.Errorf("views installed %v: %s", warm, msg)
		}
	}
}

// TestUnplannedReferenceBeforeIntrospection: before the views exist, an
// unplanned reference is an unknown table, explained the same way.
func TestUnplannedReferenceBeforeIntrospection(t *testing.T) {
	d := newDemo(t)
	_, err := collect(context.Background(), d.eng, "SELECT * FROM query('SELECT * FROM campaigns')", nil)
	if err == nil || !strings.Contains(err.Error(), "campaigns is a virtual table of fbsql") {
		t.Errorf("err = %v, want the virtual-table explanation", err)
	}
}
