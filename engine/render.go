package engine

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Formats lists the output formats Render accepts.
var Formats = []string{"table", "csv", "json", "jsonl", "markdown"}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Render writes a result in one of Formats and returns the number of rows.
func Render(w io.Writer, format string, res *Result) (int, error) {
	if res.Plan != nil && res.Plan.Explain {
		return 0, renderExplain(w, format, res)
	}
	switch format {
	case "csv":
		return renderCSV(w, res)
	case "json":
		return renderJSON(w, res, false)
	case "jsonl":
		return renderJSON(w, res, true)
	case "markdown":
		return renderTable(w, res, true)
	case "table", "":
		return renderTable(w, res, false)
	}
	return 0, fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

func renderExplain(w io.Writer, format string, res *Result) error {
	if format == "json" || format == "jsonl" {
		b, err := json.MarshalIndent(res.Plan.JSON(), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := io.WriteString(w, res.Plan.String())
	return err
}

func renderCSV(w io.Writer, res *Result) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return 0, err
	}
	rec := make([]string, len(res.Columns))
	n, err := res.each(func(row []any) error {
		for i, v := range row {
			rec[i] = textValue(v, res.Types[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// each calls fn for every remaining row and counts them.
func (r *Result) each(fn func(row []any) error) (int, error) {
	n := 0
	for {
		row, err := r.Next()
		if err != nil {
			return n, &QueryError{Err: err}
		}
		if row == nil {
			return n, nil
		}
		if err := fn(row); err != nil {
			return n, err
		}
		n++
	}
}

func renderJSON(w io.Writer, res *Result, lines bool) (int, error) {
	written := 0 // rows so far, to choose the separator
	if !lines {
		if _, err := io.WriteString(w, "["); err != nil {
			return 0, err
		}
	}
	n, err := res.each(func(row []any) error {
		var b bytes.Buffer
		b.WriteString("{")
		for i, v := range row {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(res.Columns[i])
			b.Write(k)
			b.WriteString(":")
			val, err := json.Marshal(jsonValue(v, res.Types[i]))
			if err != nil {
				return fmt.Errorf("encode %s: %w", res.Columns[i], err)
			}
			b.Write(val)
		}
		b.WriteString("}")
		prefix, suffix := "", ""
		switch {
		case lines:
			suffix = "\n"
		case written == 0:
			prefix = "\n"
		default:
			prefix = ",\n"
		}
		written++
		_, err := io.WriteString(w, prefix+b.String()+suffix)
		return err
	})
	if err != nil {
		return n, err
	}
	if !lines {
		end := "]\n"
		if n > 0 {
			end = "\n]\n"
		}
		if _, err := io.WriteString(w, end); err != nil {
			return n, err
		}
	}
	return n, nil
}

// nullText is how the table shows NULL, distinct from an empty string.
const nullText = "NULL"

func renderTable(w io.Writer, res *Result, markdown bool) (int, error) {
	var rows [][]string
	if _, err := res.each(func(row []any) error {
		rec := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				rec[i] = nullText
				continue
			}
			rec[i] = textValue(v, res.Types[i])
		}
		rows = append(rows, rec)
		return nil
	}); err != nil {
		return 0, err
	}
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
	t.Header(res.Columns)
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
		if len(rows) == 1 {
			noun = "row"
		}
		fmt.Fprintf(w, "(%d %s)\n", len(rows), noun)
	}
	return len(rows), nil
}
