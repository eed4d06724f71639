package pgwire

import (
	"regexp"
	"strings"
)

// serverVersion is the Postgres version clients are told; they pick SQL
// features by it, and fbsql's dialect (DuckDB's) is close to Postgres 14+.
const serverVersion = "16.0"

// serverParams are the ParameterStatus values sent at startup and
// answered by SHOW.
func serverParams(app string) [][2]string {
	return [][2]string{
		{"server_version", serverVersion + " (fbsql)"}, {"server_encoding", "UTF8"}, {"client_encoding", "UTF8"},
		{"DateStyle", "ISO, MDY"}, {"TimeZone", "UTC"}, {"integer_datetimes", "on"}, {"IntervalStyle", "postgres"},
		{"standard_conforming_strings", "on"}, {"is_superuser", "off"}, {"application_name", app},
	}
}

// showParams adds what SHOW answers beyond the startup parameters.
var showParams = map[string]string{
	"server_version_num": "160000", "transaction_isolation": "read committed",
	"default_transaction_isolation": "read committed", "transaction_read_only": "on",
	"max_identifier_length": "63", "search_path": "main", "lc_collate": "C", "lc_ctype": "C",
}

var (
	showRe    = regexp.MustCompile(`(?is)^\s*show\s+([a-z_]+|transaction\s+isolation\s+level)\s*;?\s*$`)
	setRe     = regexp.MustCompile(`(?is)^\s*(set|reset)\s+(session\s+|local\s+)?([a-z_]+)`)
	versionRe = regexp.MustCompile(`(?is)^\s*select\s+(pg_catalog\.)?version\(\)\s*;?\s*$`)
	txRe      = regexp.MustCompile(`(?is)^\s*(begin|start\s+transaction|commit|end|rollback|abort|discard\s+all|deallocate\b.*|unlisten\s+\*)\s*(work|transaction)?\s*;?\s*$`)
)

// sessionSettings are Postgres settings clients set on connect; fbsql
// accepts them without effect (its clock is UTC, its strings UTF-8).
var sessionSettings = map[string]bool{
	"application_name": true, "extra_float_digits": true, "datestyle": true, "client_encoding": true,
	"statement_timeout": true, "client_min_messages": true, "intervalstyle": true, "search_path": true,
	"timezone": true, "time": true, "session": true, "lock_timeout": true, "idle_in_transaction_session_timeout": true,
	"bytea_output": true, "standard_conforming_strings": true, "default_transaction_isolation": true,
	"transaction": true, "names": true, "jit": true,
}

// Transaction control changes only what ReadyForQuery reports.
const (
	txSame = iota
	txOpen
	txClosed
)

// intercept answers what clients and BI tools send on connect and fbsql
// has no table for: SELECT version(), SHOW of a server setting, SET of a
// Postgres session setting, and transaction control (fbsql only reads, so
// each statement stands alone). Everything else, including queries of
// information_schema and pg_catalog, goes to the session. It only looks:
// open applies what BEGIN and COMMIT change, when they run.
func (ss *session) intercept(text string) (*result, bool) {
	switch {
	case versionRe.MatchString(text):
		return canned("version", "PostgreSQL "+serverVersion+" (fbsql: SQL over the Facebook Marketing API, on DuckDB)"), true
	case showRe.MatchString(text):
		name := strings.ToLower(showRe.FindStringSubmatch(text)[1])
		if strings.HasPrefix(name, "transaction") { // SHOW TRANSACTION ISOLATION LEVEL, as JDBC asks
			name = "transaction_isolation"
		}
		if v, ok := showParams[name]; ok {
			return canned(name, v), true
		}
		for _, p := range serverParams(ss.app) {
			if strings.EqualFold(p[0], name) {
				return canned(name, p[1]), true
			}
		}
	case setRe.MatchString(text):
		m := setRe.FindStringSubmatch(text)
		if sessionSettings[strings.ToLower(m[3])] {
			return &result{tag: strings.ToUpper(m[1])}, true
		}
	case txRe.MatchString(text):
		word := strings.ToUpper(strings.Fields(text)[0])
		r := &result{tag: word}
		switch word {
		case "BEGIN", "START":
			r.tx, r.tag = txOpen, map[string]string{"BEGIN": "BEGIN", "START": "START TRANSACTION"}[word]
		case "COMMIT", "END":
			r.tx, r.tag = txClosed, "COMMIT"
		case "ROLLBACK", "ABORT":
			r.tx, r.tag = txClosed, "ROLLBACK"
		}
		return r, true
	}
	return nil, false
}

// canned is a one-row, one-column text answer.
func canned(col, val string) *result {
	return &result{cols: []string{col}, types: []string{"VARCHAR"}, canned: [][]any{{val}}}
}
