package sandbox

import (
	"fmt"
	"sort"
	"time"
)

// The account activity log (GET /act_{id}/activities): object creations at
// the objects' created times and a stream of edits over the last six months,
// newest first, as the API lists them.

type activity struct {
	acct                               *account
	eventType, translated, objectType  string
	objectID, objectName               string
	actorID, actorName, appID, appName string
	at                                 time.Time
	extra                              string // JSON text; the API sends extra_data as a string
}

var actors = []struct{ id, name string }{
	{"100000000000042", "Sandbox User"}, {"100000000000077", "Jordan Lee"}, {"100000000000093", "Priya Raman"}}

var apps = []struct{ id, name string }{
	{"119211728144504", "Ads Manager"}, {"119211728144504", "Ads Manager"}, {"436761779744620", "Marketing API"},
	{"1479723375646806", "Automated Rules"}}

// editKinds are the edits drawn for the recent months, by object kind.
var editKinds = []struct{ event, translated, objectType string }{
	{"update_campaign_budget", "Campaign budget updated", "CAMPAIGN"},
	{"update_campaign_run_status", "Campaign status updated", "CAMPAIGN"},
	{"update_campaign_name", "Campaign name updated", "CAMPAIGN"},
	{"update_ad_set_budget", "Ad set budget updated", "AD_SET"},
	{"update_ad_set_run_status", "Ad set status updated", "AD_SET"},
	{"update_ad_set_target_spec", "Ad set targeting updated", "AD_SET"},
	{"update_ad_set_bid_strategy", "Ad set bid strategy updated", "AD_SET"},
	{"update_ad_run_status", "Ad status updated", "AD"},
	{"update_ad_creative", "Ad creative updated", "AD"},
	{"create_ad", "Ad created", "AD"},
}

func newActivities(a *account, next func() uint64, today time.Time) []*activity {
	var out []*activity
	add := func(ev *activity) {
		actor := actors[next()%uint64(len(actors))]
		app := apps[next()%uint64(len(apps))]
		ev.acct, ev.actorID, ev.actorName, ev.appID, ev.appName = a, actor.id, actor.name, app.id, app.name
		out = append(out, ev)
	}
	for _, c := range a.campaigns {
		add(&activity{eventType: "create_campaign_group", translated: "Campaign created", objectType: "CAMPAIGN",
			objectID: c.id, objectName: c.name, at: c.created, extra: `{}`})
	}
	for _, s := range a.adsets {
		add(&activity{eventType: "create_ad_set", translated: "Ad set created", objectType: "AD_SET",
			objectID: s.id, objectName: s.name, at: s.created, extra: `{}`})
	}
	for _, d := range a.ads {
		add(&activity{eventType: "create_ad", translated: "Ad created", objectType: "AD",
			objectID: d.id, objectName: d.name, at: d.created, extra: `{}`})
	}
	n := 60 + int(next()%60)
	for range n {
		k := editKinds[next()%uint64(len(editKinds))]
		ev := &activity{eventType: k.event, translated: k.translated, objectType: k.objectType,
			at: today.Add(-time.Duration(1+next()%(180*86400)) * time.Second)}
		switch k.objectType {
		case "CAMPAIGN":
			c := a.campaigns[next()%uint64(len(a.campaigns))]
			ev.objectID, ev.objectName = c.id, c.name
		case "AD_SET":
			s := a.adsets[next()%uint64(len(a.adsets))]
			ev.objectID, ev.objectName = s.id, s.name
		default:
			d := a.ads[next()%uint64(len(a.ads))]
			ev.objectID, ev.objectName = d.id, d.name
		}
		ev.extra = editExtra(a, k.event, next)
		add(ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	return out
}

// editExtra is the old/new value detail of an edit.
func editExtra(a *account, event string, next func() uint64) string {
	switch event {
	case "update_campaign_budget", "update_ad_set_budget":
		old := int64(5+next()%40) * 1000
		return fmt.Sprintf(`{"old_value":{"old_value":%d,"new_value":%d},"type":"payment_amount","currency":%q}`, old, old+int64(next()%20-8)*500, a.currency)
	case "update_campaign_run_status", "update_ad_set_run_status", "update_ad_run_status":
		if next()%2 == 0 {
			return `{"old_value":"Active","new_value":"Paused","type":"run_status"}`
		}
		return `{"old_value":"Paused","new_value":"Active","type":"run_status"}`
	case "update_ad_set_bid_strategy":
		return `{"old_value":"LOWEST_COST_WITHOUT_CAP","new_value":"COST_CAP","type":"bid_strategy"}`
	}
	return `{}`
}

func (ev *activity) field(f string) any {
	loc := ev.acct.loc
	switch f {
	case "event_type":
		return ev.eventType
	case "event_time":
		return graphTime(ev.at, loc)
	case "actor_id":
		return ev.actorID
	case "actor_name":
		return ev.actorName
	case "application_id":
		return ev.appID
	case "application_name":
		return ev.appName
	case "object_id":
		return ev.objectID
	case "object_name":
		return ev.objectName
	case "object_type":
		return ev.objectType
	case "date_time_in_timezone":
		return ev.at.In(loc).Format("01/02/2006 at 3:04 PM")
	case "translated_event_type":
		return ev.translated
	case "extra_data":
		return ev.extra
	case "event_category":
		return "ACCOUNT"
	}
	return nil
}
