package engine_test

import (
	"fmt"
	"strconv"
)

// The generator's entity family: counts over campaigns, ad sets and ads,
// whose statuses the API hides unless asked for.

// entityQuery draws a count over campaigns, ad sets or ads: statuses
// (which the API hides unless asked for), names, ids and times.
func (g *gen) entityQuery() genQuery {
	q := genQuery{Table: g.pick("campaigns", "adsets", "ads"), Metrics: []string{"count(*)"}}
	dims := []string{"i.effective_status", "i.status", "i.account_id"}
	switch q.Table {
	case "campaigns":
		dims = append(dims, "i.objective")
		if g.chance(0.5) {
			q.Metrics = append(q.Metrics, "sum(i.daily_budget)")
		}
	case "adsets":
		dims = append(dims, "i.campaign_id")
	case "ads":
		dims = append(dims, "i.adset_id")
	}
	for _, d := range dims {
		if g.chance(0.3) {
			q.Dims = append(q.Dims, genDim{SQL: d, Kind: "entity"})
		}
	}
	for n := 1 + g.r.IntN(2); n > 0; n-- {
		q.Where = append(q.Where, g.entityCond(q.Table, 0))
	}
	if g.chance(0.2) {
		q.Wrap = g.pick("sub", "cte")
	}
	return q
}

func (g *gen) entityCond(table string, depth int) genCond {
	statuses := []string{"ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"}
	k := g.r.IntN(10)
	if depth > 1 && k >= 7 {
		k = g.r.IntN(7)
	}
	switch k {
	case 0, 1:
		return genCond{SQL: fmt.Sprintf("i.effective_status IN (%s)", g.some(statuses, 3)), Kind: "entity-status-in"}
	case 2:
		a, b := g.pick(statuses...), g.pick(statuses...)
		return genCond{SQL: fmt.Sprintf("(i.effective_status = '%s' OR i.effective_status = '%s')", a, b), Kind: "entity-status-or"}
	case 3:
		return genCond{SQL: g.pick("i.effective_status = 'active'", "i.status = 'PAUSED'", "i.effective_status NOT IN ('ACTIVE')",
			"i.effective_status <> 'DELETED'", "i.status IN ('ACTIVE', 'ARCHIVED')"), Kind: "entity-status"}
	case 4:
		return genCond{SQL: g.pick("i.name LIKE '%Sale%'", "i.name ILIKE '%retarget%'", "i.name IS NULL", "contains(i.name, 'v1')"), Kind: "entity-name"}
	case 5:
		return genCond{SQL: g.pick(
			fmt.Sprintf("i.updated_time > TIMESTAMP '%s 00:00:00'", "{d:-"+strconv.Itoa(1+g.r.IntN(60))+"}"),
			"i.updated_time >= now() - INTERVAL 7 DAY", "i.created_time < current_date - 30"), Kind: "entity-time"}
	case 6:
		if table == "campaigns" {
			return genCond{SQL: fmt.Sprintf("i.id IN (%s)", g.some(g.v.campaigns, 3)), Kind: "entity-id"}
		}
		a := g.v.accounts[g.r.IntN(len(g.v.accounts))]
		return genCond{SQL: g.pick(fmt.Sprintf("i.account_id = '%s'", a), fmt.Sprintf("i.account_id = 'act_%s'", a)), Kind: "entity-account"}
	default:
		a, b := g.entityCond(table, depth+1), g.entityCond(table, depth+1)
		switch k {
		case 7:
			return genCond{SQL: fmt.Sprintf("(%s OR %s)", a.SQL, b.SQL), Kind: "or(" + a.Kind + "," + b.Kind + ")"}
		case 8:
			return genCond{SQL: fmt.Sprintf("NOT (%s)", a.SQL), Kind: "not(" + a.Kind + ")"}
		default:
			return genCond{SQL: fmt.Sprintf("(%s AND %s)", a.SQL, b.SQL), Kind: "and(" + a.Kind + "," + b.Kind + ")"}
		}
	}
}
