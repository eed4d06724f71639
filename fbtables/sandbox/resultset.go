package sandbox

import (
	"encoding/binary"
	"sort"
	"sync/atomic"
)

// resultSet is a computed insights result, stored compactly: each row is a
// run of uvarints (keys, then the metrics of the additive vector the
// request reads; the others decode as zero) in one byte slice. A year
// of ad × day × country rows is ~650k rows; as structs of int64 they would
// take ~150 B each, as varints they take ~40. Rows are decoded only when a
// page is rendered.
type resultSet struct {
	q     *insightsQuery
	buf   []byte
	offs  []uint32 // start of row i; len = rows+1
	order []int32  // row order after sort; nil = natural order
	keys  []float64
	kept  []int // the metrics stored: those q needs (metrics_need.go)

	rowBytes atomic.Int64 // rendered bytes per row of the last page, to size the next
}

// rowRec is one decoded row.
type rowRec struct {
	rng, slice, ent, group int
	a                      acc
}

func newResultSet(q *insightsQuery) *resultSet {
	rs := &resultSet{q: q, offs: []uint32{0}}
	for k := range nMetrics {
		if q.need.has(k) {
			rs.kept = append(rs.kept, k)
		}
	}
	return rs
}

func (rs *resultSet) len() int { return len(rs.offs) - 1 }

func (rs *resultSet) add(rng, slice, ent, group int, a *acc) {
	for _, k := range [...]int{rng, slice, ent, group} {
		rs.buf = binary.AppendUvarint(rs.buf, uint64(k))
	}
	for _, k := range rs.kept {
		rs.buf = binary.AppendUvarint(rs.buf, uint64(a.m[k]))
	}
	for _, v := range a.max {
		rs.buf = binary.AppendUvarint(rs.buf, uint64(v))
	}
	rs.buf = binary.AppendUvarint(rs.buf, uint64(a.n))
	rs.offs = append(rs.offs, uint32(len(rs.buf)))
	if rs.q.sortField != "" {
		v, _ := rowValue(a, rs.q.sortField)
		rs.keys = append(rs.keys, v)
	}
}

// row decodes the i-th row in output order.
func (rs *resultSet) row(i int) rowRec {
	if rs.order != nil {
		i = int(rs.order[i])
	}
	b := rs.buf[rs.offs[i]:rs.offs[i+1]]
	next := func() int64 {
		v, n := binary.Uvarint(b)
		b = b[n:]
		return int64(v)
	}
	var r rowRec
	r.rng, r.slice, r.ent, r.group = int(next()), int(next()), int(next()), int(next())
	for _, k := range rs.kept {
		r.a.m[k] = next()
	}
	for k := range r.a.max {
		r.a.max[k] = next()
	}
	r.a.n = next()
	return r
}

// sortRows applies the request's sort (stable, so ties keep natural order).
func (rs *resultSet) sortRows(desc bool) {
	if rs.keys == nil {
		return
	}
	rs.order = make([]int32, rs.len())
	for i := range rs.order {
		rs.order[i] = int32(i)
	}
	sort.SliceStable(rs.order, func(i, j int) bool {
		a, b := rs.keys[rs.order[i]], rs.keys[rs.order[j]]
		if desc {
			return a > b
		}
		return a < b
	})
	rs.keys = nil
}

// appendRows appends rows [start, end) as a JSON array.
func (rs *resultSet) appendRows(b []byte, start, end int) ([]byte, error) {
	b = append(b, '[')
	n := len(b)
	var r rowRec
	var rc rowCtx
	for i := start; i < end; i++ {
		if i > start {
			b = append(b, ',')
		}
		r = rs.row(i)
		var err error
		if b, err = rs.q.appendRow(b, &r, &rc); err != nil {
			return nil, err
		}
	}
	if end > start {
		rs.rowBytes.Store(int64((len(b)-n)/(end-start) + 1))
	}
	return append(b, ']'), nil
}

// pageBytes is the buffer to start a page of rows with: the last page's
// bytes per row (a guess of 200 before any), with some slack so the buffer
// rarely grows.
func (rs *resultSet) pageBytes(rows int) int {
	per := rs.rowBytes.Load()
	if per == 0 {
		per = 200
	}
	return int(per)*rows*9/8 + 16
}
