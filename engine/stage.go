package engine

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/fbtables"
)

// Fetchers decode rows into batches of typed values and send them to the
// appenders of the stage's tables (appendLoop). A batch is one flat slice
// (rows × (1 + fields): unit, then the fields), so a row costs no
// allocation of its own and the channel carries a message per batch, not
// per row; the slices are pooled.

// batchRows is the rows of one batch: enough to make the channel cheap,
// few enough that a batch is small beside a 5000-row page.
const batchRows = 256

// rowMsg carries a batch of decoded rows, tagged with the unit of work that
// fetched them, or asks to discard every row of a unit.
type rowMsg struct {
	unit    int64
	acct    string          // the unit's account
	vals    *[]driver.Value // rows × width values; returned to batchPool after appending
	width   int
	discard bool
	// the action-list fields whose entries had attribution windows in any
	// row the sending decoder read so far (decoder.windows)
	windows fieldSet
}

// fieldSet is a set of stage fields by index. Fields past the 64th are
// always members: a set may only err toward holding a field.
type fieldSet uint64

// allFields holds every field.
const allFields = ^fieldSet(0)

func (s *fieldSet) add(k int) {
	if k < 64 {
		*s |= 1 << k
	}
}

func (s fieldSet) has(k int) bool { return k >= 64 || s&(1<<k) != 0 }

var batchPool sync.Pool

// getBatch gives a batch with room for batchRows rows of width values:
// growing one as rows arrive cost ~4% of a load's CPU.
func getBatch(width int) *[]driver.Value {
	if b, ok := batchPool.Get().(*[]driver.Value); ok && cap(*b) >= batchRows*width {
		return b
	}
	b := make([]driver.Value, 0, batchRows*width)
	return &b
}

func putBatch(b *[]driver.Value) {
	clear(*b) // drop references to strings and times
	*b = (*b)[:0]
	batchPool.Put(b)
}

// stageAppender appends batches to one of a stage's tables. Rows go to
// DuckDB as chunks of Go-typed values. A table with action-stat lists is
// filled through a query appender: an INSERT … SELECT over the chunks
// parses the lists' JSON on the way (parsedOnAppend), so the stage holds
// them typed and no pass over the stage re-reads text; the chunk's types
// are an empty template table's (the stage's, with lists as VARCHAR).
// Without lists, the chunks are appended to the table as they are.
//
// Id columns (numericID) are UBIGINT until a value that is not a canonical
// number arrives: then the column turns into VARCHAR, in the stage and the
// template, whose text for the numbers already appended is theirs exactly,
// and from then on the column's numbers are appended as their text.
//
// A list is parsed for its attribution windows only once a decoder saw an
// entry with one in that field (decoder.windows): from_json of two keys,
// cast to the full type, costs DuckDB a quarter less than all eight. The
// set only grows; a batch that brings a new field reopens the appender
// with the wider parse.
type stageAppender struct {
	dc       driver.Conn
	stage    string
	part     string // the stage table's name in stageDB
	template string // empty table: the chunk's column types; "" without lists
	app      *duckdb.Appender
	names    []string // the stage's columns, in order
	lists    []bool   // per column: an action-stat list, appended as JSON text
	ids      []int    // columns still UBIGINT
	text     []int    // VARCHAR columns, id columns turned VARCHAR among them
	windows  fieldSet // the list fields parsed whole; field k is column k+1
}

func newStageAppender(ctx context.Context, dc driver.Conn, stage string, k int) (*stageAppender, error) {
	a := &stageAppender{dc: dc, stage: stagePart(stage, k), part: stagePartName(stage, k)}
	// DuckDB spells a type its own way ("value" quoted): ask it whether a
	// column is an action-stat list
	// ask of the one table (pragma_table_info), not of duckdb_columns(), which lists every
	// column of every table and view first: with the virtual tables' views that was most of a
	// small query's own CPU
	q := fmt.Sprintf(`SELECT name, type, type = typeof(CAST(NULL AS %s)) FROM pragma_table_info(%s) ORDER BY cid`,
		fbtables.ActionStatsType, sqlString(stagePart(stage, k)))
	rows, err := dc.(driver.QueryerContext).QueryContext(ctx, q, nil)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", stage, err)
	}
	row := make([]driver.Value, len(rows.Columns()))
	var cols []string
	for i := 0; rows.Next(row) == nil; i++ {
		name, _ := row[0].(string)
		typ, _ := row[1].(string)
		list, _ := row[2].(bool)
		a.names = append(a.names, name)
		a.lists = append(a.lists, list)
		switch {
		case list:
			typ = "VARCHAR"
		case typ == "UBIGINT":
			a.ids = append(a.ids, i)
		case typ == "VARCHAR":
			a.text = append(a.text, i) // an id column the cache's rows turned to text, maybe
		}
		cols = append(cols, quote(name)+" "+typ)
	}
	rows.Close()
	if len(cols) == 0 {
		return nil, fmt.Errorf("append to %s: no such table", a.stage)
	}
	if slices.Contains(a.lists, true) {
		a.template = a.part + "_in"
		ddl := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (%s)", a.template, strings.Join(cols, ", "))
		if _, err := dc.(driver.ExecerContext).ExecContext(ctx, ddl, nil); err != nil {
			return nil, fmt.Errorf("append to %s: %w", stage, err)
		}
	}
	if err := a.open(); err != nil {
		a.dropTemplate()
		return nil, err
	}
	return a, nil
}

// open starts an appender whose query parses lists as a.windows says.
func (a *stageAppender) open() error {
	if a.template == "" {
		// nothing to parse: the chunks go to the table as they are, one
		// copy less than through a query
		app, err := duckdb.NewAppender(a.dc, stageDB, "main", a.part)
		if err != nil {
			return fmt.Errorf("append to %s: %w", a.stage, err)
		}
		a.app = app
		return nil
	}
	exprs := make([]string, len(a.names))
	for i := range a.names {
		col := fmt.Sprintf("col%d", i+1)
		switch {
		case !a.lists[i]:
			exprs[i] = col
		case a.windows.has(i - 1):
			exprs[i] = fmt.Sprintf("from_json(%s, '%s')", col, actionStatsJSON)
		default:
			exprs[i] = actionStatsNarrowExpr(col)
		}
	}
	q := fmt.Sprintf("INSERT INTO %s SELECT %s FROM appended_data", a.stage, strings.Join(exprs, ", "))
	app, err := duckdb.NewTableAppender(a.dc, q, "temp", "main", a.template, nil)
	if err != nil {
		return fmt.Errorf("append to %s: %w", a.stage, err)
	}
	a.app = app
	return nil
}

// close flushes what is appended and ends the appender.
func (a *stageAppender) close() error {
	err := a.app.Close()
	a.dropTemplate()
	return err
}

func (a *stageAppender) dropTemplate() {
	if a.template != "" {
		a.dc.(driver.ExecerContext).ExecContext(context.Background(), "DROP TABLE IF EXISTS "+a.template, nil)
	}
}

// widen reopens the appender to parse the list fields of windows whole.
func (a *stageAppender) widen(windows fieldSet) error {
	if windows&^a.windows == 0 {
		return nil
	}
	if err := a.app.Close(); err != nil {
		return err
	}
	a.windows |= windows
	return a.open()
}

// idsAsTextSQL turns a stage's id column from UBIGINT into VARCHAR; DuckDB's cast gives each
// number already stored its text exactly (canonicalID).
func idsAsTextSQL(stage, column string) string {
	return fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE VARCHAR", stage, quote(column))
}

// toText turns id column c into VARCHAR, the rows appended so far with it.
func (a *stageAppender) toText(ctx context.Context, c int) error {
	if err := a.app.Close(); err != nil {
		return err
	}
	tables := []string{a.stage}
	if a.template != "" {
		tables = append(tables, "temp.main."+a.template)
	}
	for _, t := range tables {
		if _, err := a.dc.(driver.ExecerContext).ExecContext(ctx, idsAsTextSQL(t, a.names[c]), nil); err != nil {
			return fmt.Errorf("stage %s as text: %w", a.names[c], err)
		}
	}
	a.ids = slices.DeleteFunc(a.ids, func(k int) bool { return k == c })
	a.text = append(a.text, c)
	return a.open()
}

// appendBatch appends a batch's rows and gives the slice back to the pool.
func (a *stageAppender) appendBatch(ctx context.Context, m rowMsg) (int64, error) {
	vals := *m.vals
	defer putBatch(m.vals)
	if err := a.widen(m.windows); err != nil {
		return 0, err
	}
	var n int64
	for i := 0; i+m.width <= len(vals); i += m.width {
		row := vals[i : i+m.width]
		for k := 0; k < len(a.ids); k++ {
			if _, ok := row[a.ids[k]].(string); ok {
				if err := a.toText(ctx, a.ids[k]); err != nil {
					return n, err
				}
				k--
			}
		}
		for _, c := range a.text {
			if x, ok := row[c].(uint64); ok {
				row[c] = strconv.FormatUint(x, 10)
			}
		}
		if err := a.app.AppendRow(row...); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// appendFrom runs the producers start starts (each added to wg, sending
// batches on out) and appends what they send until all are done. The first
// error, a producer's (given to fail) or the appender's, cancels the rest
// and is the result, with no count: nothing partial is passed off as whole.
//
// units, if not nil, is given the account of each unit whose rows arrive.
func (e *Engine) appendFrom(ctx context.Context, stage string, added func(int64), units map[int64]string, start func(ctx context.Context, out chan<- rowMsg, fail func(error), wg *sync.WaitGroup)) (int64, error) {
	restore, err := e.singleThreaded(ctx)
	if err != nil {
		return 0, err
	}
	defer restore()
	ctx, first := withFirstError(ctx)
	defer first.cancel()
	rowsCh := make(chan rowMsg, 64) // batches: at most ~16k decoded rows wait for the appenders
	var wg sync.WaitGroup
	start(ctx, rowsCh, first.fail, &wg)
	go func() { wg.Wait(); close(rowsCh) }()
	n, err := e.appendLoop(ctx, stage, rowsCh, added, units)
	if err != nil {
		first.fail(err)
		for range rowsCh { // let the producers finish
		}
	}
	wg.Wait()
	if first.err != nil {
		return 0, first.err
	}
	return n, ctx.Err()
}

// firstError keeps the first of several goroutines' errors and cancels
// the others' context when it arrives; read err after they are done.
type firstError struct {
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func withFirstError(ctx context.Context) (context.Context, *firstError) {
	ctx, cancel := context.WithCancel(ctx)
	return ctx, &firstError{cancel: cancel}
}

func (f *firstError) fail(err error) {
	f.once.Do(func() { f.err = err; f.cancel() })
}

// stageDB is the in-memory database that holds stages: its tables, unlike
// temporary ones, are seen by every connection, so each part of a stage
// can have an appender of its own on a connection of its own.
const stageDB = "fbsql_stage"

// stageParts is the tables a stage is split into. Appending is DuckDB's
// work on the appending connection (the chunk's copy, the parse of the
// action lists, the insert), one chunk at a time: with one appender it
// was busy 90% of a load while the decoders waited, so batches go to
// stageParts appenders in turn.
const stageParts = 2

// stagePart is the SQL name of a stage's table k.
func stagePart(stage string, k int) string {
	return stageDB + ".main." + stagePartName(stage, k)
}

func stagePartName(stage string, k int) string { return fmt.Sprintf("%s_%d", stage, k) }

// appendLoop appends the batches arriving on rows to the stage's tables
// until the channel closes, a batch to each appender in turn, and deletes
// a failed unit's rows when asked (every appender is asked, after the
// batches before); added is told of each batch appended. It returns the
// rows kept. On an error the caller must drain rows, so the fetchers can
// finish.
func (e *Engine) appendLoop(ctx context.Context, stage string, rows <-chan rowMsg, added func(int64), units map[int64]string) (int64, error) {
	ctx, first := withFirstError(ctx)
	defer first.cancel()
	var (
		wg   sync.WaitGroup
		kept [stageParts]int64
		ins  [stageParts]chan rowMsg
	)
	for k := range ins {
		ins[k] = make(chan rowMsg, 4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.appendPart(ctx, stage, k, ins[k], added)
			if err != nil {
				first.fail(err)
				for range ins[k] { // until the dispatch sees the cancel
				}
			}
			kept[k] = n
		}()
	}
	next := 0
dispatch:
	for m := range rows {
		to := ins[next : next+1]
		if m.discard {
			to = ins[:]
		} else {
			next = (next + 1) % stageParts
			if units != nil {
				units[m.unit] = m.acct
			}
		}
		for _, in := range to {
			select {
			case in <- m:
			case <-ctx.Done():
				break dispatch
			}
		}
	}
	for _, in := range ins {
		close(in)
	}
	wg.Wait()
	if first.err != nil {
		return 0, first.err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	for _, c := range kept {
		n += c
	}
	return n, nil
}

// appendPart appends the batches of in to the stage's table k, on the
// engine's connection for the first and a connection of its own for the
// others, and returns the rows kept.
func (e *Engine) appendPart(ctx context.Context, stage string, k int, in <-chan rowMsg, added func(int64)) (int64, error) {
	conn := e.conn
	if k > 0 {
		c, err := e.db.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("append to %s: %w", stage, err)
		}
		defer c.Close()
		conn = c
	}
	var n int64
	err := conn.Raw(func(dc any) error {
		a, err := newStageAppender(ctx, dc.(driver.Conn), stage, k)
		if err != nil {
			return err
		}
		perUnit := map[int64]int64{}
		for m := range in {
			if m.discard {
				// A unit failed after some of its rows arrived and will run
				// again: its rows so far must not count twice.
				if err := a.app.Flush(); err != nil {
					a.close()
					return fmt.Errorf("append to %s: %w", stage, err)
				}
				del := fmt.Sprintf("DELETE FROM %s WHERE _unit = %d", a.stage, m.unit)
				if _, err := dc.(driver.ExecerContext).ExecContext(ctx, del, nil); err != nil {
					a.close()
					return fmt.Errorf("discard rows of a failed request: %w", err)
				}
				n -= perUnit[m.unit]
				delete(perUnit, m.unit)
				continue
			}
			c, err := a.appendBatch(ctx, m)
			if err != nil {
				a.close()
				return fmt.Errorf("append to %s: %w", stage, err)
			}
			perUnit[m.unit] += c
			n += c
			added(c)
		}
		return a.close()
	})
	return n, err
}

// batcher decodes one fetcher's rows into batches.
type batcher struct {
	out   chan<- rowMsg
	dec   *decoder
	acct  string
	unit  int64
	width int
	buf   *[]driver.Value
	// the unit boxed once for the unit's rows, not per row: boxing it
	// per row was ~2% of a load's CPU
	boxedUnit int64
	boxed     driver.Value
	page      pageState // rows of a page read in place, not yet kept (pagerows.go)
}

func newBatcher(out chan<- rowMsg, fields []stageField, whole bool, acct string) *batcher {
	return &batcher{out: out, dec: newDecoder(fields, whole), acct: acct, width: 1 + len(fields)}
}

// add decodes one API row into the current batch, sending it when full.
func (b *batcher) add(ctx context.Context, raw []byte) error {
	if err := b.dec.decode(raw, b.row()); err != nil {
		b.undo()
		return err
	}
	return b.added(ctx)
}

// addAt is add for the row starting at page[at], inside a page; it returns
// the index just past the row.
func (b *batcher) addAt(ctx context.Context, page []byte, at int) (int, error) {
	end, err := b.dec.decodeAt(page, at, b.row())
	if err != nil {
		b.undo()
		return 0, fmt.Errorf("decode row: %w", err)
	}
	return end, b.added(ctx)
}

// row makes room for one more row in the current batch and returns its
// field values to fill.
func (b *batcher) row() []driver.Value {
	if b.buf == nil {
		b.buf = getBatch(b.width)
	}
	if b.boxed == nil || b.boxedUnit != b.unit {
		b.boxed, b.boxedUnit = b.unit, b.unit
	}
	vals := append(*b.buf, b.boxed)
	vals = append(vals, make([]driver.Value, len(b.dec.fields))...)
	*b.buf = vals
	return vals[len(vals)-len(b.dec.fields):]
}

// undo drops the row just made room for: it did not decode.
func (b *batcher) undo() {
	*b.buf = (*b.buf)[:len(*b.buf)-b.width]
}

// added sends the batch once it is full.
func (b *batcher) added(ctx context.Context) error {
	if len(*b.buf) >= batchRows*b.width {
		return b.flush(ctx)
	}
	return nil
}

// flush sends the rows decoded so far. A fetcher flushes at the end of its
// work and before asking to discard its unit's rows.
func (b *batcher) flush(ctx context.Context) error {
	if b.page.reading {
		b.DropPage() // never sent: no one said the page was whole
	}
	if b.buf == nil || len(*b.buf) == 0 {
		return nil
	}
	vals := b.buf
	b.buf = nil
	return b.send(ctx, vals)
}

// send sends a batch of rows.
func (b *batcher) send(ctx context.Context, vals *[]driver.Value) error {
	m := rowMsg{unit: b.unit, acct: b.acct, vals: vals, width: b.width, windows: b.dec.windows}
	select {
	case b.out <- m:
		return nil
	case <-ctx.Done():
		putBatch(m.vals)
		return ctx.Err()
	}
}

// release returns unsent batches to the pool.
func (b *batcher) release() {
	if b.page.reading {
		b.DropPage()
	}
	if b.buf != nil {
		putBatch(b.buf)
		b.buf = nil
	}
}

// decoder picks the staged fields out of API rows and converts them. It
// is used by one goroutine at a time and remembers the previous row: the
// order of its keys (rows of a page share it, so a key is found without a
// map lookup) and each field's last raw value with its converted value
// (ids, dates and countries repeat from row to row, and an unchanged value
// is neither converted nor copied again).
type decoder struct {
	fields []stageField
	slots  map[string]int // API key → index in groups
	groups [][]int        // the fields each API key fills
	// per API key: whether a field it fills is an action list; and the
	// fields that are option constants, set in every row (worked out once,
	// not per row)
	actions []bool
	plain   []int // per API key: the one field it fills, unless it fills several or an action list (-1)
	consts  []int
	whole   bool
	seq     []seenKey // the keys of the rows before, in their order
	last    []lastValue
	// the action-list fields an entry of which had a key besides
	// action_type and value, in any row read so far (stageAppender)
	windows fieldSet
	quoted  []int // scratch: the values of an action list compactActionStats unquotes
}

type seenKey struct {
	key  string
	raw  string // the key's bytes to the ':' when they are exactly `"key":`; else ""
	slot int    // -1: a key no field reads
}

// hasAt reports whether b holds s at i.
func hasAt(b []byte, i int, s string) bool {
	return len(b)-i >= len(s) && string(b[i:i+len(s)]) == s
}

// lastValue is a field's previous raw value and what it converted to;
// values are immutable once boxed, so rows may share them. Text fields
// (ids, countries, names) also keep the values seen lately, boxed: a text
// value otherwise costs two allocations, its bytes and its box.
type lastValue struct {
	raw  []byte
	val  any
	ok   bool
	seen map[string]driver.Value // text fields only; cleared when full
}

// maxSeen bounds a text field's remembered values: a couple of thousand
// ids cover the ads a unit of work reads, and a decoder holds at most this
// many per field (about 200 KB), with many decoders at work at once.
const maxSeen = 2048

func newDecoder(fields []stageField, whole bool) *decoder {
	d := &decoder{fields: fields, slots: map[string]int{}, whole: whole, last: make([]lastValue, len(fields))}
	for i, f := range fields {
		if f.apiField == "" {
			if f.constant != "" {
				d.consts = append(d.consts, i)
			}
			continue
		}
		s, ok := d.slots[f.apiField]
		if !ok {
			s = len(d.groups)
			d.slots[f.apiField] = s
			d.groups = append(d.groups, nil)
			d.actions = append(d.actions, false)
		}
		d.groups[s] = append(d.groups[s], i)
		d.actions[s] = d.actions[s] || f.typ == fbtables.ActionStatsType
	}
	for s, fields := range d.groups {
		k := -1
		if len(fields) == 1 && !d.actions[s] {
			k = fields[0]
		}
		d.plain = append(d.plain, k)
	}
	return d
}

// decode fills row (one value per field) from one API object: values
// converted to the field's type, absent or null as NULL, option constants
// as their text. It reads the object in one pass (rowdecode.go): rows are
// most of the bytes a query moves.
func (d *decoder) decode(raw []byte, row []driver.Value) error {
	end, err := d.decodeAt(raw, skipSpace(raw, 0), row)
	if err == nil {
		err = trailing(raw, end)
	}
	if err != nil {
		return fmt.Errorf("decode row: %w", err)
	}
	return nil
}

// decodeAt is decode for the object starting at b[i], inside a page; it
// returns the index just past it.
func (d *decoder) decodeAt(b []byte, i int, row []driver.Value) (int, error) {
	clear(row)
	for _, k := range d.consts {
		row[k] = d.fields[k].constant
	}
	j, done, err := openObject(b, i)
	q := 0 // where in d.seq this row's next key is looked for
	for !done && err == nil {
		var at, end, slot int
		if k := d.guess(b, j, q); k >= 0 {
			// a key of the rows before, written as it was: `"key":`
			slot, q = d.seq[k].slot, k+1
			if at = skipSpace(b, j+len(d.seq[k].raw)); at >= len(b) {
				err = errMissingValue
				break
			}
		} else {
			var key []byte
			if key, at, err = readKey(b, j); err != nil {
				break
			}
			slot, q = d.learn(q, key, b[j:at])
		}
		if slot < 0 {
			end, err = skipValue(b, at, 1)
		} else {
			end, err = d.member(b, at, slot, row)
		}
		if err != nil {
			break
		}
		j, done, err = nextMember(b, end, '}')
	}
	return j, err
}

// maxSeq bounds the keys a decoder remembers in order: a row of every
// insights field has fewer.
const maxSeq = 64

// guess finds the key at b[j] among the next few keys of d.seq from q:
// rows of a page share their keys' order, some rows lacking a key or two
// (action_values), so the key is there or a step or two on. It returns
// its index in d.seq, or -1.
func (d *decoder) guess(b []byte, j, q int) int {
	for k := q; k < len(d.seq) && k < q+3; k++ {
		if d.seq[k].raw != "" && hasAt(b, j, d.seq[k].raw) {
			return k
		}
	}
	return -1
}

// learn finds the fields of a key guess did not find, written lit (its
// bytes to the ':'), and remembers it in d.seq at q, where the next row
// with the key will look for it. It returns the key's slot and where the
// row's next key is looked for.
func (d *decoder) learn(q int, key, lit []byte) (int, int) {
	if q < len(d.seq) && d.seq[q].key == string(key) {
		return d.seq[q].slot, q + 1 // a key written with escapes or spaces
	}
	s, ok := d.slots[string(key)]
	if !ok {
		s = -1
	}
	if len(d.seq) >= maxSeq {
		return s, q
	}
	k := seenKey{key: string(key), slot: s}
	if len(lit) == len(key)+3 && lit[len(lit)-1] == ':' && string(lit[1:1+len(key)]) == string(key) {
		k.raw = string(lit) // no escapes, no spaces
	}
	d.seq = slices.Insert(d.seq, q, k)
	return s, q + 1
}

// member reads the value at b[at] into the fields that take it and returns
// where it ends.
func (d *decoder) member(b []byte, at int, slot int, row []driver.Value) (int, error) {
	if k := d.plain[slot]; k >= 0 {
		// the common key: one field, not an action list
		last := &d.last[k]
		if last.ok && last.raw[0] == '"' && hasAt(b, at, unsafe.String(unsafe.SliceData(last.raw), len(last.raw))) {
			// the field's previous value, a string, written again: the
			// same bytes are the same checked token with the same conversion
			row[k] = last.val
			return at + len(last.raw), nil
		}
		end, err := skipValue(b, at, 1)
		if err != nil {
			return 0, decodeErr(d.fields[k], err)
		}
		if val := b[at:end]; string(val) == "null" {
			row[k] = nil
		} else if row[k], err = d.value(k, val); err != nil {
			return 0, err
		}
		return end, nil
	}
	fields := d.groups[slot]
	var end int
	var err error
	if d.actions[slot] && b[at] == '[' {
		var windows bool
		d.quoted = d.quoted[:0]
		end, windows, err = actionStatsEnd(b, at, &d.quoted) // checks the list's numbers in the same pass
		if windows {
			for _, k := range fields {
				d.windows.add(k)
			}
		}
	} else {
		end, err = skipValue(b, at, 1)
	}
	if err != nil {
		return 0, decodeErr(d.fields[fields[0]], err)
	}
	val := b[at:end]
	if string(val) == "null" {
		for _, k := range fields {
			row[k] = nil // a key given twice keeps its last value, as in encoding/json
		}
		return end, nil
	}
	for _, k := range fields {
		if d.fields[k].parsedOnAppend() && val[0] == '[' {
			row[k] = compactActionStats(b, at, end, d.quoted) // checked above; the appender parses it
			continue
		}
		if row[k], err = d.value(k, val); err != nil {
			return 0, err
		}
	}
	return end, nil
}

// value is field k's value of the checked JSON value val (not null): the
// previous row's, a value seen lately, or a new conversion, remembered.
func (d *decoder) value(k int, val []byte) (driver.Value, error) {
	f, last := &d.fields[k], &d.last[k]
	if last.ok && bytes.Equal(last.raw, val) {
		return last.val, nil
	}
	if f.conv == convText && last.seen != nil && val[0] == '"' {
		if v, ok := last.seen[string(val[1:len(val)-1])]; ok {
			return v, nil
		}
	}
	v, err := f.convert(val, d.whole)
	if err != nil {
		last.ok = false
		return nil, decodeErr(*f, err)
	}
	if f.conv == convText && val[0] == '"' && len(val) <= 66 {
		key := ""
		switch x := v.(type) {
		case string:
			if len(x) == len(val)-2 {
				key = x // a string without escapes: its own key, sharing its bytes
			}
		case uint64:
			key = string(val[1 : len(val)-1]) // an id's digits
		}
		if key != "" {
			if last.seen == nil || len(last.seen) >= maxSeen {
				last.seen = make(map[string]driver.Value, 64)
			}
			last.seen[key] = v
		}
	}
	if f.conv != convJSON && len(val) <= 64 {
		last.raw, last.val, last.ok = append(last.raw[:0], val...), v, true
	}
	return v, nil
}

func decodeErr(f stageField, err error) error {
	return fmt.Errorf("decode %s: %w", f.apiField, err)
}
