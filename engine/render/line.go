package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/value"
)

// renderLine writes one "column = value" line per column and a blank line
// between rows, like the DuckDB and sqlite3 shells' line mode: wide rows
// stay readable on a narrow terminal.
func renderLine(w io.Writer, res *engine.Result) (int, error) {
	width := 0
	for _, c := range res.Columns {
		width = max(width, utf8.RuneCountInString(c))
	}
	return res.Each(func(row []any) error {
		var b strings.Builder
		for i, v := range row {
			val := nullText
			if v != nil {
				val = value.Text(v, res.Types[i])
			}
			pad := width - utf8.RuneCountInString(res.Columns[i])
			fmt.Fprintf(&b, "%s%s = %s\n", strings.Repeat(" ", pad), res.Columns[i], val)
		}
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	})
}
