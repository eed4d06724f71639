package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/planner"
)

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
