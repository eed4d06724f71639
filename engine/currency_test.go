package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// TestBudgetsFollowTheCurrencyOffset: budgets arrive in the currency's
// minor units; for JPY (offset 1) "5000" is ¥5000, for USD it is $50.00.
func TestBudgetsFollowTheCurrencyOffset(t *testing.T) {
	currencies := map[string]string{"1": "JPY", "2": "USD"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // v25.0/act_N[/campaigns]
		acct := strings.TrimPrefix(parts[1], "act_")
		w.Header().Set("Content-Type", "application/json")
		if len(parts) == 2 {
			fmt.Fprintf(w, `{"id":"act_%s","currency":%q}`, acct, currencies[acct])
			return
		}
		fmt.Fprintf(w, `{"data":[{"id":"c%s","daily_budget":"5000","lifetime_budget":"0"}],"paging":{"cursors":{"before":"a","after":"a"}}}`, acct)
	}))
	defer srv.Close()
	eng, err := engine.Open(context.Background(), engine.Config{
		Graph: graph.Config{BaseURL: srv.URL, Token: "t"}, Accounts: []string{"1", "2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	d := &demo{eng: eng}
	got := d.rows(t, "SELECT id, daily_budget::VARCHAR, lifetime_budget::VARCHAR FROM campaigns ORDER BY id")
	want := [][]string{{"c1", "5000.00", "0.00"}, {"c2", "50.00", "0.00"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
