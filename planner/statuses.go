package planner

import (
	"slices"

	"github.com/fbsql/fbsql/fbtables"
)

// The campaigns, adsets and ads edges leave out ARCHIVED and DELETED
// objects unless effective_status names them. So that every spelling of a
// question sees the same rows, a query that reads the status in any other
// way (<>, NOT IN, an OR with another column, status = 'ARCHIVED', a filter
// outside WHERE) asks for every status and lets DuckDB filter; only a query
// that does not read the status at all gets the API's default.

// statusColumn is a table's effective_status column, if its edge takes
// the effective_status parameter.
func statusColumn(t *fbtables.Table) *fbtables.Column {
	for i := range t.Columns {
		if c := &t.Columns[i]; c.Push.Via == fbtables.PushStatus {
			return c
		}
	}
	return nil
}

// readsStatus reports whether a column is one whose value the hidden
// statuses decide: effective_status or the configured status.
func readsStatus(c *fbtables.Column) bool {
	return c.Push.Via == fbtables.PushStatus || c.Name == "status"
}

// statusMentioned reports whether the query reads the scan's status other
// than through the effective_status lists in listed.
func statusMentioned(sb *scanBuild, w *walker, listed map[uintptr]bool) bool {
	inWhere := map[uintptr]bool{}
	mentioned := false
	for _, c := range sb.where {
		visit(c, func(n node) bool {
			if col := scanColumn(n, sb, w); col != nil && readsStatus(col) {
				inWhere[nodeKey(n)] = true
				mentioned = mentioned || !listed[nodeKey(c)]
			}
			return true
		})
	}
	out := outputRefs(sb.sel)
	for _, r := range sb.refs {
		if r.node != nil && readsStatus(r.col) && !inWhere[nodeKey(r.node)] && !out[nodeKey(r.node)] {
			mentioned = true
		}
	}
	return mentioned || filteredOutside(sb, w, readsStatus)
}

// statusParam is the effective_status list an entity scan sends: the
// statuses listed (those the edge takes; noRows when none is), every status
// when the query reads the status otherwise, nil for the API's default.
func statusParam(sb *scanBuild, w *walker, listed []string, conjuncts map[uintptr]bool) (statuses []string, noRows bool) {
	col := statusColumn(sb.table)
	if col == nil {
		return nil, false
	}
	if listed != nil {
		var valid []string
		for _, s := range listed {
			if slices.Contains(col.Push.Values, s) {
				valid = append(valid, s)
			}
		}
		return valid, len(valid) == 0
	}
	if statusMentioned(sb, w, conjuncts) {
		return col.Push.Values, false
	}
	return nil, false
}

// grainStatuses is the effective_status a GrainOnly plan sends: every
// status when the query reads the status at all, so DuckDB does all the
// filtering; the API's default otherwise.
func grainStatuses(sb *scanBuild, w *walker) []string {
	if col := statusColumn(sb.table); col != nil && statusMentioned(sb, w, nil) {
		return col.Push.Values
	}
	return nil
}
