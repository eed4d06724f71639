package fbtables

import (
	"fmt"
	"sort"
	"strings"
)

// Kind says what role a column plays, which decides how the planner treats a
// reference to it.
type Kind int

const (
	// KindID is an object id (account_id, campaign_id, …). On insights it
	// sets the level of the rows.
	KindID Kind = iota
	// KindAttribute is a descriptive field (a name, a status, an objective).
	KindAttribute
	// KindMetric is a number the API computes for the row's grain.
	KindMetric
	// KindBreakdown splits insights rows; referencing it adds a breakdown.
	KindBreakdown
	// KindActionList is a list of per-action-type stats (actions, action_values, …).
	KindActionList
	// KindTime is date_start or date_stop: the bounds of a row's time slice.
	KindTime
	// KindOption is a pseudo-column set in WHERE (level, time_increment, …);
	// it is a request option, not data.
	KindOption
	// KindActionKey describes one action of insights_actions: action_type
	// and the action breakdowns (action_device, …); referencing an action
	// breakdown adds it to action_breakdowns.
	KindActionKey
	// KindActionValue is a number of one action: its count, a window's
	// count, or its value.
	KindActionValue
)

var kindNames = [...]string{"id", "attribute", "metric", "breakdown", "action list", "time", "option", "action key", "action value"}

// String names the kind as .schema and errors print it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Level is an insights level: the entity each row describes.
type Level int

const (
	// LevelNone marks columns that do not force a level.
	LevelNone Level = iota
	// LevelAccount is one row per ad account.
	LevelAccount
	// LevelCampaign is one row per campaign.
	LevelCampaign
	// LevelAdset is one row per ad set.
	LevelAdset
	// LevelAd is one row per ad.
	LevelAd
)

var levelNames = [...]string{"", "account", "campaign", "adset", "ad"}

// String gives the API's name for the level ("campaign", …).
func (l Level) String() string { return levelNames[l] }

// ParseLevel reads an API level name.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if i > 0 && n == strings.ToLower(s) {
			return Level(i), true
		}
	}
	return LevelNone, false
}

// LevelNames lists the valid levels, coarsest first, for error messages.
func LevelNames() []string { return levelNames[1:] }

// Column is one column of a virtual table.
type Column struct {
	// Name is the SQL column name; it is the Graph API field name unless Field says otherwise.
	Name string
	// Type is the DuckDB type the column is loaded as.
	Type string
	// Kind is the column's role.
	Kind Kind
	// Field is the API field to request, when it differs from Name.
	Field string
	// Level is the insights level a reference to this column requires (ids and names of entities).
	Level Level
	// Additive is true for metrics whose values sum correctly across rows.
	Additive bool
	// Default columns are what SELECT * returns.
	Default bool
	// MinorUnits marks money the API sends in the currency's minor unit
	// (cents): budgets, balances, bids.
	MinorUnits bool
	// Filter is the `filtering` field the API accepts for this column, if any.
	Filter string
	// Doc is a one-line description for .schema.
	Doc string
	// Since is the first Graph API version that serves the field ("v26.0");
	// empty means every version fbsql supports. NewCatalog fills it from
	// fieldAvailability.
	Since string
	// Until is the first version that no longer serves the field; empty
	// means it is still served.
	Until string
	// Hidden columns are loaded for the table's own use (the action lists
	// behind insights_actions) and cannot be referenced.
	Hidden bool
	// Push is how a WHERE condition on the column reaches the API;
	// NewCatalog fills it from the declarations in pushdown.go.
	Push Push
}

// APIField is the name to put in the `fields` parameter.
func (c *Column) APIField() string {
	if c.Field != "" {
		return c.Field
	}
	return c.Name
}

// Table is one virtual table.
type Table struct {
	// Name is the SQL table name.
	Name string
	// Edge is the Graph API edge under an ad account (act_<id>/<Edge>); empty for the account node itself.
	Edge string
	// Insights marks the insights tables, whose rows follow the grain rule.
	Insights bool
	// ActionRows marks insights_actions: one row per action of each
	// insights row, unnested from the actions list.
	ActionRows bool
	// Doc is a one-line description for .tables.
	Doc string
	// Columns in display order.
	Columns []Column

	byName map[string]int
}

// Column finds a column by name, case-insensitively as DuckDB does.
func (t *Table) Column(name string) (*Column, bool) {
	i, ok := t.byName[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	return &t.Columns[i], true
}

// DefaultColumns are the columns SELECT * returns.
func (t *Table) DefaultColumns() []*Column {
	var out []*Column
	for i := range t.Columns {
		if t.Columns[i].Default {
			out = append(out, &t.Columns[i])
		}
	}
	return out
}

// Suggest returns up to three column names close to name, for "did you mean".
func (t *Table) Suggest(name string) []string {
	var names []string
	for i := range t.Columns {
		if !t.Columns[i].Hidden {
			names = append(names, t.Columns[i].Name)
		}
	}
	return closest(name, names, 3)
}

// Catalog is the set of virtual tables.
type Catalog struct {
	tables []*Table
	byName map[string]*Table
}

// NewCatalog indexes tables and checks every definition, reporting all problems at once.
func NewCatalog(tables ...*Table) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Table{}}
	var problems []string
	for _, t := range tables {
		t.byName = map[string]int{}
		if _, dup := c.byName[t.Name]; dup {
			problems = append(problems, "table "+t.Name+" declared twice")
		}
		c.byName[t.Name] = t
		c.tables = append(c.tables, t)
		defaults := 0
		for i, col := range t.Columns {
			key := strings.ToLower(col.Name)
			if _, dup := t.byName[key]; dup {
				problems = append(problems, fmt.Sprintf("%s.%s declared twice", t.Name, col.Name))
			}
			t.byName[key] = i
			t.Columns[i].Push = pushOf(t, &t.Columns[i])
			if col.Type == "" {
				problems = append(problems, fmt.Sprintf("%s.%s has no type", t.Name, col.Name))
			}
			if col.Doc == "" {
				problems = append(problems, fmt.Sprintf("%s.%s has no doc", t.Name, col.Name))
			}
			if col.MinorUnits && col.Type != Money {
				problems = append(problems, fmt.Sprintf("%s.%s is in minor units but not typed %s", t.Name, col.Name, Money))
			}
			if col.Default {
				defaults++
			}
			if col.Additive && col.Kind != KindMetric && col.Kind != KindActionList && col.Kind != KindActionValue {
				problems = append(problems, fmt.Sprintf("%s.%s is additive but not a metric", t.Name, col.Name))
			}
			if t.Insights && col.Kind == KindBreakdown && !IsBreakdown(col.APIField()) {
				problems = append(problems, fmt.Sprintf("%s.%s is not a known breakdown", t.Name, col.Name))
			}
		}
		if defaults == 0 {
			problems = append(problems, "table "+t.Name+" has no default columns")
		}
	}
	problems = append(problems, applyAvailability(c)...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid catalog: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// Table finds a virtual table by name, case-insensitively.
func (c *Catalog) Table(name string) (*Table, bool) {
	t, ok := c.byName[strings.ToLower(name)]
	return t, ok
}

// Tables lists the tables in declaration order.
func (c *Catalog) Tables() []*Table { return c.tables }

// TableNames lists table names sorted, for messages and completion.
func (c *Catalog) TableNames() []string {
	var out []string
	for _, t := range c.tables {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}

// SuggestTable returns the table name closest to name, or "".
func (c *Catalog) SuggestTable(name string) string {
	if s := closest(name, c.TableNames(), 1); len(s) > 0 {
		return s[0]
	}
	return ""
}

// closest ranks candidates by edit distance to name and keeps those near enough.
func closest(name string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	name = strings.ToLower(name)
	var all []scored
	for _, c := range candidates {
		d := editDistance(name, strings.ToLower(c))
		if len(name) >= 3 && (strings.Contains(strings.ToLower(c), name) || strings.Contains(name, strings.ToLower(c))) {
			d = min(d, 2)
		}
		if d <= max(2, len(name)/3) {
			all = append(all, scored{c, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].s)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
