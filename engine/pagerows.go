package engine

import (
	"context"
	"database/sql/driver"
)

// A batcher is also a graph.PageReader: the graph client hands it each page's rows while it
// scans the page, so a row's bytes are walked once, by the decoder, instead of being
// delimited by the client first. Rows read that way are held until the client says the page
// was whole and valid (KeepPage) and forgotten if it was not (DropPage): the page is then read
// again, and a row must reach the stage once.

// pageState is the part of a batcher's rows that belongs to the page being read.
type pageState struct {
	reading bool
	mark    int               // values in the current batch before the page began: they are kept
	full    []*[]driver.Value // the page's full batches, unsent; full[0] starts with the mark
	rows    int               // rows read in the page
	kept    int               // rows of kept pages, for the unit's count
}

// ReadRow decodes the row at page[at] into the current batch and returns where it ends.
func (b *batcher) ReadRow(page []byte, at int) (int, error) {
	if !b.page.reading {
		b.page.reading, b.page.mark = true, 0
		if b.buf != nil {
			b.page.mark = len(*b.buf)
		}
	}
	end, err := b.dec.decodeAt(page, at, b.row())
	if err != nil {
		b.undo()
		return 0, err
	}
	b.page.rows++
	if len(*b.buf) >= batchRows*b.width {
		b.page.full = append(b.page.full, b.buf)
		b.buf = nil
	}
	return end, nil
}

// KeepPage sends the page's full batches; the rest of its rows stay in the current batch.
func (b *batcher) KeepPage(ctx context.Context) error {
	b.page.kept += b.page.rows
	b.page.reading, b.page.rows = false, 0
	full := b.page.full
	b.page.full = b.page.full[:0]
	for i, vals := range full {
		if err := b.send(ctx, vals); err != nil {
			for _, v := range full[i+1:] {
				putBatch(v)
			}
			return err
		}
	}
	return nil
}

// DropPage forgets the rows read since the page began.
func (b *batcher) DropPage() {
	if !b.page.reading {
		return // no row was read since the last KeepPage or DropPage
	}
	if len(b.page.full) > 0 {
		if b.buf != nil {
			putBatch(b.buf)
		}
		b.buf = b.page.full[0] // it was the current batch when the page began
		for _, v := range b.page.full[1:] {
			putBatch(v)
		}
		b.page.full = b.page.full[:0]
	}
	if b.buf != nil {
		clear((*b.buf)[b.page.mark:])
		*b.buf = (*b.buf)[:b.page.mark]
	}
	b.page.reading, b.page.rows = false, 0
}
