package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Page sizes: the `limit` sent with paged reads.
const (
	// PageSize is the page size of entity reads.
	PageSize = 500
	// InsightsPageSize is the page size of insights reads, sync and async: the largest the API
	// serves, so a result needs as few round trips as it can.
	InsightsPageSize = 5000
)

// DateRange is one time_range: both days included.
type DateRange struct{ Since, Until time.Time }

// Insights is one insights read of one account: the scan's own parameters and the piece of
// the answer this read covers. The client builds the request from it.
type Insights struct {
	// Account is the ad account id, without act_.
	Account string
	// Params are the scan's parameters (fields, level, breakdowns, filtering, …).
	Params ParamList
	// Range, if set, replaces any time_range; Ranges, if set, any time_ranges.
	Range  *DateRange
	Ranges []DateRange
	// Campaigns, if not nil, limits the read to these campaigns (a campaign.id IN filter added
	// to the scan's own filtering).
	Campaigns []string
	// Limit, if positive, is the most rows wanted: pages are no larger.
	Limit int
}

// path is the insights edge of the account.
func (q Insights) path() string { return "act_" + q.Account + "/insights" }

// params builds the request's parameters; the scan's are not modified.
func (q Insights) params(paged bool) (Params, error) {
	p := q.Params.params()
	switch {
	case q.Ranges != nil:
		var rs []map[string]string
		for _, d := range q.Ranges {
			rs = append(rs, map[string]string{"since": d.Since.Format(time.DateOnly), "until": d.Until.Format(time.DateOnly)})
		}
		p["time_ranges"] = rs
	case q.Range != nil:
		p["time_range"] = map[string]string{"since": q.Range.Since.Format(time.DateOnly), "until": q.Range.Until.Format(time.DateOnly)}
	}
	if q.Campaigns != nil {
		var filters []map[string]any
		if v, ok := p["filtering"]; ok {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("filtering of %s: %w", q.path(), err)
			}
			if err := json.Unmarshal(b, &filters); err != nil {
				return nil, fmt.Errorf("filtering of %s: %w", q.path(), err)
			}
		}
		p["filtering"] = append(filters, map[string]any{"field": "campaign.id", "operator": "IN", "value": q.Campaigns})
	}
	if paged {
		p["limit"] = pageLimit(InsightsPageSize, q.Limit)
	}
	return p, nil
}

// pageLimit is the page size for a read wanting at most limit rows (0: all).
func pageLimit(size, limit int) int {
	if limit > 0 && limit < size {
		return limit
	}
	return size
}

// Insights reads q with paged GETs (a sync insights request) into rows.
func (c *Client) Insights(ctx context.Context, q Insights, rows Rows) error {
	p, err := q.params(true)
	if err != nil {
		return err
	}
	return c.GetRows(ctx, q.path(), p, rows)
}

// Edge reads a scan's rows for one account: path has {account} where the account id (without
// act_) goes. A path without a slash is a node, read as one object; an edge is paged, pages no
// larger than limit rows when limit is positive.
func (c *Client) Edge(ctx context.Context, path, account string, params ParamList, limit int, each func(row json.RawMessage) error) error {
	path = strings.ReplaceAll(path, "{account}", account)
	p := params.params()
	if !strings.Contains(path, "/") {
		var raw json.RawMessage
		if err := c.GetObject(ctx, path, p, &raw); err != nil {
			return err
		}
		return each(raw)
	}
	p["limit"] = pageLimit(PageSize, limit)
	return c.Get(ctx, path, p, each)
}

// AdAccount is one ad account the token can read.
type AdAccount struct {
	// ID is the account id without act_.
	ID string
	// Currency is the account's currency code ("" when the API left it out).
	Currency string
}

// AdAccounts lists every ad account the token can read, sorted by id. The
// currency comes in the same request: callers that warn about money summed
// across currencies need it, and a second request per account would cost more.
func (c *Client) AdAccounts(ctx context.Context) ([]AdAccount, error) {
	var accts []AdAccount
	err := c.Get(ctx, "me/adaccounts", Params{"fields": []string{"account_id", "currency"}, "limit": PageSize}, func(row json.RawMessage) error {
		var a struct {
			AccountID string `json:"account_id"`
			Currency  string `json:"currency"`
		}
		if err := json.Unmarshal(row, &a); err != nil {
			return fmt.Errorf("decode ad account: %w", err)
		}
		accts = append(accts, AdAccount{ID: a.AccountID, Currency: a.Currency})
		return nil
	})
	sort.Slice(accts, func(i, j int) bool { return accts[i].ID < accts[j].ID })
	return accts, err
}

// Currency is the currency code of an ad account (without act_).
func (c *Client) Currency(ctx context.Context, account string) (string, error) {
	var a struct {
		Currency string `json:"currency"`
	}
	if err := c.GetObject(ctx, "act_"+account, Params{"fields": []string{"currency"}}, &a); err != nil {
		return "", fmt.Errorf("read the currency of act_%s: %w", account, err)
	}
	return a.Currency, nil
}

// allStatuses are every effective_status a campaign can have: deleted and archived ones too,
// since their insights count.
var allStatuses = []string{"ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"}

// CampaignIDs lists every campaign of an account, deleted and archived too.
func (c *Client) CampaignIDs(ctx context.Context, account string) ([]string, error) {
	var ids []string
	err := c.Get(ctx, "act_"+account+"/campaigns", Params{"fields": []string{"id"}, "effective_status": allStatuses, "limit": PageSize},
		func(raw json.RawMessage) error {
			var v struct{ ID string }
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			ids = append(ids, v.ID)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list campaigns of act_%s: %w", account, err)
	}
	return ids, nil
}
