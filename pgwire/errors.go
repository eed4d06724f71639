package pgwire

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/planner"
)

// pgError is an error with the SQLSTATE the client should see.
type pgError struct {
	code string
	msg  string
}

func (e *pgError) Error() string { return e.msg }

// errorResponse turns an fbsql error into a Postgres ErrorResponse with a
// SQLSTATE a client can branch on: 57014 for a cancelled statement, 42xxx
// for SQL mistakes, 22023 for values fbsql cannot plan, 38000 for Graph
// API failures.
func errorResponse(err error) *pgproto3.ErrorResponse {
	if errors.Is(err, context.Canceled) {
		// What Postgres says, so clients and people recognise it.
		return &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "57014", Message: "canceling statement due to user request"}
	}
	return &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: sqlState(err), Message: err.Error()}
}

func sqlState(err error) string {
	var pe *pgError
	var ple *planner.Error
	var parse *planner.ParseError
	var api *graph.APIError
	var ce *fbsql.ConfigError
	switch {
	case errors.As(err, &pe):
		return pe.code
	case errors.Is(err, context.Canceled):
		return "57014" // query_canceled
	case errors.As(err, &parse):
		return "42601" // syntax_error
	case errors.As(err, &ple) && strings.HasPrefix(ple.Reason, "unknown column"):
		return "42703" // undefined_column
	case errors.As(err, &ple):
		return "22023" // invalid_parameter_value
	case errors.As(err, &api):
		return "38000" // external_routine_exception
	case errors.As(err, &ce):
		return "08004"
	case fbsql.IsQueryError(err):
		msg := err.Error()
		switch {
		case strings.Contains(msg, "Parser Error"):
			return "42601" // syntax_error
		case strings.Contains(msg, "Catalog Error"):
			return "42P01" // undefined_table
		case strings.Contains(msg, "Binder Error"):
			return "42703" // undefined_column
		case strings.Contains(msg, "Conversion Error"):
			return "22P02" // invalid_text_representation
		}
		return "42000"
	}
	return "XX000"
}
