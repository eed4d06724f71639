package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// CatalogSQL returns the statements that show the catalog's virtual tables
// to DuckDB's own introspection (SHOW TABLES, DESCRIBE, information_schema,
// duckdb_columns(), duckdb_views(), pg_catalog): one temporary view per
// table with its typed columns, a COMMENT on the view (the table's
// description) and on each column (ColumnComment).
//
// The views hold no rows and can never be read: the planner replaces every
// reference a query makes to a virtual table with the rows it fetched, so
// a view is reached only by a reference fbsql did not plan (inside a
// user's view, a macro, a query() string), and reading it raises an error
// naming the table rather than returning an empty result as if real.
// Binding alone (DESCRIBE, LIMIT 0) still works, as introspection needs.
func CatalogSQL(cat *fbtables.Catalog) []string {
	var out []string
	for _, t := range cat.Tables() {
		cols := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, quote(c.Name))
		}
		msg := unplannedText(t.Name)
		out = append(out, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT %s FROM (SELECT 1) AS fbsql_placeholder(x) WHERE error(%s)",
			quote(t.Name), strings.Join(cols, ", "), quoteString(msg)))
		out = append(out, fmt.Sprintf("COMMENT ON VIEW %s IS %s", quote(t.Name), quoteString(t.Doc)))
		for i := range t.Columns {
			c := &t.Columns[i]
			out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", quote(t.Name), quote(c.Name), quoteString(ColumnComment(t, c))))
		}
	}
	return out
}

// unplannedText says why a reference to a virtual table was not served.
func unplannedText(table string) string {
	return table + " is a virtual table of fbsql: only a query that names it directly fetches its rows (not a view, macro or query() string defined over it)"
}

// ColumnComment describes a column for introspection: its kind, the
// operators a WHERE clause pushes to the API, and what it holds, e.g.
// "metric; pushed to the API: = < <= > >=; amount spent, in the account currency".
func ColumnComment(t *fbtables.Table, c *fbtables.Column) string {
	parts := []string{c.Kind.String()}
	if ops := planner.PushdownOps(t, c); len(ops) > 0 {
		parts = append(parts, "pushed to the API: "+strings.Join(ops, " "))
	}
	if c.Doc != "" {
		parts = append(parts, c.Doc)
	}
	return strings.Join(parts, "; ")
}

// introspectionVerbs start a statement that looks at the catalog, and
// introspectionNames are the catalog's own tables; the first statement
// with either installs the introspection views.
var (
	introspectionVerbs = []string{"DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "COMMENT", "PRAGMA"}
	introspectionNames = []string{"information_schema", "duckdb_", "pg_", "sqlite_master"}
)

// ensureCatalog creates the introspection views (CatalogSQL) before the
// first statement that may look for them. They take a few hundred
// milliseconds to create, so sessions that never introspect never pay;
// without them an unplanned reference to a virtual table fails as an
// unknown table, which is just as safe.
func (e *Engine) ensureCatalog(ctx context.Context, text string) error {
	f := strings.Fields(text)
	lower := strings.ToLower(text)
	if (len(f) == 0 || !slices.Contains(introspectionVerbs, strings.ToUpper(f[0]))) &&
		!slices.ContainsFunc(introspectionNames, func(w string) bool { return strings.Contains(lower, w) }) {
		return nil
	}
	e.catalogMu.Lock()
	defer e.catalogMu.Unlock()
	if e.catalogDone {
		return nil
	}
	// One transaction, one round trip.
	script := "BEGIN;\n" + strings.Join(CatalogSQL(e.cat), ";\n") + ";\nCOMMIT"
	if _, err := e.conn.ExecContext(ctx, script); err != nil {
		e.conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("describe the virtual tables to duckdb: %w", err)
	}
	e.catalogDone = true
	return nil
}

// introspection rewrites the statements that look at a virtual table
// rather than read it. DESCRIBE t lists its columns with their comments
// (DuckDB's own DESCRIBE has no comment column); SUMMARIZE t fetches the
// table (SUMMARIZE SELECT * FROM t, which the planner plans). Any other
// text is returned unchanged.
func (e *Engine) introspection(text string) string {
	f := strings.Fields(strings.TrimRight(strings.TrimSpace(text), ";"))
	if len(f) != 2 {
		return text
	}
	verb := strings.ToUpper(f[0])
	t, ok := e.cat.Table(strings.ToLower(strings.Trim(f[1], `"`)))
	if !ok {
		return text
	}
	switch verb {
	case "DESCRIBE", "DESC":
		return fmt.Sprintf("SELECT column_name, data_type AS column_type, comment FROM duckdb_columns() "+
			"WHERE database_name = 'temp' AND schema_name = 'main' AND table_name = %s ORDER BY column_index", quoteString(t.Name))
	case "SUMMARIZE":
		return "SUMMARIZE SELECT * FROM " + quote(t.Name)
	}
	return text
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
