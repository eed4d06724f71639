package fbsql

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Bind replaces the placeholders of a statement ($1, $2, … or ?) with its
// arguments written as SQL literals. It runs before planning, so a date
// bound to $1 is pushed down to the Graph API exactly as the same date
// written in the text would be. Placeholders inside string literals,
// quoted identifiers and comments are left alone.
func Bind(stmt string, args []any) (string, error) {
	used := map[int]bool{}
	out, err := rewritePlaceholders(stmt, func(n int) (string, error) {
		if n < 1 || n > len(args) {
			return "", fmt.Errorf("placeholder $%d has no value: %d given", n, len(args))
		}
		lit, err := Literal(args[n-1])
		if err != nil {
			return "", fmt.Errorf("value of $%d: %w", n, err)
		}
		used[n] = true
		return lit, nil
	})
	if err != nil {
		return "", err
	}
	if len(used) != len(args) {
		return "", fmt.Errorf("the statement has %d placeholders but %d values were given", len(used), len(args))
	}
	return out, nil
}

// Placeholders is the number of parameters a statement takes: the highest
// $n, or the number of ? placeholders.
func Placeholders(stmt string) int {
	most := 0
	rewritePlaceholders(stmt, func(n int) (string, error) {
		most = max(most, n)
		return "", nil
	})
	return most
}

// rewritePlaceholders replaces each placeholder with sub(its number).
func rewritePlaceholders(stmt string, sub func(n int) (string, error)) (string, error) {
	var b strings.Builder
	nextQ := 0 // ? placeholders count from 1 in order
	dollar, question := false, false
	for i := 0; i < len(stmt); {
		c := stmt[i]
		switch {
		case c == '\'' || c == '"':
			j := skipQuoted(stmt, i, c)
			b.WriteString(stmt[i:j])
			i = j
			continue
		case c == '-' && strings.HasPrefix(stmt[i:], "--"):
			j := strings.IndexByte(stmt[i:], '\n')
			if j < 0 {
				j = len(stmt) - i
			}
			b.WriteString(stmt[i : i+j])
			i += j
			continue
		case c == '/' && strings.HasPrefix(stmt[i:], "/*"):
			j := strings.Index(stmt[i+2:], "*/")
			end := len(stmt)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(stmt[i:end])
			i = end
			continue
		case c == '$' && i+1 < len(stmt) && isDigit(stmt[i+1]) && (i == 0 || !isIdentByte(stmt[i-1])):
			j := i + 1
			for j < len(stmt) && isDigit(stmt[j]) {
				j++
			}
			n, _ := strconv.Atoi(stmt[i+1 : j])
			lit, err := sub(n)
			if err != nil {
				return "", err
			}
			b.WriteString(lit)
			dollar = true
			i = j
			continue
		case c == '?':
			nextQ++
			lit, err := sub(nextQ)
			if err != nil {
				return "", err
			}
			b.WriteString(lit)
			question = true
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	if dollar && question {
		return "", fmt.Errorf("the statement mixes $n and ? placeholders; use one kind")
	}
	return b.String(), nil
}

// skipQuoted returns the index just past the quoted text starting at i;
// a doubled quote character is part of the text.
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool { return c == '_' || isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// Literal writes a Go value as a DuckDB SQL literal: strings quoted,
// numbers as numbers (negative ones in parentheses, so that "-$1" cannot
// become a comment), a time at midnight UTC as a DATE, other times as
// TIMESTAMPTZ, slices as lists.
func Literal(v any) (string, error) {
	if dv, ok := v.(driver.Valuer); ok {
		x, err := dv.Value()
		if err != nil {
			return "", err
		}
		return Literal(x)
	}
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quoteString(x), nil
	case []byte:
		return quoteString(string(x)), nil
	case bool:
		return strings.ToUpper(strconv.FormatBool(x)), nil
	case float64:
		return floatLiteral(x), nil
	case float32:
		return floatLiteral(float64(x)), nil
	case time.Time:
		if x.Location() == time.UTC && x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return "DATE '" + x.Format(time.DateOnly) + "'", nil
		}
		return "TIMESTAMPTZ '" + x.Format(time.RFC3339Nano) + "'", nil
	case Decimal:
		return signed(x.String()), nil
	case *big.Int:
		return signed(x.String()), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return signed(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.String:
		return quoteString(rv.String()), nil
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			p, err := Literal(rv.Index(i).Interface())
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL", nil
		}
		return Literal(rv.Elem().Interface())
	}
	return "", fmt.Errorf("cannot use a %T as a value; use a string, number, bool, time.Time or a slice of them", v)
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func signed(s string) string {
	if strings.HasPrefix(s, "-") {
		return "(" + s + ")"
	}
	return s
}

func floatLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "'NaN'::DOUBLE"
	case math.IsInf(f, 1):
		return "'Infinity'::DOUBLE"
	case math.IsInf(f, -1):
		return "'-Infinity'::DOUBLE"
	}
	return signed(strconv.FormatFloat(f, 'g', -1, 64)) + "::DOUBLE"
}
