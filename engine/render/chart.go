package render

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/value"
)

// chartWidth is the length of the longest bar, in terminal cells.
const chartWidth = 50

// maxChartRows bounds a chart: past it a terminal chart stops being readable.
const maxChartRows = 200

// eighths are the partial blocks that give bars 1/8-cell resolution.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// renderChart draws a horizontal bar chart of a (label, number) or
// (date, number) result: a trend or a top-10 without leaving the shell.
func renderChart(w io.Writer, res *engine.Result) (int, error) {
	if len(res.Columns) != 2 || !value.IsNumeric(res.Types[1]) {
		return 0, fmt.Errorf("a chart needs two columns, a label or date and then a number; this result has %s",
			describeColumns(res))
	}
	type bar struct {
		label string
		value float64
		text  string
	}
	var bars []bar
	n, err := res.Each(func(row []any) error {
		if len(bars) == maxChartRows {
			return fmt.Errorf("a chart shows at most %d rows; add a LIMIT or aggregate further", maxChartRows)
		}
		b := bar{label: nullText, text: nullText}
		if row[0] != nil {
			b.label = value.Text(row[0], res.Types[0])
		}
		if row[1] != nil {
			b.text = value.Text(row[1], res.Types[1])
			fmt.Sscan(b.text, &b.value)
		}
		bars = append(bars, b)
		return nil
	})
	if err != nil {
		return n, err
	}
	labelW, peak := utf8.RuneCountInString(res.Columns[0]), 0.0
	for _, b := range bars {
		labelW = max(labelW, utf8.RuneCountInString(b.label))
		peak = math.Max(peak, math.Abs(b.value))
	}
	fmt.Fprintf(w, "%s  %s\n", pad(res.Columns[0], labelW), res.Columns[1])
	for _, b := range bars {
		cells := 0.0
		if peak > 0 {
			cells = math.Abs(b.value) / peak * chartWidth
		}
		whole := int(cells)
		barText := strings.Repeat("█", whole) + eighths[int((cells-float64(whole))*8)]
		if b.value < 0 {
			barText = "-" + barText
		}
		fmt.Fprintf(w, "%s  %s %s\n", pad(b.label, labelW), barText, b.text)
	}
	return n, nil
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

func describeColumns(res *engine.Result) string {
	var parts []string
	for i, c := range res.Columns {
		parts = append(parts, c+" "+res.Types[i])
	}
	return strings.Join(parts, ", ")
}
