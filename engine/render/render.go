package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/value"
	"github.com/fbsql/fbsql/planner"
)

// Formats lists the output formats Render accepts.
var Formats = []string{"table", "csv", "tsv", "json", "jsonl", "markdown", "line", "chart"}

// Options choose how a result is written.
type Options struct {
	// Format is one of Formats; "" means table.
	Format string
	// MaxRows caps table output (first and last rows, with a visible count
	// of those left out); 0 shows every row. Set it only for a terminal.
	MaxRows int
	// Width is the terminal's width in cells: table columns that do not
	// fit are left out and named in the footer. 0 keeps every column.
	Width int
	// NoHeader leaves out the header line of table, csv and tsv output,
	// for scripts that read only values.
	NoHeader bool
}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Render writes a result and returns the number of rows.
func Render(w io.Writer, res *engine.Result, o Options) (int, error) {
	if res.Plan != nil && res.Plan.Explain {
		return 0, renderExplain(w, o.Format, res)
	}
	switch o.Format {
	case "csv":
		return renderCSV(w, res, ',', !o.NoHeader)
	case "tsv":
		return renderCSV(w, res, '\t', !o.NoHeader)
	case "json":
		return renderJSON(w, res, false)
	case "jsonl":
		return renderJSON(w, res, true)
	case "markdown":
		return renderTable(w, res, tableOptions{markdown: true})
	case "line":
		return renderLine(w, res)
	case "chart":
		return renderChart(w, res)
	case "table", "":
		return renderTable(w, res, tableOptions{maxRows: o.MaxRows, noHeader: o.NoHeader, width: o.Width})
	}
	return 0, fmt.Errorf("unknown format %q; use one of %s", o.Format, strings.Join(Formats, ", "))
}

func renderExplain(w io.Writer, format string, res *engine.Result) error {
	if format == "json" || format == "jsonl" {
		b, err := json.MarshalIndent(struct {
			planner.ExplainJSON
			Cache []string `json:"cache,omitempty"`
		}{res.Plan.JSON(), res.CacheNotes}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if _, err := io.WriteString(w, res.Plan.String()); err != nil {
		return err
	}
	for _, n := range res.CacheNotes {
		if _, err := fmt.Fprintf(w, "%s\n", n); err != nil {
			return err
		}
	}
	return nil
}

// renderCSV writes RFC 4180 records separated by sep (a comma, or a tab
// for tsv), with the column names first when header is set.
func renderCSV(w io.Writer, res *engine.Result, sep rune, header bool) (int, error) {
	cw := csv.NewWriter(w)
	cw.Comma = sep
	if header {
		if err := cw.Write(res.Columns); err != nil {
			return 0, err
		}
	}
	rec := make([]string, len(res.Columns))
	n, err := res.Each(func(row []any) error {
		for i, v := range row {
			rec[i] = value.Text(v, res.Types[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

func renderJSON(w io.Writer, res *engine.Result, lines bool) (int, error) {
	written := 0 // rows so far, to choose the separator
	if !lines {
		if _, err := io.WriteString(w, "["); err != nil {
			return 0, err
		}
	}
	n, err := res.Each(func(row []any) error {
		var b bytes.Buffer
		b.WriteString("{")
		for i, v := range row {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(res.Columns[i])
			b.Write(k)
			b.WriteString(":")
			val, err := json.Marshal(value.JSON(v, res.Types[i]))
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

// formatByExtension maps output file extensions to formats; parquet is not
// rendered here but written by DuckDB (engine.ExecOptions.Parquet).
var formatByExtension = map[string]string{
	".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "markdown",
	".parquet": "parquet", ".txt": "table",
}

// FileExtensions lists the extensions FormatOfFile knows, for messages.
const FileExtensions = ".csv .tsv .json .jsonl .md .parquet .txt"

// FormatOfFile picks the format of an output file from its extension:
// one of Formats, or "parquet"; ok is false when the extension names none.
func FormatOfFile(name string) (format string, ok bool) {
	format, ok = formatByExtension[strings.ToLower(filepath.Ext(name))]
	return format, ok
}
