package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/planner"
)

// createTemp creates the empty typed table a scan's name stands for until
// its rows are loaded (stageToTemp replaces it), and for good if nothing
// is fetched.
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
		e.dropScan(sc.Temp)
	}
}

// dropScan drops a scan's table, a view once loaded (stageToTemp), and
// its stage. Errors are ignored: a name is dropped as what it is.
func (e *Engine) dropScan(temp string) {
	stage := temp + "_stage"
	for _, q := range []string{"DROP VIEW IF EXISTS " + temp, "DROP TABLE IF EXISTS " + temp, "DROP VIEW IF EXISTS " + stage, "DROP TABLE IF EXISTS " + stageUnits(stage)} {
		e.conn.ExecContext(context.Background(), q)
	}
	for k := range stageParts {
		e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stagePart(stage, k))
	}
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
