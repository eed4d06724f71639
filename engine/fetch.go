package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// fetch runs a scan's requests for every account and loads the rows into
// its temporary table. It returns the number of rows loaded; on any error
// nothing of the scan is kept, so no partial result can be read.
func (e *Engine) fetch(ctx context.Context, sc *planner.Scan, tr *tracker) (int64, error) {
	if sc.Empty {
		return 0, nil
	}
	accounts := sc.Accounts
	if accounts == nil {
		var err error
		if accounts, err = e.Accounts(ctx); err != nil {
			return 0, err
		}
	}
	stage := sc.Temp + "_stage"
	fields := stageFields(sc)
	cached, err := e.planCache(ctx, sc, fields, accounts)
	if isCacheRead(ctx, err) {
		e.setAsideDamaged(err) // a damaged cache is a miss
		cached, err = e.planCache(ctx, sc, fields, accounts)
	}
	if err != nil {
		return 0, err
	}
	work := fetchWork{accounts: accounts}
	if cached != nil {
		work = fetchWork{accounts: cached.accounts, bases: cached.bases, cached: true}
		if cached.shape.daily {
			fields = append(fields, dayField)
		}
	}
	if err := e.createStage(ctx, stage, fields, cached != nil); err != nil {
		return 0, err
	}
	if cached != nil {
		served, err := e.serveHits(ctx, stage, fields, cached.hits)
		if isCacheRead(ctx, err) {
			e.setAsideDamaged(err) // a damaged cache is a miss: plan again without it
			return e.fetch(ctx, sc, tr)
		}
		if err != nil {
			return 0, err
		}
		tr.cacheServed(cached, served, sc)
	}
	var units map[int64]string
	if cached != nil {
		units = map[int64]string{}
	}
	n, err := e.appendRows(ctx, stage, sc, fields, work, tr, units)
	if err != nil {
		return 0, err
	}
	if cached != nil {
		cached.units = units
		e.writeCache(ctx, sc, stage, fields, cached)
	}
	if err := e.stageToTemp(ctx, sc, stage, fields); err != nil {
		return 0, err
	}
	return n, nil
}

// fetchWork is what a scan still has to fetch: the accounts of an entity
// table, or the units of an insights scan (one per account without the cache).
type fetchWork struct {
	accounts []string
	bases    []unit
	cached   bool // bases are set, even if empty
}

// stageField is one staged column: where its value comes from and how it
// is converted (convert.go).
type stageField struct {
	name       string // column name in the stage table
	apiField   string // key in the API row; "" for an option constant
	constant   string // option value
	minorUnits bool   // money in the currency's minor units (see wholeUnits)
	typ        string // the column's type; "" is VARCHAR
	conv       conv
}

func stageFields(sc *planner.Scan) []stageField {
	var out []stageField
	for _, c := range sc.Columns {
		if c.Kind == fbtables.KindOption {
			// Option constants are text; stageToTemp casts them.
			out = append(out, stageField{name: c.Name, constant: sc.OptionText[c.Name], typ: c.Type, conv: convJSON})
			continue
		}
		out = append(out, stageField{name: c.Name, apiField: c.APIField(), minorUnits: c.MinorUnits, typ: c.Type, conv: convOf(c.Type, c.MinorUnits)})
	}
	if len(out) == 0 {
		out = append(out, stageField{name: "_id", apiField: firstField(sc)})
	}
	return out
}

func firstField(sc *planner.Scan) string {
	if v, ok := sc.Param("fields"); ok {
		if f, ok := v.([]string); ok && len(f) > 0 {
			return f[0]
		}
	}
	return "id"
}

// createStage creates the stage a scan appends to: stageParts tables in
// the stage database, each with the unit of each row, then the fields,
// typed (stageType), and a temporary view of them all by the stage's name,
// which the cache reads. With cached, the view also gives each row its
// account (_acct), from the stage's units table (stageUnits), which
// serveHits and the fetch fill: a row's account is its unit's, so the
// tables need not hold it row by row (a column the appender wrote and
// DuckDB copied twice for every row, for the cache alone).
func (e *Engine) createStage(ctx context.Context, stage string, fields []stageField, cached bool) error {
	cols := []string{"_unit BIGINT"}
	for _, f := range fields {
		cols = append(cols, quote(f.name)+" "+f.stageType())
	}
	var parts []string
	for k := range stageParts {
		if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", stagePart(stage, k), strings.Join(cols, ", "))); err != nil {
			return fmt.Errorf("create %s: %w", stage, err)
		}
		parts = append(parts, "SELECT * FROM "+stagePart(stage, k))
	}
	view := strings.Join(parts, " UNION ALL ")
	if cached {
		units := stageUnits(stage)
		if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (unit BIGINT PRIMARY KEY, acct VARCHAR)", units)); err != nil {
			return fmt.Errorf("create %s: %w", stage, err)
		}
		// a row whose unit is not there has no account: it joins no
		// entry, and writeEntries then keeps nothing
		view = fmt.Sprintf("SELECT s.*, u.acct AS _acct FROM (%s) s LEFT JOIN %s u ON s._unit = u.unit", view, units)
	}
	if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", stage, view)); err != nil {
		return fmt.Errorf("create %s: %w", stage, err)
	}
	return nil
}

// stageUnits is the name of a stage's units table: the account of each
// unit of work whose rows the stage holds (cached scans only).
func stageUnits(stage string) string { return stage + "_units" }

// addUnits records the accounts of the units a fetch appended rows of.
func (e *Engine) addUnits(ctx context.Context, stage string, units map[int64]string) error {
	if len(units) == 0 {
		return nil
	}
	var vals []string
	for u, acct := range units {
		vals = append(vals, fmt.Sprintf("(%d, %s)", u, sqlString(acct)))
	}
	_, err := e.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES %s", stageUnits(stage), strings.Join(vals, ", ")))
	return err
}

// stageToTemp makes the stage the scan's typed table, in place of the
// empty one createTemp made: a temporary view of the stage's tables that
// leaves out their own columns (the unit, the account, fields only the
// cache files by) and gives ids their text. Nested JSON other than action
// lists (string lists, JSON columns) is parsed in place first, so a bad
// value fails the load. Copying the rows into a table (INSERT … SELECT)
// cost as much as storing them in the stage again, the action lists most.
func (e *Engine) stageToTemp(ctx context.Context, sc *planner.Scan, stage string, fields []stageField) error {
	keep := fields
	if len(sc.Columns) > 0 {
		keep = fields[:len(sc.Columns)]
	}
	var exprs, stmts []string
	for i, f := range keep {
		typ := "VARCHAR" // the _id of a scan that reads no column
		if len(sc.Columns) > 0 {
			typ = sc.Columns[i].Type
		}
		switch {
		case f.numericID():
			// UBIGINT, or VARCHAR if a value was not a canonical number
			exprs = append(exprs, fmt.Sprintf("CAST(%s AS %s) AS %s", quote(f.name), typ, quote(f.name)))
			continue
		case f.conv == convJSON && !f.parsedOnAppend():
			for k := range stageParts {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s", stagePart(stage, k), quote(f.name), typ, castExpr(f, quote(f.name))))
			}
		}
		exprs = append(exprs, quote(f.name))
	}
	var parts []string
	for k := range stageParts {
		parts = append(parts, fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), stagePart(stage, k)))
	}
	stmts = append(stmts, "DROP VIEW "+stage, "DROP TABLE "+sc.Temp,
		fmt.Sprintf("CREATE TEMP VIEW %s AS %s", sc.Temp, strings.Join(parts, " UNION ALL ")))
	for _, q := range stmts {
		if _, err := e.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load %s rows: %w", sc.Table.Name, err)
		}
	}
	return nil
}

// appendRows fetches every account concurrently and appends rows as pages
// arrive, so memory holds a page per account rather than the whole result.
// units, if not nil, is given the account of each unit whose rows were appended.
func (e *Engine) appendRows(ctx context.Context, stage string, sc *planner.Scan, fields []stageField, work fetchWork, tr *tracker, units map[int64]string) (int64, error) {
	return e.appendFrom(ctx, stage, tr.addRows, units, func(ctx context.Context, rowsCh chan<- rowMsg, fail func(error), wg *sync.WaitGroup) {
		accounts := work.accounts
		if sc.Table.Insights {
			bases := work.bases
			if !work.cached {
				for _, acct := range accounts {
					u := baseUnit(sc)
					u.acct = acct
					bases = append(bases, u)
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.fetchInsights(ctx, sc, bases, work.cached, fields, rowsCh, tr); err != nil {
					fail(err)
				}
			}()
			return
		}
		tr.addFetches(len(accounts))
		for _, acct := range accounts {
			wg.Add(1)
			go func(acct string) {
				defer wg.Done()
				if err := e.fetchAccount(ctx, sc, acct, fields, rowsCh); err != nil {
					fail(err)
					return
				}
				tr.fetchDone()
			}(acct)
		}
	})
}

func (e *Engine) fetchAccount(ctx context.Context, sc *planner.Scan, acct string, fields []stageField, out chan<- rowMsg) error {
	path := strings.ReplaceAll(sc.Path, "{account}", acct) // for messages
	whole, err := e.wholeUnits(ctx, acct, fields)
	if err != nil {
		return err
	}
	sent := 0
	b := newBatcher(out, fields, whole, acct)
	b.unit = unitIDs.Add(1) // its own, so the stage's units table gives its rows their account
	defer b.release()
	emit := func(raw json.RawMessage) error {
		if err := b.add(ctx, raw); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if sent++; sc.Limit > 0 && sent >= sc.Limit {
			return errEnough // do not ask for the next page
		}
		return nil
	}
	err = e.client.Edge(ctx, sc.Path, acct, sc.Params, sc.Limit, emit)
	if errors.Is(err, errEnough) { // a reached LIMIT is success, on a node as on an edge
		err = nil
	}
	if err != nil {
		return err
	}
	return b.flush(ctx)
}

// errEnough stops paging once a pushed-down LIMIT has its rows; it never
// leaves fetchAccount.
var errEnough = errors.New("enough rows")

// wholeUnits reports whether an account's currency sends budgets in whole
// units (JPY, KRW, …) when the scan loads any minor-unit money; the
// account's currency is asked once per engine.
func (e *Engine) wholeUnits(ctx context.Context, acct string, fields []stageField) (bool, error) {
	need := false
	for _, f := range fields {
		need = need || f.minorUnits
	}
	if !need {
		return false, nil
	}
	if v, ok := e.currencies.Load(acct); ok {
		return fbtables.CurrencyOffset(v.(string)) == 1, nil
	}
	currency, err := e.client.Currency(ctx, acct)
	if err != nil {
		return false, err
	}
	e.currencies.Store(acct, currency)
	return fbtables.CurrencyOffset(currency) == 1, nil
}
