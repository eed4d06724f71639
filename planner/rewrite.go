package planner

import (
	"fmt"
	"sort"
	"strings"
)

// edit replaces text[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

// renameEdit renames the table reference at pos (its byte offset in text) to
// temp, keeping the name the query uses for it as the alias so qualified
// column references still bind.
func renameEdit(text string, pos int, sb *scanBuild, temp string) (edit, error) {
	if pos < 0 || pos >= len(text) {
		return edit{}, fmt.Errorf("internal: table reference %s has no position", sb.table.Name)
	}
	end := pos + len(sb.table.Name)
	if text[pos] == '"' {
		j := strings.IndexByte(text[pos+1:], '"')
		if j < 0 {
			return edit{}, fmt.Errorf("internal: unterminated identifier at %d", pos)
		}
		end = pos + j + 2
	} else if end > len(text) || !strings.EqualFold(text[pos:end], sb.table.Name) {
		return edit{}, fmt.Errorf("internal: table reference %s not found at offset %d", sb.table.Name, pos)
	}
	repl := temp
	if !sb.hasAlias {
		repl += " AS " + quoteIdent(sb.alias)
	}
	return edit{pos, end, repl}, nil
}

func applyEdits(text string, edits []edit) string {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		text = text[:e.start] + e.repl + text[e.end:]
	}
	return text
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
