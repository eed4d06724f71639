package planner

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ParamText renders a parameter value as it is sent: strings as they are,
// fields comma-joined, everything else as compact JSON.
func ParamText(p Param) string {
	switch v := p.Value.(type) {
	case string:
		return v
	case []string:
		if p.Key == "fields" {
			return strings.Join(v, ",")
		}
	}
	b, err := json.Marshal(p.Value)
	if err != nil {
		return fmt.Sprint(p.Value)
	}
	return string(b)
}

// String is the text form EXPLAIN prints and golden tests compare.
func (s *Statement) String() string {
	var b strings.Builder
	for _, sc := range s.Scans {
		fmt.Fprintf(&b, "%s", sc.Table.Name)
		if sc.Alias != sc.Table.Name {
			fmt.Fprintf(&b, " AS %s", sc.Alias)
		}
		fmt.Fprintf(&b, " → %s\n", sc.Temp)
		if sc.Empty {
			fmt.Fprintf(&b, "  no request\n")
		} else {
			fetch := sc.Fetch
			if fetch == "" {
				fetch = "sync, paged"
			}
			fmt.Fprintf(&b, "  GET %s (%s)\n", sc.Path, fetch)
			if sc.Accounts != nil {
				fmt.Fprintf(&b, "    accounts: %s\n", strings.Join(sc.Accounts, ", "))
			}
			for _, p := range sc.Params {
				fmt.Fprintf(&b, "    %s=%s\n", p.Key, ParamText(p))
			}
		}
		if sc.Limit > 0 {
			fmt.Fprintf(&b, "  limit: stop after %d rows per account\n", sc.Limit)
		}
		var cols []string
		for _, c := range sc.Columns {
			cols = append(cols, c.Name)
		}
		fmt.Fprintf(&b, "  columns: %s\n", strings.Join(cols, ", "))
		for _, n := range sc.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
	}
	fmt.Fprintf(&b, "sql: %s\n", s.SQL)
	return b.String()
}

// ExplainJSON is the machine-readable form of EXPLAIN.
type ExplainJSON struct {
	Requests []ExplainRequest `json:"requests"`
	SQL      string           `json:"sql"`
}

// ExplainRequest is one table reference's request in ExplainJSON.
type ExplainRequest struct {
	Table    string         `json:"table"`
	Alias    string         `json:"alias"`
	Temp     string         `json:"temp"`
	Path     string         `json:"path"`
	Accounts []string       `json:"accounts,omitempty"`
	Params   map[string]any `json:"params"`
	Columns  []string       `json:"columns"`
	Limit    int            `json:"limit,omitempty"`
	Async    bool           `json:"async"`
	// NoRequest is set when no day satisfies the date conditions.
	NoRequest bool     `json:"no_request,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// JSON builds the machine-readable EXPLAIN of a statement.
func (s *Statement) JSON() ExplainJSON {
	out := ExplainJSON{Requests: []ExplainRequest{}, SQL: s.SQL}
	for _, sc := range s.Scans {
		r := ExplainRequest{Table: sc.Table.Name, Alias: sc.Alias, Temp: sc.Temp, Path: sc.Path,
			Accounts: sc.Accounts, Params: map[string]any{}, Notes: sc.Notes, Limit: sc.Limit, NoRequest: sc.Empty, Async: sc.Async}
		for _, p := range sc.Params {
			r.Params[p.Key] = ParamText(p)
		}
		for _, c := range sc.Columns {
			r.Columns = append(r.Columns, c.Name)
		}
		out.Requests = append(out.Requests, r)
	}
	return out
}
