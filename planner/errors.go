package planner

import (
	"fmt"
	"strings"
)

// ParseError is DuckDB's parser rejecting the SQL.
type ParseError struct {
	Type    string
	Message string
}

func (e *ParseError) Error() string { return "invalid SQL: " + e.Message }

// Error is a query the planner cannot turn into valid API requests: an
// unknown column, a breakdown combination the API rejects, a bad range. It
// names what would be valid.
type Error struct {
	Table  string
	Column string
	Reason string
	Hint   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Table != "" {
		fmt.Fprintf(&b, "%s: ", e.Table)
	}
	b.WriteString(e.Reason)
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

func unknownColumn(table string, col string, suggestions []string) *Error {
	e := &Error{Table: table, Column: col, Reason: fmt.Sprintf("unknown column %q", col)}
	if len(suggestions) > 0 {
		e.Hint = "did you mean " + strings.Join(quoteAll(suggestions), " or ") + "? (.schema " + table + " lists every column)"
	} else {
		e.Hint = ".schema " + table + " lists every column"
	}
	return e
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
