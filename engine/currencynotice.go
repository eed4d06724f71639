package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// summing is the start of an aggregate that adds money up; a money column
// named right inside one (sum(spend), avg(cpc)) is being added up.
const summing = `(?is)\b(sum|avg|mean|fsum|sumkahan|sum_no_overflow)\s*\(\s*(distinct\s+)?[\w."]*\b`

// apartColumns keep accounts apart when a query selects or groups by
// one: besides these, every entity id (campaign_id, ad_id, …) belongs to
// one account.
var apartColumns = []string{"account_currency", "account_name", "campaign_name", "adset_name", "ad_name"}

// currencyNotice warns when a statement adds up money from accounts with
// different currencies (USD and EUR summed as one number): it names the
// money columns and the currencies. It speaks only when the statement
// sums, a scan loads money from several accounts and no column that tells
// accounts apart. It uses the currencies the engine already knows (from
// account discovery and budgets) and never sends a request of its own:
// request counts and API budgets stay what the query needs.
func (e *Engine) currencyNotice(st *planner.Statement) string {
	var money []string
	var accounts []string
	for _, sc := range st.Scans {
		var m []string
		apart := false
		for _, c := range sc.Columns {
			if c.Type == fbtables.Money && !slices.Contains(money, c.Name) && summed(st.SQL, c.Name) {
				m = append(m, c.Name)
			}
			apart = apart || c.Kind == fbtables.KindID || slices.Contains(apartColumns, c.Name)
		}
		if len(m) == 0 || apart || sc.Empty {
			continue
		}
		money = append(money, m...)
		accts := sc.Accounts
		if len(accts) == 0 {
			accts = e.knownAccounts()
		}
		for _, a := range accts {
			if !slices.Contains(accounts, a) {
				accounts = append(accounts, a)
			}
		}
	}
	if len(money) == 0 || len(accounts) < 2 {
		return ""
	}
	var currencies []string
	for _, a := range accounts {
		cur := e.knownCurrency(a)
		if cur != "" && !slices.Contains(currencies, cur) {
			currencies = append(currencies, cur)
		}
	}
	if len(currencies) < 2 {
		return ""
	}
	slices.Sort(currencies)
	return fmt.Sprintf("notice: %s adds up amounts in %s from %d ad accounts as one number; add account_currency to the SELECT and GROUP BY to keep currencies apart",
		strings.Join(money, ", "), strings.Join(currencies, " and "), len(accounts))
}

// summed reports whether sql adds up the column (sum(spend), avg(i.spend)).
func summed(sql, column string) bool {
	re, err := regexp.Compile(summing + regexp.QuoteMeta(column) + `\b`)
	return err == nil && re.MatchString(sql)
}

// knownAccounts are the accounts discovery found, without discovering
// them: a scan that sent no request (no day matched) must not cause one.
func (e *Engine) knownAccounts() []string {
	e.accountsMu.Lock()
	defer e.accountsMu.Unlock()
	return e.accounts
}

// knownCurrency is an account's currency when the engine has seen it, else "".
func (e *Engine) knownCurrency(acct string) string {
	if v, ok := e.currencies.Load(acct); ok {
		return v.(string)
	}
	return ""
}
