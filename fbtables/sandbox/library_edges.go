package sandbox

import (
	"strconv"
	"strings"
	"time"
)

// The library edges of an ad account: adcreatives, adimages, advideos,
// customconversions, customaudiences and activities. They share one
// listing path: fields validated against the node type, filtering on id,
// name and updated/created time where the node has them, limit and cursors.

// fielder is a library object that renders its own fields.
type fielder interface{ field(f string) any }

// libraryEdge describes one edge.
type libraryEdge struct {
	node   string          // node type for "nonexisting field" errors
	valid  map[string]bool // readable fields
	def    []string        // fields when fields= is absent
	items  func(l *library) []fielder
	filter func(x fielder) (id, name string, created, updated time.Time)
}

var libraryEdges = map[string]*libraryEdge{
	"adcreatives": {node: "AdCreative", valid: setOf(creativeFields...), def: []string{"id"},
		items: func(l *library) []fielder { return fielders(l.creatives) },
		filter: func(x fielder) (string, string, time.Time, time.Time) {
			c := x.(*creative)
			return c.id, c.name, c.created, c.created
		}},
	"adimages": {node: "AdImage", valid: setOf("id", "account_id", "hash", "name", "url", "url_128", "permalink_url",
		"width", "height", "original_width", "original_height", "status", "created_time", "updated_time", "creatives",
		"is_associated_creatives_in_adgroups"), def: []string{"hash", "id"},
		items: func(l *library) []fielder { return fielders(l.images) },
		filter: func(x fielder) (string, string, time.Time, time.Time) {
			i := x.(*adImage)
			return i.acct.id + ":" + i.hash, i.name, i.created, i.updated
		}},
	"advideos": {node: "AdVideo", valid: setOf("id", "title", "description", "length", "created_time", "updated_time",
		"source", "picture", "permalink_url", "status", "published", "is_instagram_eligible", "format", "icon",
		"embed_html", "from", "universal_video_id", "thumbnails"), def: []string{"id"},
		items: func(l *library) []fielder { return fielders(l.videos) },
		filter: func(x fielder) (string, string, time.Time, time.Time) {
			v := x.(*adVideo)
			return v.id, v.title, v.created, v.updated
		}},
	"customconversions": {node: "CustomConversion", valid: setOf("id", "account_id", "name", "description",
		"custom_event_type", "rule", "default_conversion_value", "event_source_type", "first_fired_time",
		"last_fired_time", "creation_time", "is_archived", "is_unavailable", "pixel", "retention_days",
		"data_sources", "offline_conversion_data_set", "business", "aggregation_rule"), def: []string{"id"},
		items: func(l *library) []fielder { return fielders(l.conversions) },
		filter: func(x fielder) (string, string, time.Time, time.Time) {
			c := x.(*customConversion)
			return c.id, c.name, c.created, c.lastFired
		}},
	"customaudiences": {node: "CustomAudience", valid: setOf("id", "account_id", "name", "description", "subtype",
		"approximate_count_lower_bound", "approximate_count_upper_bound", "time_created", "time_updated",
		"time_content_updated", "retention_days", "rule", "operation_status", "delivery_status", "data_source",
		"lookalike_spec", "customer_file_source", "is_value_based", "pixel_id", "permission_for_actions",
		"rule_aggregation", "sharing_status", "external_event_source", "lookalike_audience_ids"), def: []string{"id"},
		items: func(l *library) []fielder { return fielders(l.audiences) },
		filter: func(x fielder) (string, string, time.Time, time.Time) {
			a := x.(*customAudience)
			return a.id, a.name, a.created, a.updated
		}},
	"activities": {node: "AdActivity", valid: setOf("event_type", "event_time", "actor_id", "actor_name",
		"application_id", "application_name", "object_id", "object_name", "object_type", "date_time_in_timezone",
		"translated_event_type", "extra_data", "event_category"),
		def:   []string{"actor_id", "actor_name", "application_id", "application_name", "date_time_in_timezone", "event_time", "event_type", "extra_data", "object_id", "object_name", "object_type", "translated_event_type"},
		items: func(l *library) []fielder { return fielders(l.activities) }},
}

func fielders[T fielder](xs []T) []fielder {
	out := make([]fielder, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// listLibrary serves GET /act_{id}/<edge> for a library edge.
func (s *Server) listLibrary(c *call, a *account, e *libraryEdge) (any, *apiError) {
	raw, err := c.p.list("fields")
	if err != nil {
		return nil, err
	}
	fields := e.def
	if len(raw) > 0 {
		fields = nil
		for _, f := range raw {
			if i := strings.IndexAny(f, "{."); i >= 0 {
				f = f[:i]
			}
			if !e.valid[f] {
				return nil, errParam("Tried accessing nonexisting field (%s) on node type (%s)", f, e.node)
			}
			fields = append(fields, f)
		}
		fields = dedupe(fields)
	}
	keep, err := libraryFilter(c.p, e)
	if err != nil {
		return nil, err
	}
	var items []any
	for _, x := range e.items(a.lib) {
		if keep(x) {
			items = append(items, x)
		}
	}
	return s.page(c, items, fields)
}

// libraryFilter builds the row test from filtering (id, name, created_time,
// updated_time) and, for activities, since/until (unix seconds or dates).
func libraryFilter(p params, e *libraryEdge) (func(fielder) bool, *apiError) {
	if e.filter == nil { // activities
		since, err1 := timeParam(p["since"])
		until, err2 := timeParam(p["until"])
		if err1 != nil || err2 != nil {
			return nil, errParam("param since and until must be a unix timestamp or a date (YYYY-MM-DD)")
		}
		if strings.TrimSpace(p["filtering"]) != "" {
			return nil, errParam("Filtering is not supported on the activities edge; use since and until")
		}
		return func(x fielder) bool {
			t := x.(*activity).at
			return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
		}, nil
	}
	fs, err := parseFiltering(p["filtering"], levelAd, false)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.scope != levelAd || f.attr == "effective_status" {
			return nil, errParam("Filtering field '%s' is invalid.", f.attr)
		}
	}
	return func(x fielder) bool {
		id, name, created, updated := e.filter(x)
		ent := &entity{id: id, name: name, created: created, updated: updated}
		for i := range fs {
			if !fs[i].matchEntity(ent) {
				return false
			}
		}
		return true
	}, nil
}

// timeParam reads since/until: unix seconds or YYYY-MM-DD (UTC midnight).
func timeParam(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Parse("2006-01-02", v)
}
