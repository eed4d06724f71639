package planner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Build plans every statement of a script.
func Build(sql string, in Input) (*Plan, error) {
	if err := checkText(sql); err != nil {
		return nil, err
	}
	p := &Plan{}
	for _, st := range splitStatements(sql) {
		s, err := planStatement(st.text, in)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// BuildStatement plans one statement, as SplitStatements returned it: a
// caller that runs a script statement by statement splits it once.
func BuildStatement(text string, in Input) (*Statement, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	return planStatement(strings.TrimSpace(text), in)
}

func checkText(sql string) error {
	switch {
	case !utf8.ValidString(sql):
		return &Error{Reason: "the SQL is not valid UTF-8 text", Hint: "save the file as UTF-8"}
	case strings.IndexByte(sql, 0) >= 0:
		return &Error{Reason: "the SQL contains a NUL byte", Hint: "is this a binary file?"}
	}
	return nil
}

// planStatement plans one statement: find the query in it, walk the query,
// derive each scan's requests, and rename the virtual table references.
func planStatement(text string, in Input) (*Statement, error) {
	st := &Statement{Original: text, SQL: text}
	body := text
	if firstWord(text) == "EXPLAIN" {
		st.Explain = true
		toks := lex(text)
		i := 1
		if len(toks) > 1 && strings.EqualFold(toks[1].text, "ANALYZE") {
			i = 2
		}
		if i >= len(toks) {
			return nil, &Error{Reason: "EXPLAIN needs a statement to explain"}
		}
		body = text[toks[i].start:]
		st.SQL = body
	}
	q, ast, err := findQuery(body, in.Frontend)
	if err != nil {
		return nil, err
	}
	if ast == nil {
		if name := mentionsVirtualTable(body, in); name != "" {
			return nil, &Error{Table: name, Reason: "virtual tables can only be read by a query",
				Hint: "use SELECT, COPY (SELECT …) TO, CREATE TABLE … AS SELECT or INSERT INTO … SELECT"}
		}
		return st, nil
	}
	st.Query = q.start == 0 && q.end == len(body)
	// COPY insights TO, INSERT INTO insights, CREATE TABLE insights AS:
	// the statement names a virtual table outside its query.
	if name := mentionsVirtualTable(body[:q.start], in); name != "" && q.start > 0 {
		return nil, &Error{Table: name, Reason: "virtual tables can only be read by a query",
			Hint: "read it inside the query: COPY (SELECT … FROM " + name + ") TO …, or CREATE TABLE my_copy AS SELECT … FROM " + name}
	}
	w := newWalker(in.Catalog)
	w.root = ast
	w.query(ast, nil)
	if w.err != nil {
		return nil, w.err
	}
	if kind := storedQuery(body[:q.start]); kind != "" && len(w.scans) > 0 {
		name := w.scans[0].table.Name
		return nil, &Error{Table: name, Reason: fmt.Sprintf("a %s cannot read the virtual table %s: it would run later, after the rows fetched for this statement are gone", kind, name),
			Hint: "keep a snapshot with CREATE TABLE my_copy AS SELECT … FROM " + name + ", or repeat the query (a WITH clause) where it is needed"}
	}
	counts := map[string]int{}
	var edits []edit
	for _, sb := range w.scans {
		temp := fmt.Sprintf("fb_%s_%d", sb.table.Name, counts[sb.table.Name])
		counts[sb.table.Name]++
		scan, err := derive(sb, w, in)
		if err != nil {
			return nil, err
		}
		scan.Temp = temp
		st.Scans = append(st.Scans, scan)
		source := temp
		if scan.Table.ActionRows {
			source = actionSource(scan)
		}
		scan.Source = source
		e, err := renameEdit(body, q.start+sb.location, sb, source)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e)
	}
	st.SQL = applyEdits(body, edits)
	return st, nil
}

// findQuery returns the span of the query inside stmt and its AST; a nil AST
// means the statement holds no query (SET, CREATE TABLE t (…), …).
func findQuery(stmt string, fe Frontend) (span, node, error) {
	ast, err := serialize(stmt, fe)
	if err == nil {
		return span{0, len(stmt)}, ast, nil
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Type != "not implemented" {
		return span{}, nil, err
	}
	if !wrapsQuery[firstWord(stmt)] {
		return span{}, nil, nil
	}
	for _, c := range queryCandidates(stmt) {
		if ast, err := serialize(stmt[c.start:c.end], fe); err == nil {
			return c, ast, nil
		}
	}
	return span{}, nil, nil
}

// wrapsQuery are the statements whose inner query the planner plans: COPY
// (q) TO, CREATE TABLE/VIEW … AS q, INSERT INTO t q. Any other statement
// that names a virtual table (DROP TABLE insights) is rejected.
var wrapsQuery = map[string]bool{"COPY": true, "CREATE": true, "INSERT": true}

// serialize parses one statement and returns its query node.
func serialize(sql string, fe Frontend) (node, error) {
	text, err := fe.Serialize(sql)
	if err != nil {
		return nil, err
	}
	root, err := parseAST(text)
	if err != nil {
		return nil, err
	}
	stmts := list(root, "statements")
	if len(stmts) != 1 {
		return nil, &ParseError{Type: "not implemented", Message: "expected one statement"}
	}
	sn, _ := stmts[0].(node)
	return child(sn, "node"), nil
}

// storedQuery names what a CREATE statement stores a query as to run later
// (a view or a macro), or "" when it runs the query now.
func storedQuery(prefix string) string {
	toks := lex(prefix)
	if len(toks) == 0 || !strings.EqualFold(toks[0].text, "CREATE") {
		return ""
	}
	for _, t := range toks[1:] {
		switch strings.ToUpper(t.text) {
		case "VIEW":
			return "view"
		case "MACRO", "FUNCTION":
			return "macro"
		case "AS", "TABLE":
			return ""
		}
	}
	return ""
}

func mentionsVirtualTable(stmt string, in Input) string {
	for _, t := range lex(stmt) {
		name := strings.Trim(strings.ToLower(t.text), `"`)
		if _, ok := in.Catalog.Table(name); ok {
			return name
		}
	}
	return ""
}
