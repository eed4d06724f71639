package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// actionStatsJSON is the from_json structure of an action-stat list.
const actionStatsJSON = `[{"action_type":"VARCHAR","value":"DOUBLE","1d_click":"DOUBLE","7d_click":"DOUBLE","28d_click":"DOUBLE","1d_view":"DOUBLE","7d_view":"DOUBLE","28d_view":"DOUBLE"}]`

// castExpr converts a staged VARCHAR value (the API's string, or raw JSON
// for objects and lists) to the column's type. DuckDB does the conversion,
// so a malformed value fails loudly instead of becoming a wrong number.
func castExpr(c *fbtables.Column, v string) string {
	switch {
	case c.MinorUnits:
		return fmt.Sprintf("CAST(CAST(%s AS DECIMAL(38,0)) * 0.01 AS %s)", v, c.Type)
	case c.Type == fbtables.ActionStatsType:
		return fmt.Sprintf("from_json(%s, '%s')", v, actionStatsJSON)
	case c.Type == "VARCHAR[]":
		return fmt.Sprintf(`from_json(%s, '["VARCHAR"]')`, v)
	case c.Type == "TIMESTAMPTZ":
		return fmt.Sprintf("strptime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S%%z')", v)
	case c.Type == "VARCHAR":
		return v
	}
	return fmt.Sprintf("CAST(%s AS %s)", v, c.Type)
}

// createTemp creates the empty typed table a scan loads into.
func (e *Engine) createTemp(ctx context.Context, sc *planner.Scan) error {
	var cols []string
	for _, c := range sc.Columns {
		cols = append(cols, quote(c.Name)+" "+c.Type)
	}
	ddl := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (%s)", sc.Temp, strings.Join(cols, ", "))
	if len(cols) == 0 {
		// A reference that reads no column (SELECT count(*) FROM campaigns)
		// still needs its rows: keep the id.
		ddl = fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (_id VARCHAR)", sc.Temp)
	}
	if _, err := e.conn.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create %s: %w", sc.Temp, err)
	}
	return nil
}

func (e *Engine) dropTemps(st *planner.Statement) {
	for _, sc := range st.Scans {
		e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+sc.Temp)
		e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+sc.Temp+"_stage")
	}
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
