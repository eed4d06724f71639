package pgwire

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fbsql/fbsql"
)

// prepared is a parsed statement: its text and parameter types. fbsql
// plans it only when it is bound, so that the values push down.
type prepared struct {
	text   string
	params []uint32 // Postgres types of $1, $2, …
	duck   []string // their DuckDB types, as inferred ("" unknown)
}

// portal is a bound statement and, once it runs, its rows.
type portal struct {
	stmt    *prepared
	text    string  // with the parameters written in as literals
	formats []int16 // result formats asked for
	res     *result
	done    bool
}

func (ss *session) parse(ctx context.Context, m *pgproto3.Parse) {
	text := strings.TrimSpace(m.Query)
	p := &prepared{text: text}
	if _, canned := ss.intercept(text); !canned && text != "" {
		duck, err := ss.db.ParamTypes(ctx, text)
		if err != nil && !fbsql.IsQueryError(err) {
			ss.failExtended(err)
			return
		}
		p.duck = duck // a statement DuckDB cannot bind is reported when it runs
	}
	n := max(len(p.duck), len(m.ParameterOIDs), fbsql.Placeholders(text))
	for i := range n {
		var oid uint32
		if i < len(m.ParameterOIDs) {
			oid = m.ParameterOIDs[i]
		}
		if oid == 0 && i < len(p.duck) {
			oid = oidForParam(p.duck[i])
		}
		if oid == 0 {
			oid = oidForParam("")
		}
		p.params = append(p.params, oid)
	}
	if m.Name != "" {
		if _, taken := ss.stmts[m.Name]; taken {
			ss.failExtended(&pgError{code: "42P05", msg: fmt.Sprintf("prepared statement %q already exists", m.Name)})
			return
		}
	}
	ss.stmts[m.Name] = p
	ss.be.Send(&pgproto3.ParseComplete{})
}

func (ss *session) bind(m *pgproto3.Bind) {
	p, ok := ss.stmts[m.PreparedStatement]
	if !ok {
		ss.failExtended(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement)})
		return
	}
	if len(m.Parameters) != len(p.params) {
		ss.failExtended(&pgError{code: "08P01", msg: fmt.Sprintf("bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, len(p.params))})
		return
	}
	args := make([]any, len(m.Parameters))
	for i, src := range m.Parameters {
		v, err := ss.decodeParam(p.params[i], format(m.ParameterFormatCodes, i), src)
		if err != nil {
			ss.failExtended(err)
			return
		}
		args[i] = v
	}
	text, err := fbsql.Bind(p.text, args)
	if err != nil {
		ss.failExtended(&pgError{code: "08P01", msg: err.Error()})
		return
	}
	if old := ss.portals[m.DestinationPortal]; old != nil && old.res != nil {
		old.res.close()
	}
	ss.portals[m.DestinationPortal] = &portal{stmt: p, text: text, formats: m.ResultFormatCodes}
	ss.be.Send(&pgproto3.BindComplete{})
}

func (ss *session) describe(ctx context.Context, m *pgproto3.Describe) {
	if m.ObjectType == 'S' {
		p, ok := ss.stmts[m.Name]
		if !ok {
			ss.failExtended(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.Name)})
			return
		}
		ss.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: p.params})
		cols, types := ss.describeStatement(ctx, p)
		if len(cols) == 0 {
			ss.be.Send(&pgproto3.NoData{})
			return
		}
		fields, _ := ss.fields(&result{cols: cols, types: types}, nil)
		ss.be.Send(&pgproto3.RowDescription{Fields: fields})
		return
	}
	pt, ok := ss.portals[m.Name]
	if !ok {
		ss.failExtended(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Name)})
		return
	}
	if err := ss.start(ctx, pt); err != nil {
		ss.failExtended(err)
		return
	}
	if len(pt.res.cols) == 0 {
		ss.be.Send(&pgproto3.NoData{})
		return
	}
	fields, err := ss.fields(pt.res, pt.formats)
	if err != nil {
		ss.failExtended(err)
		return
	}
	ss.be.Send(&pgproto3.RowDescription{Fields: fields})
}

// describeStatement tells the result columns of a statement before its
// parameters are known: it binds a sample value of each parameter's type
// and plans the statement without fetching. When that fails the client is
// told nothing (NoData) and learns the columns when the portal runs.
func (ss *session) describeStatement(ctx context.Context, p *prepared) (cols, types []string) {
	if r, ok := ss.intercept(p.text); ok {
		return r.cols, r.types
	}
	args := make([]any, len(p.params))
	for i := range args {
		duck := ""
		if i < len(p.duck) {
			duck = p.duck[i]
		}
		args[i] = sampleValue(duck)
	}
	text, err := fbsql.Bind(p.text, args)
	if err != nil {
		return nil, nil
	}
	cols, types, err = ss.db.Describe(ctx, text)
	if err != nil {
		return nil, nil
	}
	return cols, types
}

// sampleValue is a value of a DuckDB type that any plan accepts: today for
// dates (a range inside what the API serves), zero, an empty string.
func sampleValue(duck string) any {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	switch duck {
	case "DATE":
		return today
	case "TIMESTAMPTZ", "TIMESTAMP":
		return today.Add(time.Hour)
	case "BIGINT", "INTEGER":
		return 0
	case "DOUBLE", "DECIMAL":
		return 0.0
	case "BOOLEAN":
		return false
	}
	return ""
}

// start runs a portal's statement if it is not running yet.
func (ss *session) start(ctx context.Context, pt *portal) error {
	if pt.res != nil || pt.done {
		return nil
	}
	res, err := ss.open(ctx, pt.text)
	if err != nil {
		return err
	}
	pt.res = res
	return nil
}

func (ss *session) execute(ctx context.Context, m *pgproto3.Execute) {
	pt, ok := ss.portals[m.Portal]
	if !ok {
		ss.failExtended(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Portal)})
		return
	}
	if pt.done {
		ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 0")})
		return
	}
	if err := ss.start(ctx, pt); err != nil {
		ss.failExtended(err)
		return
	}
	limit := 0
	if m.MaxRows > 0 {
		limit = pt.res.n + int(m.MaxRows)
	}
	more, err := ss.sendRows(pt.res, pt.formats, limit)
	if err != nil {
		pt.res.close()
		pt.res, pt.done = nil, true
		ss.failExtended(err)
		return
	}
	if more {
		ss.be.Send(&pgproto3.PortalSuspended{})
		return
	}
	err = pt.res.close()
	tag := pt.res.commandTag()
	pt.res, pt.done = nil, true
	if err != nil {
		ss.failExtended(err)
		return
	}
	ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

func (ss *session) closeObject(m *pgproto3.Close) {
	if m.ObjectType == 'S' {
		delete(ss.stmts, m.Name)
	} else if pt := ss.portals[m.Name]; pt != nil {
		if pt.res != nil {
			pt.res.close()
		}
		delete(ss.portals, m.Name)
	}
	ss.be.Send(&pgproto3.CloseComplete{})
}

// closePortals ends every portal: outside an explicit transaction,
// Postgres drops them at Sync.
func (ss *session) closePortals() {
	for name, pt := range ss.portals {
		if pt.res != nil {
			pt.res.close()
		}
		delete(ss.portals, name)
	}
}

// failExtended reports an error and skips the rest of the batch until
// Sync.
func (ss *session) failExtended(err error) {
	ss.fail(err)
	ss.skipToSync = true
}
