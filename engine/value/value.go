package value

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// IsNumeric reports whether a DuckDB type name is a number, for
// right-aligning table columns.
func IsNumeric(t string) bool {
	switch {
	case strings.HasPrefix(t, "DECIMAL"):
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
		"UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE":
		return true
	}
	return false
}

// Text renders a value as text for table, csv and markdown output.
func Text(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case duckdb.Decimal:
		return DecimalText(x)
	case *big.Int:
		return x.String()
	case time.Time:
		return timeText(x, typ)
	case bool:
		return strconv.FormatBool(x)
	case []any, map[string]any, duckdb.Map:
		b, err := json.Marshal(JSON(x, ""))
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// timeLayouts are the layouts of each time type: as tables show it (like
// DuckDB) and as ISO 8601 for JSON (2023-10-01T20:42:43Z, the form JSON
// readers parse; fractions of a second only when present).
var timeLayouts = map[string][2]string{
	"DATE":                     {time.DateOnly, time.DateOnly},
	"TIME":                     {"15:04:05", "15:04:05.999999"},
	"TIMESTAMPTZ":              {"2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05.999999Z07:00"},
	"TIMESTAMP WITH TIME ZONE": {"2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05.999999Z07:00"},
	"":                         {time.DateTime, "2006-01-02T15:04:05.999999"},
}

func timeText(t time.Time, typ string) string { return t.Format(layout(typ)[0]) }

func isoTime(t time.Time, typ string) string { return t.Format(layout(typ)[1]) }

func layout(typ string) [2]string {
	if l, ok := timeLayouts[typ]; ok {
		return l
	}
	return timeLayouts[""]
}

// JSON converts a scanned value to what encoding/json writes with the
// right JSON type: numbers as numbers (exact decimals), dates as strings,
// lists as arrays, structs as objects.
func JSON(v any, typ string) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(DecimalText(x))
	case *big.Int:
		return json.Number(x.String())
	case float64:
		if x != x || x > 1.7e308 || x < -1.7e308 { // NaN and infinities are not JSON
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case time.Time:
		return isoTime(x, typ)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSON(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSON(e, "")
		}
		return out
	case duckdb.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = JSON(e, "")
		}
		return out
	case []byte:
		return string(x)
	}
	return v
}

// DecimalText prints a DECIMAL with exactly its scale's digits (12.50, not
// 12.5), as DuckDB itself does.
func DecimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	neg := d.Value.Sign() < 0
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits
}
