package planner

import (
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// scanBuild collects what one virtual table reference needs while the AST is
// walked; grain, fields and params are derived from it afterwards.
type scanBuild struct {
	table    *fbtables.Table
	alias    string
	location int // byte offset of the table name in the statement
	hasAlias bool
	refs     []colRef
	refCols  map[uintptr]*fbtables.Column // COLUMN_REF node → the column it reads
	star     bool
	where    []node           // WHERE conjuncts of the SELECT whose FROM holds this reference
	pushed   map[uintptr]bool // column references consumed as request settings
	handled  map[uintptr]bool // WHERE conjuncts pushed to the API → pushed exactly
	sel      node             // the SELECT whose FROM holds this reference
	alone    bool             // that FROM is this reference and nothing else
	scan     *Scan
}

// handle records that a WHERE conjunct was pushed to the API, and whether
// the API applies it exactly (not a superset).
func (sb *scanBuild) handle(c node, exact bool) {
	k := nodeKey(c)
	if prev, seen := sb.handled[k]; seen {
		exact = exact && prev
	}
	sb.handled[k] = exact
}

// allExact reports whether every WHERE conjunct was pushed exactly, so the
// API returns exactly the rows DuckDB would keep.
func (sb *scanBuild) allExact() bool {
	for _, c := range sb.where {
		if exact, ok := sb.handled[nodeKey(c)]; !ok || !exact {
			return false
		}
	}
	return true
}

// colRef is a column reference resolved to a virtual table column.
type colRef struct {
	node node
	col  *fbtables.Column
}

// binding is a name the FROM clause brings into scope.
type binding struct {
	name    string
	sb      *scanBuild      // a virtual table reference
	outputs map[string]bool // known columns of any other relation; nil when unknown
}

// scope is the name environment of one SELECT.
type scope struct {
	parent   *scope
	bindings []*binding
	ctes     map[string]bool
	aliases  map[string]bool
	lambdas  map[string]bool
}

func (s *scope) isCTE(name string) bool {
	for ; s != nil; s = s.parent {
		if s.ctes[name] {
			return true
		}
	}
	return false
}

func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		for _, b := range s.bindings {
			if b.name == name {
				return b
			}
		}
	}
	return nil
}

func (s *scope) isLambda(name string) bool {
	for ; s != nil; s = s.parent {
		if s.lambdas[name] {
			return true
		}
	}
	return false
}

// walker walks one statement's AST, finding virtual table references and
// resolving every column reference to the reference it reads.
type walker struct {
	root     node // the statement's query
	cat      *fbtables.Catalog
	scans    []*scanBuild
	resolved map[uintptr][]*scanBuild // COLUMN_REF node → scans it reads
	opaque   map[uintptr]bool         // COLUMN_REF node that reads something else or is unresolved
	err      error
}

func newWalker(cat *fbtables.Catalog) *walker {
	return &walker{cat: cat, resolved: map[uintptr][]*scanBuild{}, opaque: map[uintptr]bool{}}
}

func (w *walker) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// query walks a query node (SELECT, set operation, recursive CTE).
func (w *walker) query(n node, parent *scope) {
	if n == nil {
		return
	}
	ctes := map[string]bool{}
	sc := &scope{parent: parent, ctes: ctes}
	for _, e := range list(child(n, "cte_map"), "map") {
		entry, _ := e.(node)
		name := strings.ToLower(str(entry, "key"))
		// A CTE body sees the CTEs declared before it (and itself, when recursive).
		ctes[name] = true
		w.query(child(child(child(entry, "value"), "query"), "node"), sc)
	}
	switch str(n, "type") {
	case "SELECT_NODE":
		w.selectNode(n, sc)
	case "SET_OPERATION_NODE":
		for _, c := range list(n, "children") {
			cn, _ := c.(node)
			w.query(cn, sc)
		}
		w.query(child(n, "left"), sc)
		w.query(child(n, "right"), sc)
		w.expr(n["modifiers"], &scope{parent: nil, ctes: ctes}, false)
	case "RECURSIVE_CTE_NODE", "CTE_NODE":
		ctes[strings.ToLower(str(n, "ctename"))] = true
		w.query(child(n, "left"), sc)
		w.query(child(n, "right"), sc)
		w.query(child(n, "query"), sc)
		w.query(child(n, "child"), sc)
	default:
		w.expr(n, sc, false)
	}
}

func (w *walker) selectNode(n node, sc *scope) {
	w.tableRef(child(n, "from_table"), sc)
	sc.aliases = map[string]bool{}
	for _, e := range list(n, "select_list") {
		if en, ok := e.(node); ok && str(en, "alias") != "" {
			sc.aliases[strings.ToLower(str(en, "alias"))] = true
		}
	}
	for key, v := range n {
		switch key {
		case "cte_map", "from_table":
		case "modifiers":
			w.expr(v, sc, true)
		default:
			w.expr(v, sc, false)
		}
	}
	where := conjuncts(child(n, "where_clause"))
	alone := str(child(n, "from_table"), "type") == "BASE_TABLE"
	for _, b := range sc.bindings {
		if b.sb != nil {
			b.sb.where, b.sb.sel, b.sb.alone = where, n, alone
		}
	}
}

// tableRef walks a FROM clause item and adds its bindings to sc.
func (w *walker) tableRef(t node, sc *scope) {
	if t == nil {
		return
	}
	alias := strings.ToLower(str(t, "alias"))
	switch str(t, "type") {
	case "BASE_TABLE":
		name := strings.ToLower(str(t, "table_name"))
		bname := name
		if alias != "" {
			bname = alias
		}
		if tbl, ok := w.cat.Table(name); ok && str(t, "schema_name") == "" && str(t, "catalog_name") == "" && !sc.isCTE(name) {
			sb := &scanBuild{table: tbl, alias: bname, hasAlias: alias != "", location: location(t),
				pushed: map[uintptr]bool{}, handled: map[uintptr]bool{}, refCols: map[uintptr]*fbtables.Column{}}
			w.scans = append(w.scans, sb)
			sc.bindings = append(sc.bindings, &binding{name: bname, sb: sb})
			return
		}
		sc.bindings = append(sc.bindings, &binding{name: bname})
	case "SUBQUERY":
		q := child(child(t, "subquery"), "node")
		w.query(q, &scope{parent: sc.parent, ctes: sc.ctes})
		outputs := queryOutputs(q)
		if outputs != nil {
			for _, a := range list(t, "column_name_alias") {
				if s, ok := a.(string); ok {
					outputs[strings.ToLower(s)] = true
				}
			}
		}
		sc.bindings = append(sc.bindings, &binding{name: alias, outputs: outputs})
	case "JOIN":
		w.tableRef(child(t, "left"), sc)
		w.tableRef(child(t, "right"), sc)
		w.expr(t["condition"], sc, false)
		for _, u := range list(t, "using_columns") {
			if s, ok := u.(string); ok {
				w.resolveName(nil, strings.ToLower(s), sc)
			}
		}
	default:
		// Table functions, VALUES lists, PIVOT: walk their expressions; their
		// columns are unknown to us, so they shadow outer names.
		for key, v := range t {
			if key == "source" {
				if src, ok := v.(node); ok {
					w.tableRef(src, sc)
					continue
				}
			}
			w.expr(v, sc, false)
		}
		sc.bindings = append(sc.bindings, &binding{name: alias})
	}
}

// queryOutputs lists the output column names of a query when they are
// knowable without binding; nil when a star or set operation hides them.
func queryOutputs(q node) map[string]bool {
	if q == nil {
		return nil
	}
	if str(q, "type") == "SET_OPERATION_NODE" {
		return queryOutputs(child(q, "left"))
	}
	if str(q, "type") != "SELECT_NODE" {
		return nil
	}
	out := map[string]bool{}
	for _, e := range list(q, "select_list") {
		en, _ := e.(node)
		switch {
		case str(en, "alias") != "":
			out[strings.ToLower(str(en, "alias"))] = true
		case str(en, "class") == "STAR":
			return nil
		case str(en, "class") == "COLUMN_REF":
			names := columnNames(en)
			out[names[len(names)-1]] = true
		}
	}
	return out
}

// expr walks any part of the AST that is not a FROM clause.
func (w *walker) expr(v any, sc *scope, orderBy bool) {
	switch t := v.(type) {
	case []any:
		for _, c := range t {
			w.expr(c, sc, orderBy)
		}
	case node:
		switch {
		case str(t, "class") == "COLUMN_REF":
			w.columnRef(t, sc, orderBy)
			return
		case str(t, "class") == "STAR" && orderBy && orderByAll(t):
			return // the select list's columns, walked there
		case str(t, "class") == "STAR":
			w.star(t, sc)
			w.expr(t["expr"], sc, orderBy)
			return
		case str(t, "class") == "SUBQUERY":
			w.query(child(child(t, "subquery"), "node"), sc)
			w.expr(t["child"], sc, orderBy)
			return
		case str(t, "class") == "FUNCTION" && takesLambda(str(t, "function_name")):
			for k, v := range t {
				if k != "children" {
					w.expr(v, sc, orderBy)
				}
			}
			for _, c := range list(t, "children") {
				if cn, ok := c.(node); ok && str(cn, "class") == "LAMBDA" {
					w.lambda(cn, sc, orderBy)
				} else {
					w.expr(c, sc, orderBy)
				}
			}
			return
		case str(t, "type") == "SELECT_NODE" || str(t, "type") == "SET_OPERATION_NODE":
			w.query(t, sc)
			return
		}
		for _, c := range t {
			w.expr(c, sc, orderBy)
		}
	}
}

// lambda walks `x -> expr` as a lambda: x names the function's parameter.
// Anywhere else DuckDB reads `->` as the JSON arrow, whose sides are
// ordinary expressions (targeting->'age_max' reads the column targeting),
// which the default walk handles.
func (w *walker) lambda(t node, sc *scope, orderBy bool) {
	inner := &scope{parent: sc, lambdas: map[string]bool{}}
	visit(t["lhs"], func(n node) bool {
		if str(n, "class") == "COLUMN_REF" {
			names := columnNames(n)
			inner.lambdas[names[len(names)-1]] = true
		}
		return true
	})
	w.expr(t["expr"], inner, orderBy)
}

// takesLambda reports whether a function takes a lambda argument (list and
// array functions such as list_transform, and their short names).
func takesLambda(name string) bool {
	name = strings.ToLower(name)
	switch name {
	case "apply", "filter", "reduce":
		return true
	}
	return strings.HasPrefix(name, "list_") || strings.HasPrefix(name, "array_") || strings.HasPrefix(name, "map_")
}

// orderByAll reports whether a star in ORDER BY is ORDER BY ALL (or
// COLUMNS(*), which DuckDB's parser gives alike and binds alike): the
// select list's columns, not every column of the tables, so no column
// of its own to fetch.
func orderByAll(t node) bool {
	return str(t, "relation_name") == "" && t["expr"] == nil && len(list(t, "exclude_list")) == 0 &&
		len(list(t, "qualified_exclude_list")) == 0 && len(list(t, "replace_list")) == 0 && len(list(t, "rename_list")) == 0
}

func (w *walker) star(t node, sc *scope) {
	rel := strings.ToLower(str(t, "relation_name"))
	for _, b := range sc.bindings {
		if b.sb != nil && (rel == "" || rel == b.name) {
			b.sb.star = true
		}
	}
}

func (w *walker) columnRef(n node, sc *scope, orderBy bool) {
	names := columnNames(n)
	if len(names) >= 2 {
		if b := sc.lookup(names[0]); b != nil {
			if b.sb == nil {
				w.opaque[nodeKey(n)] = true
				return
			}
			col, ok := b.sb.table.Column(names[1])
			if !ok || col.Hidden {
				w.fail(w.unknownColumn(b.sb.table, names[1]))
				return
			}
			w.record(n, b.sb, col)
			return
		}
	}
	if orderBy && len(names) == 1 && sc.aliases[names[0]] {
		w.opaque[nodeKey(n)] = true
		return
	}
	w.resolveName(n, names[0], sc)
}

// resolveName attributes an unqualified name to the innermost scope that
// can provide it. Where two virtual references could both provide it, both
// fetch it: a wider fetch is never wrong.
func (w *walker) resolveName(n node, name string, sc *scope) {
	if sc.isLambda(name) {
		w.markOpaque(n)
		return
	}
	for s := sc; s != nil; s = s.parent {
		var hits []*scanBuild
		maybe := false
		for _, b := range s.bindings {
			switch {
			case b.sb != nil:
				if col, ok := b.sb.table.Column(name); ok && !col.Hidden {
					hits = append(hits, b.sb)
					if n != nil {
						w.record(n, b.sb, col)
					} else {
						b.sb.refs = append(b.sb.refs, colRef{col: col})
					}
				}
			case b.outputs == nil || b.outputs[name]:
				maybe = true
			}
		}
		if len(hits) > 0 {
			return
		}
		if maybe {
			w.markOpaque(n)
			return
		}
	}
	w.markOpaque(n)
	w.checkUnknown(name, sc)
}

// checkUnknown reports a name that no relation in scope can provide when
// every relation in scope is a virtual table: a typo, caught before any API
// request is made.
func (w *walker) checkUnknown(name string, sc *scope) {
	if builtinNames[name] {
		return
	}
	var only *scanBuild
	for s := sc; s != nil; s = s.parent {
		if s.aliases[name] || s.lambdas[name] {
			return
		}
		for _, b := range s.bindings {
			if b.sb == nil {
				return
			}
			only = b.sb
		}
	}
	if only != nil {
		w.fail(w.unknownColumn(only.table, name))
	}
}

// unknownColumn explains a name the table lacks; for insights_actions,
// a metric of insights gets its own explanation.
func (w *walker) unknownColumn(t *fbtables.Table, name string) error {
	if ins, ok := w.cat.Table("insights"); ok && t.ActionRows {
		if c, ok := ins.Column(name); ok && !c.Hidden {
			return &Error{Table: t.Name, Column: name,
				Reason: fmt.Sprintf("%s is a column of insights, not of insights_actions", name),
				Hint:   "insights_actions has one row per action, so per-row metrics would count once per action; query insights for " + name + ", or join the two on their ids and date_start"}
		}
	}
	return unknownColumn(t.Name, name, t.Suggest(name))
}

// builtinNames parse as column references but bind to functions.
var builtinNames = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true,
	"localtimestamp": true, "current_user": true, "current_role": true, "session_user": true,
	"user": true, "current_catalog": true, "current_schema": true,
}

func (w *walker) record(n node, sb *scanBuild, col *fbtables.Column) {
	k := nodeKey(n)
	w.resolved[k] = append(w.resolved[k], sb)
	sb.refs = append(sb.refs, colRef{node: n, col: col})
	sb.refCols[k] = col
}

func (w *walker) markOpaque(n node) {
	if n != nil {
		w.opaque[nodeKey(n)] = true
	}
}

// refsIn lists the scans every column reference in e reads; ok is false
// when e reads anything else (another relation, a subquery, an unresolved name).
func (w *walker) refsIn(e node) (scans map[*scanBuild]bool, ok bool) {
	scans = map[*scanBuild]bool{}
	ok = true
	visit(e, func(n node) bool {
		switch str(n, "class") {
		case "SUBQUERY":
			ok = false
			return false
		case "COLUMN_REF":
			k := nodeKey(n)
			if w.opaque[k] {
				if !builtinNames[columnNames(n)[0]] {
					ok = false
				}
				return false
			}
			for _, sb := range w.resolved[k] {
				scans[sb] = true
			}
			return false
		}
		return true
	})
	return scans, ok
}
