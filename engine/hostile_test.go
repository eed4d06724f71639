package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// scripted is an engine on account 1 against a server that answers every request with body.
func scripted(t *testing.T, body string) *engine.Engine {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	eng, err := engine.Open(context.Background(), engine.Config{
		Graph: graph.Config{BaseURL: srv.URL, Token: "t"}, Accounts: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// TestInvalidUTF8IsNeverNull: a name with invalid UTF-8 loads with U+FFFD in place of the bad
// bytes, never as NULL.
func TestInvalidUTF8IsNeverNull(t *testing.T) {
	eng := scripted(t, "{\"data\":[{\"id\":\"7\",\"name\":\"Caf\xe9 \xff sale\"}]}")
	rows, err := collect(context.Background(), eng, "SELECT id, name, name IS NULL FROM campaigns", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][1] != "Caf\uFFFD \uFFFD sale" || rows[0][2] != "false" {
		t.Errorf("rows %q, want the name with U+FFFD", rows)
	}
}
