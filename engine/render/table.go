package render

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/fbsql/fbsql/engine"
)

// nullText is how the table shows NULL, distinct from an empty string.
const nullText = "NULL"

// renderTable draws a table. With maxRows > 0 only the first and last
// maxRows/2 rows are kept (memory stays bounded too), and a row of dots and
// the footer say how many were left out.
// tableOptions choose a table's style.
type tableOptions struct {
	markdown bool
	maxRows  int
	noHeader bool
}

func renderTable(w io.Writer, res *engine.Result, to tableOptions) (int, error) {
	markdown, maxRows := to.markdown, to.maxRows
	var head, tail [][]string
	keep := maxRows / 2
	total, err := res.Each(func(row []any) error {
		rec := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				rec[i] = nullText
				continue
			}
			rec[i] = textValue(v, res.Types[i])
		}
		switch {
		case maxRows <= 0 || len(head) < maxRows-keep:
			head = append(head, rec)
		case len(tail) < keep:
			tail = append(tail, rec)
		default:
			tail = append(tail[1:], rec)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	rows := head
	hidden := total - len(head) - len(tail)
	if hidden > 0 {
		dots := make([]string, len(res.Columns))
		for i := range dots {
			dots[i] = "·"
		}
		rows = append(rows, dots)
	}
	rows = append(rows, tail...)
	aligns := make([]tw.Align, len(res.Columns))
	for i, t := range res.Types {
		aligns[i] = tw.AlignLeft
		if isNumericType(t) {
			aligns[i] = tw.AlignRight
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	}
	t := tablewriter.NewTable(w, opts...)
	if !to.noHeader {
		t.Header(res.Columns)
	}
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return 0, err
		}
	}
	if err := t.Render(); err != nil {
		return 0, err
	}
	if !markdown {
		noun := "rows"
		if total == 1 {
			noun = "row"
		}
		if hidden > 0 {
			fmt.Fprintf(w, "(%d %s, %d more rows not shown; .mode csv, .output FILE or -o FILE for all)\n", total, noun, hidden)
		} else {
			fmt.Fprintf(w, "(%d %s)\n", total, noun)
		}
	}
	return total, nil
}
