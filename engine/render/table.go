package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/value"
)

// nullText is how the table shows NULL, distinct from an empty string.
const nullText = "NULL"

// tableOptions choose a table's style.
type tableOptions struct {
	markdown bool
	maxRows  int
	noHeader bool
	width    int // the terminal's width; 0 when not on a terminal
}

// renderTable draws a table. With maxRows > 0 only the first and last
// maxRows/2 rows are kept (memory stays bounded too), and a row of dots and
// the footer say how many were left out. With a width, the columns that
// do not fit are left out (the footer names them) instead of wrapping
// every line of the box.
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
			rec[i] = value.Text(v, res.Types[i])
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
	header := res.Columns
	var dropped []string
	if to.width > 0 && !markdown {
		if keep := fittingColumns(header, rows, to.width); keep < len(header) {
			dropped = header[keep:]
			header = header[:keep]
			for i := range rows {
				rows[i] = rows[i][:keep]
			}
		}
	}
	aligns := make([]tw.Align, len(header))
	for i, t := range res.Types[:len(header)] {
		aligns[i] = tw.AlignLeft
		if value.IsNumeric(t) {
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
		t.Header(header)
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
		var notes []string
		if hidden > 0 {
			notes = append(notes, fmt.Sprintf("%d more rows not shown", hidden))
		}
		if len(dropped) > 0 {
			notes = append(notes, fmt.Sprintf("%d more %s not shown: %s", len(dropped), plural(len(dropped), "column", "columns"), strings.Join(dropped, ", ")))
		}
		switch {
		case len(notes) > 0 && len(dropped) > 0:
			fmt.Fprintf(w, "(%d %s, %s; .mode line, .output FILE or -o FILE for all)\n", total, noun, strings.Join(notes, ", "))
		case len(notes) > 0:
			fmt.Fprintf(w, "(%d %s, %s; .mode csv, .output FILE or -o FILE for all)\n", total, noun, notes[0])
		default:
			fmt.Fprintf(w, "(%d %s)\n", total, noun)
		}
	}
	return total, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fittingColumns counts the leading columns whose box fits in width
// cells: each column takes its widest cell plus a space either side and
// a rule. At least one column is always shown.
func fittingColumns(header []string, rows [][]string, width int) int {
	used := 1 // the left rule
	for i, h := range header {
		w := utf8.RuneCountInString(h)
		for _, r := range rows {
			w = max(w, utf8.RuneCountInString(r[i]))
		}
		used += w + 3
		if used > width && i > 0 {
			return i
		}
	}
	return len(header)
}
