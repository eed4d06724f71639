package engine

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Fetchers decode rows into batches of typed values and send them to the
// one goroutine that appends to the stage table. A batch is one flat slice
// (rows × (2 + fields): unit, account, then the fields), so a row costs no
// allocation of its own and the channel carries a message per batch, not
// per row; the slices are pooled.

// batchRows is the rows of one batch: enough to make the channel cheap,
// few enough that a batch is small beside a 5000-row page.
const batchRows = 256

// rowMsg carries a batch of decoded rows, tagged with the unit of work that
// fetched them, or asks to discard every row of a unit.
type rowMsg struct {
	unit    int64
	vals    *[]driver.Value // rows × width values; returned to batchPool after appending
	width   int
	discard bool
}

var batchPool sync.Pool

func getBatch() *[]driver.Value {
	if b, ok := batchPool.Get().(*[]driver.Value); ok {
		return b
	}
	b := make([]driver.Value, 0, 1024)
	return &b
}

func putBatch(b *[]driver.Value) {
	clear(*b) // drop references to strings and times
	*b = (*b)[:0]
	batchPool.Put(b)
}

// appendBatch appends a batch's rows and gives the slice back to the pool.
func appendBatch(app *duckdb.Appender, m rowMsg) (int64, error) {
	vals := *m.vals
	defer putBatch(m.vals)
	var n int64
	for i := 0; i+m.width <= len(vals); i += m.width {
		if err := app.AppendRow(vals[i : i+m.width]...); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// batcher decodes one fetcher's rows into batches.
type batcher struct {
	out   chan<- rowMsg
	dec   *decoder
	acct  string
	unit  int64
	width int
	buf   *[]driver.Value
}

func newBatcher(out chan<- rowMsg, fields []stageField, whole bool, acct string) *batcher {
	return &batcher{out: out, dec: newDecoder(fields, whole), acct: acct, width: 2 + len(fields)}
}

// add decodes one API row into the current batch, sending it when full.
func (b *batcher) add(ctx context.Context, raw []byte) error {
	if b.buf == nil {
		b.buf = getBatch()
	}
	vals := append(*b.buf, b.unit, b.acct)
	vals = append(vals, make([]driver.Value, len(b.dec.fields))...)
	*b.buf = vals
	if err := b.dec.decode(raw, vals[len(vals)-len(b.dec.fields):]); err != nil {
		*b.buf = vals[:len(vals)-b.width]
		return err
	}
	if len(vals) >= batchRows*b.width {
		return b.flush(ctx)
	}
	return nil
}

// flush sends the rows decoded so far. A fetcher flushes at the end of its
// work and before asking to discard its unit's rows.
func (b *batcher) flush(ctx context.Context) error {
	if b.buf == nil || len(*b.buf) == 0 {
		return nil
	}
	m := rowMsg{unit: b.unit, vals: b.buf, width: b.width}
	b.buf = nil
	select {
	case b.out <- m:
		return nil
	case <-ctx.Done():
		putBatch(m.vals)
		return ctx.Err()
	}
}

// release returns an unsent batch to the pool.
func (b *batcher) release() {
	if b.buf != nil {
		putBatch(b.buf)
		b.buf = nil
	}
}

// decoder picks the staged fields out of API rows and converts them.
type decoder struct {
	fields []stageField
	byKey  map[string][]int // API key → the fields it fills
	whole  bool
}

func newDecoder(fields []stageField, whole bool) *decoder {
	d := &decoder{fields: fields, byKey: map[string][]int{}, whole: whole}
	for i, f := range fields {
		if f.apiField != "" {
			d.byKey[f.apiField] = append(d.byKey[f.apiField], i)
		}
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
	for k, f := range d.fields {
		row[k] = nil
		if f.apiField == "" && f.constant != "" {
			row[k] = f.constant
		}
	}
	return scanObjectAt(b, i, func(key, val []byte) error {
		for _, k := range d.byKey[string(key)] {
			if string(val) == "null" {
				row[k] = nil
				continue
			}
			v, err := d.fields[k].convert(val, d.whole)
			if err != nil {
				return fmt.Errorf("decode %s: %w", d.fields[k].apiField, err)
			}
			row[k] = v
		}
		return nil
	})
}
