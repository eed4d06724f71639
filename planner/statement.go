package planner

import (
	"strings"
	"unicode"
)

// token is a lexical unit of SQL text: enough to split statements, find an
// inner query and match parentheses, without parsing SQL (DuckDB does that).
type token struct {
	text  string
	start int // byte offset
	depth int // parenthesis depth before the token
}

// lex breaks sql into tokens, skipping comments and keeping string literals
// and quoted identifiers whole so that their contents never count as
// keywords, semicolons or parentheses.
func lex(sql string) []token {
	var out []token
	depth := 0
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				// An unterminated comment: keep it as a token so the
				// statement is not silently empty and DuckDB reports it.
				return append(out, token{sql[i:], i, depth})
			}
			i += j + 4
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote escapes itself
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(sql))
			out = append(out, token{sql[i:end], i, depth})
			i = end
		case c == '(':
			out = append(out, token{"(", i, depth})
			depth++
			i++
		case c == ')':
			depth--
			out = append(out, token{")", i, depth})
			i++
		case unicode.IsSpace(rune(c)):
			i++
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			out = append(out, token{sql[i:j], i, depth})
			i = j
		default:
			out = append(out, token{sql[i : i+1], i, depth})
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

// stmtText is one statement of a script and where it starts in the script.
type stmtText struct {
	text   string
	offset int
}

// SplitStatements splits a script on semicolons outside strings, comments
// and parentheses, dropping empty statements.
func SplitStatements(sql string) []string {
	var out []string
	for _, s := range splitStatements(sql) {
		out = append(out, s.text)
	}
	return out
}

func splitStatements(sql string) []stmtText {
	var out []stmtText
	start := 0
	emit := func(end int) {
		text := sql[start:end]
		trimmed := strings.TrimSpace(text)
		if len(lex(trimmed)) > 0 {
			lead := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
			out = append(out, stmtText{trimmed, start + lead})
		}
	}
	for _, t := range lex(sql) {
		if t.text == ";" && t.depth == 0 {
			emit(t.start)
			start = t.start + 1
		}
	}
	emit(len(sql))
	return out
}

// Complete reports whether sql ends with a semicolon outside strings,
// comments and parentheses: the REPL reads lines until it does.
func Complete(sql string) bool {
	toks := lex(sql)
	return len(toks) > 0 && toks[len(toks)-1].text == ";" && toks[len(toks)-1].depth == 0
}

// span is a byte range of a statement.
type span struct{ start, end int }

// queryCandidates lists spans that may hold the query inside a statement
// that is not itself a SELECT (COPY (q) TO, CREATE TABLE t AS q, INSERT INTO
// t q, EXPLAIN q): each parenthesised group and each tail that starts with a
// query keyword. The caller keeps the first one DuckDB's parser accepts.
func queryCandidates(stmt string) []span {
	toks := lex(stmt)
	var out []span
	for i, t := range toks {
		switch strings.ToUpper(t.text) {
		case "(":
			for _, u := range toks[i+1:] {
				if u.text == ")" && u.depth == t.depth {
					out = append(out, span{t.start + 1, u.start})
					break
				}
			}
		case "SELECT", "WITH", "FROM", "VALUES":
			if i == 0 {
				continue
			}
			end := len(stmt)
			for _, u := range toks[i+1:] {
				if u.depth < t.depth {
					end = u.start
					break
				}
			}
			out = append(out, span{t.start, end})
		}
	}
	return out
}

// firstWord is the statement's first keyword, upper-cased.
func firstWord(stmt string) string {
	toks := lex(stmt)
	if len(toks) == 0 {
		return ""
	}
	return strings.ToUpper(toks[0].text)
}
