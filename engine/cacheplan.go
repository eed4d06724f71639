package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fbsql/fbsql/planner"
)

// scanCache is what the cache holds for one scan, and what is left to fetch.
type scanCache struct {
	shape      cacheShape
	now, today time.Time
	hits       []cacheHit
	bases      []unit           // insights: per account, the time to fetch
	units      map[int64]string // the account of each unit fetched (fetch fills it)
	accounts   []string         // entity tables: the accounts to fetch
	hitDays    int              // account-days served (daily)
	fetchDays  int              // account-days fetched (daily)
	hitWhole   int              // whole requests served, per account
	fetchWhole int
}

// cacheHit is one entry served.
type cacheHit struct {
	id     int64
	acct   string
	day    time.Time
	layout string // the entry's fields, joined by layoutSep
}

const layoutSep = "\x1f"

// dayField stages the day of every row of a daily scan, to file rows by day.
var dayField = stageField{name: "_day", apiField: "date_start"}

// planCache looks a scan up in the cache. It returns nil when the scan is
// not cached; otherwise the entries to serve and the work left. With the
// cache in refresh mode nothing is served, but what is fetched is kept.
func (e *Engine) planCache(ctx context.Context, sc *planner.Scan, fields []stageField, accounts []string) (*scanCache, error) {
	if e.cache.mode == CacheOff {
		return nil, nil
	}
	now, today, err := e.cacheNow(ctx)
	if err != nil {
		return nil, err
	}
	shape, ok := e.cacheShapeOf(sc, fields, today)
	if !ok {
		return nil, nil
	}
	if shape.daily && !contains(shape.fields, dayField.apiField) {
		shape.fields = append(shape.fields, dayField.apiField)
	}
	p := &scanCache{shape: shape, now: now, today: today}
	if e.cache.mode == CacheOn && e.attachCache(ctx, false) {
		if p.hits, err = e.lookup(ctx, p, accounts); err != nil {
			return nil, err
		}
	}
	got := map[string]bool{} // acct, or acct + day
	for _, h := range p.hits {
		got[h.acct+" "+dayText(h.day)] = true
	}
	for _, acct := range accounts {
		switch {
		case shape.daily:
			p.bases = append(p.bases, missingDays(sc, acct, shape.since, shape.until, got, p)...)
		case got[acct+" "+dayText(time.Time{})]:
			p.hitWhole++
		default:
			p.fetchWhole++
			p.accounts = append(p.accounts, acct)
			if sc.Table.Insights {
				u := baseUnit(sc)
				u.acct = acct
				p.bases = append(p.bases, u)
			}
		}
	}
	return p, nil
}

// missingDays cuts the days of an account that the cache lacks into runs
// of consecutive days, one unit each.
func missingDays(sc *planner.Scan, acct string, since, until time.Time, got map[string]bool, p *scanCache) []unit {
	var out []unit
	var run *unit
	for d := since; !d.After(until); d = d.AddDate(0, 0, 1) {
		if got[acct+" "+dayText(d)] {
			p.hitDays++
			run = nil
			continue
		}
		p.fetchDays++
		if run == nil {
			u := baseUnit(sc)
			u.acct, u.since, u.until = acct, d, d
			out = append(out, u)
			run = &out[len(out)-1]
		}
		run.until = d
	}
	return out
}

func dayText(d time.Time) string {
	if d.IsZero() {
		return "whole"
	}
	return d.Format(time.DateOnly)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lookup finds the valid entries of a scan: those with every field it
// needs, that are final (the day was past the freeze window when it was
// fetched) or younger than the TTL. The newest entry per account and day wins.
func (e *Engine) lookup(ctx context.Context, p *scanCache, accounts []string) ([]cacheHit, error) {
	var quoted []string
	for _, f := range p.shape.fields {
		quoted = append(quoted, sqlString(f))
	}
	valid := fmt.Sprintf("(last_day < fetched_day - %d OR fetched_at >= $2)", e.cache.freezeDays())
	where := "day IS NULL"
	if p.shape.daily {
		where = fmt.Sprintf("day BETWEEN DATE %s AND DATE %s", sqlString(dayText(p.shape.since)), sqlString(dayText(p.shape.until)))
	}
	q := fmt.Sprintf(`SELECT id, acct, day, array_to_string(fields, chr(31)) FROM fbcache.entries
		WHERE key = $1 AND %s AND list_has_all(fields, [%s]::VARCHAR[]) AND %s ORDER BY fetched_at DESC, id DESC`,
		where, strings.Join(quoted, ", "), valid)
	rows, err := e.conn.QueryContext(ctx, q, p.shape.key, p.now.Add(-e.cache.ttl()))
	if err != nil {
		return nil, &cacheReadError{err}
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, a := range accounts {
		want[a] = true
	}
	seen := map[string]bool{}
	var hits []cacheHit
	for rows.Next() {
		var h cacheHit
		var day *time.Time
		if err := rows.Scan(&h.id, &h.acct, &day, &h.layout); err != nil {
			return nil, &cacheReadError{err}
		}
		if day != nil {
			h.day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		}
		k := h.acct + " " + dayText(h.day)
		if !want[h.acct] || seen[k] {
			continue
		}
		seen[k] = true
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// serveHits copies the rows of the entries served into the stage table,
// picking each staged field out of the entry's layout. They are tagged
// _unit = −(the entry's id), apart from fetched rows, and go to the
// stage's first table; the stage's units table has each entry's account.
func (e *Engine) serveHits(ctx context.Context, stage string, fields []stageField, hits []cacheHit) (int64, error) {
	part := stagePart(stage, 0)
	byLayout := map[string][]string{}
	var all []string
	for _, h := range hits {
		byLayout[h.layout] = append(byLayout[h.layout], fmt.Sprint(h.id))
		all = append(all, fmt.Sprint(h.id))
	}
	if len(hits) > 0 {
		q := fmt.Sprintf("INSERT INTO %s SELECT -id, acct FROM fbcache.entries WHERE id IN (%s)", stageUnits(stage), strings.Join(all, ", "))
		if _, err := e.conn.ExecContext(ctx, q); err != nil {
			return 0, &cacheReadError{err}
		}
	}
	for _, f := range fields {
		if f.numericID() && len(hits) > 0 {
			// the cache's text may be any id, "007" too: the stage keeps it as text
			if _, err := e.conn.ExecContext(ctx, idsAsTextSQL(part, f.name)); err != nil {
				return 0, fmt.Errorf("stage %s as text: %w", f.name, err)
			}
		}
	}
	var n int64
	for layout, ids := range byLayout {
		pos := map[string]int{}
		for i, f := range strings.Split(layout, layoutSep) {
			pos[f] = i + 1
		}
		exprs := []string{"-r.entry"}
		for _, f := range fields {
			switch {
			case f.apiField == "" && f.constant != "":
				exprs = append(exprs, sqlString(f.constant))
			case f.apiField == "":
				exprs = append(exprs, "NULL")
			case f.stageType() == "VARCHAR" || f.numericID():
				exprs = append(exprs, fmt.Sprintf("r.data[%d]", pos[f.apiField]))
			default: // the cache keeps the API's text; the stage is typed
				exprs = append(exprs, castExpr(f, fmt.Sprintf("r.data[%d]", pos[f.apiField])))
			}
		}
		q := fmt.Sprintf("INSERT INTO %s SELECT %s FROM fbcache.rows r WHERE r.entry IN (%s)",
			part, strings.Join(exprs, ", "), strings.Join(ids, ", "))
		res, err := e.conn.ExecContext(ctx, q)
		if err != nil {
			return 0, &cacheReadError{err}
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// writeCache keeps what a scan fetched: one entry per account and day
// (daily) or per account, replacing older entries of the same key, all in
// one transaction. It runs only after the whole scan was fetched. A
// failure here costs the cache, never the query.
func (e *Engine) writeCache(ctx context.Context, sc *planner.Scan, stage string, fields []stageField, p *scanCache) {
	if len(p.bases) == 0 && len(p.accounts) == 0 {
		return
	}
	if !e.attachCache(ctx, true) {
		return
	}
	if err := privately(func() error { return e.writeEntries(ctx, sc, stage, fields, p) }); err != nil {
		e.cacheNotice("rows not cached: " + firstLine(err.Error()))
	}
}

func (e *Engine) writeEntries(ctx context.Context, sc *planner.Scan, stage string, fields []stageField, p *scanCache) error {
	if err := e.addUnits(ctx, stage, p.units); err != nil {
		return err
	}
	var base int64
	if err := e.conn.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM fbcache.entries").Scan(&base); err != nil {
		return err
	}
	var vals []string
	add := func(acct string, day time.Time) {
		base++
		d := "NULL::VARCHAR"
		if !day.IsZero() {
			d = sqlString(dayText(day))
		}
		vals = append(vals, fmt.Sprintf("(%d, %s, %s)", base, sqlString(acct), d))
	}
	if p.shape.daily {
		for _, u := range p.bases {
			for d := u.since; !d.After(u.until); d = d.AddDate(0, 0, 1) {
				add(u.acct, d)
			}
		}
	} else {
		for _, a := range p.accounts {
			add(a, time.Time{})
		}
	}
	newT := stage + "_cachenew"
	defer e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+newT)
	if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM (VALUES %s) v(id, acct, day)", newT, strings.Join(vals, ", "))); err != nil {
		return err
	}
	var data []string
	for _, f := range p.shape.fields {
		for _, sf := range fields {
			if sf.apiField == f {
				data = append(data, textExpr(sf, "s."+quote(sf.name)))
				break
			}
		}
	}
	join := "s._acct = n.acct"
	if p.shape.daily {
		join += " AND s._day = n.day"
	}
	var quotedFields []string
	for _, f := range p.shape.fields {
		quotedFields = append(quotedFields, sqlString(f))
	}
	lastDay := "NULL"
	switch {
	case p.shape.daily:
		lastDay = "CAST(n.day AS DATE)"
	case !p.shape.lastDay.IsZero():
		lastDay = "DATE " + sqlString(dayText(p.shape.lastDay))
	}
	tx, err := e.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old := fmt.Sprintf("SELECT o.id FROM fbcache.entries o JOIN %s n ON o.acct = n.acct AND o.day IS NOT DISTINCT FROM CAST(n.day AS DATE) WHERE o.key = $1", newT)
	if _, err := tx.ExecContext(ctx, "DELETE FROM fbcache.rows WHERE entry IN ("+old+")", p.shape.key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM fbcache.entries WHERE id IN ("+old+")", p.shape.key); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO fbcache.rows SELECT n.id, [%s]::VARCHAR[] FROM %s s JOIN %s n ON %s WHERE s._unit >= 0",
		strings.Join(data, ", "), stage, newT, join))
	if err != nil {
		return err
	}
	var fetched int64
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE _unit >= 0", stage)).Scan(&fetched); err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k != fetched {
		// A row whose day or account is not one asked for: filing the rows
		// by day would lose it, so keep nothing.
		return fmt.Errorf("%d of %d rows fall outside the days fetched", fetched-k, fetched)
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO fbcache.entries
		SELECT n.id, $1, $2, n.acct, CAST(n.day AS DATE), %s, [%s]::VARCHAR[], $3, DATE '%s', coalesce(c.n, 0)
		FROM %s n LEFT JOIN (SELECT entry, count(*) AS n FROM fbcache.rows WHERE entry IN (SELECT id FROM %s) GROUP BY entry) c ON c.entry = n.id`,
		lastDay, strings.Join(quotedFields, ", "), dayText(p.today), newT, newT),
		p.shape.key, sc.Path, p.now)
	if err != nil {
		return err
	}
	return tx.Commit()
}

// notes says, for EXPLAIN and .explain, what comes from the cache.
func (p *scanCache) note(sc *planner.Scan) string {
	if p.shape.daily {
		total := p.hitDays + p.fetchDays
		s := fmt.Sprintf("cache: %d of %d account-days from cache", p.hitDays, total)
		if p.fetchDays == 0 {
			return s + "; nothing to fetch"
		}
		var runs []string
		for i, u := range p.bases {
			if i == 4 {
				runs = append(runs, fmt.Sprintf("… %d more", len(p.bases)-i))
				break
			}
			r := dayText(u.since)
			if u.until.After(u.since) {
				r += ".." + dayText(u.until)
			}
			runs = append(runs, "act_"+u.acct+" "+r)
		}
		return s + "; fetch " + strings.Join(runs, ", ")
	}
	return fmt.Sprintf("cache: %d of %d accounts from cache", p.hitWhole, p.hitWhole+p.fetchWhole)
}

// explainCache looks up every scan of an EXPLAIN in the cache, without
// fetching: what would be served and what fetched. When the accounts are
// not known yet (no --account, not discovered yet) it says so instead of
// asking the API.
func (e *Engine) explainCache(ctx context.Context, st *planner.Statement) []string {
	if e.cache.mode == CacheOff {
		return nil
	}
	var notes []string
	for _, sc := range st.Scans {
		if sc.Empty { // no request: nothing to look up
			continue
		}
		accounts := sc.Accounts
		if accounts == nil {
			e.accountsMu.Lock()
			accounts = e.accounts
			e.accountsMu.Unlock()
		}
		if accounts == nil && len(e.cfg.Accounts) > 0 {
			var err error
			if accounts, err = e.Accounts(ctx); err != nil {
				continue
			}
		}
		if accounts == nil {
			notes = append(notes, sc.Temp+" cache: accounts not listed yet; run a query first")
			continue
		}
		p, err := e.planCache(ctx, sc, stageFields(sc), accounts)
		switch {
		case err != nil:
			notes = append(notes, sc.Temp+" cache: "+err.Error())
		case p == nil && e.cache.mode != CacheOff:
			notes = append(notes, sc.Temp+" cache: not cached (a pushed-down LIMIT reads part of the rows)")
		case p != nil && e.cache.mode == CacheRefresh:
			notes = append(notes, sc.Temp+" cache: refresh: fetch everything and keep it")
		case p != nil:
			notes = append(notes, sc.Temp+" "+p.note(sc))
		}
	}
	return notes
}
