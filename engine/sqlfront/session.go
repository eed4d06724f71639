package sqlfront

import (
	"context"
	"database/sql"
	"time"
)

// Session is the planner's Frontend for one statement of an engine:
// DuckDB's parser, with the days a query wants evaluated in the user's
// session (its TimeZone, variables and macros), as the statement itself
// will be.
type Session struct {
	*Frontend
	Ctx  context.Context
	Conn *sql.Conn
}

// Days runs a calendar query of the planner in the user's session.
func (s Session) Days(query string) ([]time.Time, []int, error) {
	return queryDays(s.Ctx, s.Conn, query)
}
