package fbtables

// Column constructors keep the table literals short and uniform.

// ActionStatsType is the DuckDB type of an action-stat list: one struct per
// action type, with the default value and one field per attribution window.
const ActionStatsType = `STRUCT(action_type VARCHAR, value DOUBLE, "1d_click" DOUBLE, "7d_click" DOUBLE, "28d_click" DOUBLE, "1d_view" DOUBLE, "7d_view" DOUBLE, "28d_view" DOUBLE)[]`

// Money is how amounts in the account currency are typed.
const Money = "DECIMAL(18,2)"

func idCol(name string, lvl Level, filter, doc string) Column {
	return Column{Name: name, Type: "VARCHAR", Kind: KindID, Level: lvl, Filter: filter, Doc: doc}
}

func attrCol(name, typ string, lvl Level, doc string) Column {
	return Column{Name: name, Type: typ, Kind: KindAttribute, Level: lvl, Doc: doc}
}

func sumCol(name, typ, doc string) Column {
	return Column{Name: name, Type: typ, Kind: KindMetric, Additive: true, Doc: doc}
}

// filterable marks a column the API's `filtering` accepts, under field.
func filterable(c Column, field string) Column {
	c.Filter = field
	return c
}

func rateCol(name, typ, doc string) Column {
	return Column{Name: name, Type: typ, Kind: KindMetric, Doc: doc}
}

func breakdownCol(name, doc string) Column {
	return Column{Name: name, Type: "VARCHAR", Kind: KindBreakdown, Doc: doc}
}

func actionsCol(name string, additive bool, doc string) Column {
	return Column{Name: name, Type: ActionStatsType, Kind: KindActionList, Additive: additive, Doc: doc}
}

func optionCol(name, doc string) Column {
	return Column{Name: name, Type: "VARCHAR", Kind: KindOption, Doc: doc}
}

// defaults marks the named columns as part of SELECT *.
func defaults(cols []Column, names ...string) []Column {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := range cols {
		if want[cols[i].Name] {
			cols[i].Default = true
			delete(want, cols[i].Name)
		}
	}
	if len(want) > 0 {
		panic("defaults names a missing column")
	}
	return cols
}
