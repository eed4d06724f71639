package sandbox

import (
	"slices"
	"strings"
)

// listAccounts serves GET /me/adaccounts.
func (s *Server) listAccounts(c *call) (any, *apiError) {
	fields, err := entityFields(c.p, levelAccount)
	if err != nil {
		return nil, err
	}
	items := make([]any, len(s.world.accounts))
	for i, a := range s.world.accounts {
		items[i] = a
	}
	return s.page(c, items, fields)
}

// accountNode serves GET /act_{id}.
func (s *Server) accountNode(c *call, a *account) (any, *apiError) {
	fields, err := entityFields(c.p, levelAccount)
	if err != nil {
		return nil, err
	}
	return s.renderEntity(a, fields), nil
}

// routeEntity serves GET /{id} and its edges for campaigns, ad sets and ads.
func (s *Server) routeEntity(c *call, node any, edge string) (any, *apiError) {
	var l level
	var e *entity
	var under func(d *ad) bool
	switch n := node.(type) {
	case *campaign:
		l, e, under = levelCampaign, &n.entity, func(d *ad) bool { return d.camp == n }
	case *adset:
		l, e, under = levelAdset, &n.entity, func(d *ad) bool { return d.set == n }
	case *ad:
		l, e, under = levelAd, &n.entity, func(d *ad) bool { return d == n }
	}
	c.acct = e.acct
	switch {
	case edge == "":
		fields, err := entityFields(c.p, l)
		if err != nil {
			return nil, err
		}
		return s.renderEntity(node, fields), nil
	case edge == "insights":
		return s.insights(c, e.acct, l, under)
	case edge == "adsets" && l == levelCampaign:
		return s.listEntities(c, e.acct, levelAdset, func(x any) bool { return x.(*adset).camp == node })
	case edge == "ads" && l < levelAd:
		return s.listEntities(c, e.acct, levelAd, func(x any) bool { return under(x.(*ad)) })
	}
	return nil, errParam("Tried accessing nonexisting field (%s) on node type (%s)", edge, nodeTypes[l])
}

// listEntities serves the campaigns, adsets and ads edges: effective_status
// (default hides ARCHIVED and DELETED, as the API does), filtering, paging
// and summary=total_count.
func (s *Server) listEntities(c *call, a *account, l level, inScope func(any) bool) (any, *apiError) {
	fields, err := entityFields(c.p, l)
	if err != nil {
		return nil, err
	}
	statuses, err := c.p.list("effective_status")
	if err != nil {
		return nil, err
	}
	for i, st := range statuses {
		if !slices.Contains(effectiveStatuses[l], st) {
			return nil, errParam("Param effective_status[%d] must be one of {%s}", i, joinComma(effectiveStatuses[l]))
		}
	}
	filters, err := parseFiltering(c.p["filtering"], l, false)
	if err != nil {
		return nil, err
	}
	var all []any
	switch l {
	case levelCampaign:
		for _, x := range a.campaigns {
			all = append(all, x)
		}
	case levelAdset:
		for _, x := range a.adsets {
			all = append(all, x)
		}
	case levelAd:
		for _, x := range a.ads {
			all = append(all, x)
		}
	}
	var items []any
	for _, x := range all {
		e := ancestor(x, l)
		switch {
		case inScope != nil && !inScope(x):
		case len(statuses) == 0 && (e.effective == "ARCHIVED" || e.effective == "DELETED"):
		case len(statuses) > 0 && !slices.Contains(statuses, e.effective):
		case !matchEntityFilters(filters, x):
		default:
			items = append(items, x)
		}
	}
	return s.page(c, items, fields)
}

// ancestor returns the entity of x (a campaign, ad set or ad) at level l, or
// nil when x has no ancestor there.
func ancestor(x any, l level) *entity {
	switch n := x.(type) {
	case *campaign:
		if l == levelCampaign {
			return &n.entity
		}
	case *adset:
		switch l {
		case levelCampaign:
			return &n.camp.entity
		case levelAdset:
			return &n.entity
		}
	case *ad:
		switch l {
		case levelCampaign:
			return &n.camp.entity
		case levelAdset:
			return &n.set.entity
		case levelAd:
			return &n.entity
		}
	}
	return nil
}

// matchEntityFilters applies filters; a filter on a level below x (adset.id
// on the campaigns edge) cannot match anything and excludes x.
func matchEntityFilters(fs []filter, x any) bool {
	for i := range fs {
		e := ancestor(x, fs[i].scope)
		if e == nil || !fs[i].matchEntity(e) {
			return false
		}
	}
	return true
}

// page renders one page of entity items with paging and optional summary.
func (s *Server) page(c *call, items []any, fields []string) (any, *apiError) {
	limit, err := c.p.limit(25)
	if err != nil {
		return nil, err
	}
	start, end, err := pageBounds(c.p, len(items), limit)
	if err != nil {
		return nil, err
	}
	data := make([]obj, 0, end-start)
	for _, x := range items[start:end] {
		data = append(data, s.renderEntity(x, fields))
	}
	out := obj{{"data", data}}
	if pg := pagingObj(c, start, end, len(items), limit); pg != nil {
		out = append(out, kv{"paging", pg})
	}
	if wantsSummary(c.p["summary"]) {
		out = append(out, kv{"summary", obj{{"total_count", len(items)}}})
	}
	return out, nil
}

// wantsSummary accepts summary=true (what the SDKs send) or a list naming total_count.
func wantsSummary(v string) bool {
	return v == "true" || v == "1" || strings.Contains(v, "total_count")
}

func joinComma(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
