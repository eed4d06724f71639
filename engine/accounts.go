package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Accounts returns the ad accounts queries read: the configured ones, or
// every account the token can see.
func (e *Engine) Accounts(ctx context.Context) ([]string, error) {
	e.accountsMu.Lock()
	defer e.accountsMu.Unlock()
	if e.accounts != nil {
		return e.accounts, nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, a := range e.cfg.Accounts {
		// X and act_X are one account: read it once.
		id := strings.TrimPrefix(strings.TrimSpace(a), "act_")
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		accts, err := e.client.AdAccounts(ctx)
		for _, a := range accts {
			ids = append(ids, a.ID)
			if a.Currency != "" { // the money notice needs it
				e.currencies.Store(a.ID, a.Currency)
			}
		}
		if err != nil {
			// Not remembered: a failed discovery (network down) may succeed next time.
			return nil, fmt.Errorf("list ad accounts: %w", err)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("the token can read no ad accounts; name one with --account or FB_ACCOUNT_IDS")
		}
		sort.Strings(ids)
	}
	e.accounts = ids
	return ids, nil
}
