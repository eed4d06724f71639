package planner

import (
	"time"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// Frontend is DuckDB's parser, as the planner needs it. The engine provides
// the implementation; the planner never opens a database itself.
type Frontend interface {
	// Serialize returns json_serialize_sql(sql): the AST of SELECT
	// statements, or a JSON object with "error": true.
	Serialize(sql string) (string, error)
	// Deserialize returns json_deserialize_sql(ast): SQL text for an AST.
	Deserialize(ast string) (string, error)
	// EvalTimestamp evaluates a constant SQL expression as a TIMESTAMP.
	EvalTimestamp(expr string) (time.Time, error)
	// Days runs a query whose rows are (DATE, INTEGER) and returns its
	// columns, a NULL date as the zero time. The engine runs it in the user's session, so its TimeZone,
	// variables and macros are the ones the statement will see.
	Days(query string) ([]time.Time, []int, error)
}

// Input is everything a plan depends on besides the SQL text.
type Input struct {
	// Catalog is the set of virtual tables.
	Catalog *fbtables.Catalog
	// Frontend reads SQL.
	Frontend Frontend
	// Today is the current date in the accounts' reporting time zone.
	Today time.Time
	// Now is the current instant, which now() and current_date stand for
	// when the planner decides the days a query wants; zero means noon
	// UTC of Today.
	Now time.Time
	// AttributionWindows is the action_attribution_windows used when a
	// query does not set the attribution_windows option ("" = the API's default).
	AttributionWindows string
	// APIVersion is the Graph API version requests go to; a column the
	// version lacks is an error before any request. "" skips the check.
	APIVersion string
	// GrainOnly pushes only what the grain requires: options, the time
	// range when it is exactly the days wanted (otherwise the widest window,
	// daily), and no filtering, statuses, accounts, sort or limit. DuckDB
	// then applies every predicate itself. It exists as the reference a
	// differential test compares full pushdown with; the default (false)
	// pushes everything that is safe.
	GrainOnly bool
}

// Plan is the planned form of a script: one entry per statement.
type Plan struct {
	Statements []*Statement
}

// Statement is one planned statement.
type Statement struct {
	// Original is the statement as written.
	Original string
	// SQL is what DuckDB runs: the original (for EXPLAIN, the statement
	// explained) with each virtual table reference renamed to the temporary
	// table its Scan loads.
	SQL string
	// Explain is true for EXPLAIN statements: print the plan, run nothing.
	Explain bool
	// Query is true when the statement is a query that returns rows (a
	// SELECT, not COPY or CREATE … AS).
	Query bool
	// Scans are the virtual table references, in order of appearance.
	Scans []*Scan
}

// Scan is one reference to a virtual table and the API requests that fill it.
type Scan struct {
	// Table is the virtual table referenced.
	Table *fbtables.Table
	// Alias is the name the query uses for the reference.
	Alias string
	// Temp is the DuckDB table the fetched rows are loaded into.
	Temp string
	// Source is the text that replaced the table reference in SQL: Temp,
	// or for insights_actions a subquery that unnests Temp's actions.
	Source string
	// Columns are the columns loaded into Temp, in order.
	Columns []*fbtables.Column
	// Options holds the effective value of each option (level,
	// time_increment, …), normalized as the API takes it.
	Options map[string]string
	// OptionText is the value each option column holds when loaded: the
	// literal the query compared it with, so that DuckDB's re-check of
	// `level = 'Campaign'` is true; the effective value otherwise.
	OptionText map[string]string
	// Accounts restricts the accounts queried (bare ids); nil means all selected accounts.
	Accounts []string
	// Path is the request path with {account} standing for each account id.
	Path string
	// Params are the request parameters, in a stable order.
	Params graph.ParamList
	// Limit, when positive, stops paging after that many rows per account.
	Limit int
	// Empty is set when no day satisfies the date conditions: no request
	// is sent and the table stays empty.
	Empty bool
	// ActionColumns are the insights_actions columns read from each action
	// of the loaded actions list (action_type, action breakdowns, counts).
	ActionColumns []*fbtables.Column
	// Notes explain choices a user should know about (defaults applied, predicates kept local).
	Notes []string
	// Fetch says how the engine will send the request, when it has said (EXPLAIN): e.g.
	// "async report run"; empty means one sync, paged read per account.
	Fetch string
	// Async is set when the engine will run it as async report runs.
	Async bool
}

// Param is one API request parameter: the Graph client's own type, so a
// scan's parameters reach the client as planned. Value is a string,
// []string (fields, comma-joined), or a value the client JSON-encodes.
type Param = graph.Param

// Param returns the value of a parameter, if set.
func (s *Scan) Param(key string) (any, bool) { return s.Params.Get(key) }
