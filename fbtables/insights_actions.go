package fbtables

// actionKeys are the columns that identify one action: action_type and the
// action breakdowns the API can add (reference §2.3 ActionBreakdowns).
var actionKeys = []struct{ name, doc string }{
	{"action_type", "what the person did: link_click, purchase, lead, …"},
	{"action_device", "device the action happened on"},
	{"action_destination", "where the action took the person"},
	{"action_target_id", "id of the object the action targeted"},
	{"action_reaction", "reaction type, for post_reaction"},
	{"action_video_type", "video play type, for video actions"},
	{"action_video_sound", "sound on or off, for video views"},
	{"action_carousel_card_id", "carousel card the action came from"},
	{"action_carousel_card_name", "name of that carousel card"},
	{"action_canvas_component_name", "Instant Experience component"},
}

// ActionWindows are the attribution windows insights_actions has a column
// for; referencing one asks the API for it.
var ActionWindows = []string{"1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view"}

// InsightsActions is the long form of insights: one row per action of each
// insights row, with action_type and the action breakdowns as columns, so
// `SELECT action_type, sum(value) … GROUP BY 1` just works. Metrics of the
// insights row (spend, impressions) are not repeated here: summed over
// actions they would count many times.
func InsightsActions() *Table {
	var cols []Column
	for _, c := range Insights().Columns {
		switch c.Kind {
		case KindID, KindBreakdown, KindTime, KindOption:
		case KindAttribute:
			if c.Level == LevelNone {
				continue
			}
		default:
			continue
		}
		c.Default = c.Name == "account_id" || c.Name == "date_start" || c.Name == "date_stop"
		cols = append(cols, c)
	}
	for _, k := range actionKeys {
		cols = append(cols, Column{Name: k.name, Type: "VARCHAR", Kind: KindActionKey, Default: k.name == "action_type", Doc: k.doc})
	}
	cols = append(cols, Column{Name: "value", Type: "DOUBLE", Kind: KindActionValue, Additive: true, Default: true,
		Doc: "number of actions, under the attribution setting in force (Ads Manager's default)"})
	for _, w := range ActionWindows {
		cols = append(cols, Column{Name: w, Type: "DOUBLE", Kind: KindActionValue, Additive: true,
			Doc: "number of actions attributed within " + w})
	}
	cols = append(cols,
		Column{Name: "action_value", Type: "DOUBLE", Kind: KindActionValue, Additive: true,
			Doc: "value of these actions (from action_values), e.g. purchase revenue"},
		Column{Name: "actions", Field: "actions", Type: "JSON", Kind: KindActionList, Hidden: true, Doc: "the actions list the rows unnest"},
		Column{Name: "action_values", Field: "action_values", Type: "JSON", Kind: KindActionList, Hidden: true, Doc: "the action_values list action_value reads"},
	)
	return &Table{Name: "insights_actions", Edge: "insights", Insights: true, ActionRows: true,
		Doc: "one row per action (action_type, action breakdowns) of each insights row", Columns: cols}
}
