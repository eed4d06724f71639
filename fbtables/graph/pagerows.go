package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Rows is where a paged read delivers its rows. Set one of the two.
type Rows struct {
	// Each gets every row of a page once the whole page has been checked (see Get).
	Each func(row json.RawMessage) error
	// Pages reads each page's rows in place, during the client's one walk over the page's
	// bytes: the error check, the paging and the rows come from a single pass, and no row is
	// delimited first and read again after.
	Pages PageReader
}

// PageReader reads the rows of a page while the client scans it. Rows are read before the
// rest of the page is known to be good (a later "error" member, a cut-off body, a page that
// repeats an earlier one), so they stand only once KeepPage is called: after DropPage the
// reader must forget every row read since the last KeepPage. A page that fails is then
// retried in place, so a kept row is never read twice and a dropped one is read again.
type PageReader interface {
	// ReadRow reads the element of the "data" array starting at page[at] (no leading space)
	// and returns the index just past it. It checks the element's grammar: the client only
	// checks what lies between elements. The bytes belong to the client's buffer: copy what
	// you keep.
	ReadRow(page []byte, at int) (end int, err error)
	// KeepPage says the rows read since the last KeepPage or DropPage are a whole, valid
	// page's. Its error stops paging and is returned unchanged, as an Each error is.
	KeepPage(ctx context.Context) error
	// DropPage says they are not: forget them.
	DropPage()
}

// errScanAgain stops a one-pass scan that met a body it leaves to the classic scan: a second
// "data" member (the last one counts, and the first one's rows were read already).
var errScanAgain = errors.New("scan the page again")

// readRows hands the data array at s.b[s.i] to the page reader element by element and
// returns how many it read.
func (s *scanner) readRows(pr PageReader) (int, error) {
	s.i++ // [
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return 0, nil
	}
	n := 0
	for {
		s.space()
		end, err := pr.ReadRow(s.b, s.i)
		if err != nil {
			return n, err
		}
		if end <= s.i || end > len(s.b) {
			return n, fmt.Errorf("page reader ended a row at %d, outside (%d, %d]", end, s.i, len(s.b))
		}
		s.i = end
		n++
		if more, err := s.afterElement(); err != nil || !more {
			return n, err
		}
	}
}

// scanPageRows is scanPage with the data array's rows read by pr as they are met. It returns
// ok false when the page is to be scanned the classic way instead (invalid UTF-8, which the
// classic scan rewrites per row; a second "data" member; any failure, to be classified by the
// classic scan and reported as it reports it). Rows read before a failure are dropped.
func scanPageRows(body []byte, pr PageReader) (p scannedPage, ok bool) {
	if !utf8.Valid(body) {
		return p, false
	}
	s := scanner{b: body, pages: pr}
	p, err := s.page()
	if err != nil {
		pr.DropPage() // a no-op when no row was read
		return scannedPage{}, false
	}
	return p, true
}
