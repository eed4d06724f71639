package engine

import (
	"strings"

	"github.com/fbsql/fbsql/planner"
)

// userNames rewrites a DuckDB error about a planned statement so that it
// speaks of the tables the user wrote (insights) rather than the temporary
// tables fbsql loaded (fb_insights_0 AS "insights"), keeping the caret
// under the same character of DuckDB's "LINE n:" excerpt.
func userNames(msg string, st *planner.Statement) string {
	if st == nil || len(st.Scans) == 0 {
		return msg
	}
	type rename struct{ from, to string }
	var renames []rename
	for _, sc := range st.Scans {
		src := sc.Source
		if src == "" {
			src = sc.Temp
		}
		quoted := `"` + strings.ReplaceAll(sc.Alias, `"`, `""`) + `"`
		if sc.Alias == sc.Table.Name {
			renames = append(renames, rename{src + " AS " + quoted, sc.Table.Name})
		}
		renames = append(renames, rename{src, sc.Table.Name})
	}
	lines := strings.Split(msg, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		caret := -1
		if strings.HasPrefix(line, "LINE ") && i+1 < len(lines) {
			caret = strings.IndexByte(lines[i+1], '^')
		}
		shift := 0
		for _, r := range renames {
			for {
				at := strings.Index(line, r.from)
				if at < 0 {
					break
				}
				if caret >= 0 && at < caret-shift {
					shift += len(r.from) - len(r.to)
				}
				line = line[:at] + r.to + line[at+len(r.from):]
			}
		}
		lines[i] = line
		if caret >= 0 && shift != 0 {
			lines[i+1] = strings.Repeat(" ", max(0, caret-shift)) + "^"
			i++
		}
	}
	return strings.Join(lines, "\n")
}
