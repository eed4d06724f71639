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

// TestMalformedRowFails: the client only delimits a page's rows (graph.Config.CallerChecksRows)
// and the engine's decoder checks each row's grammar, read keys and unread ones alike; a row
// that is malformed inside fails the query, never loads as a partial row.
func TestMalformedRowFails(t *testing.T) {
	for _, row := range []string{
		`{"id":"7","name":tru}`, `{"id":"7" "name":"x"}`, `{"id":"7","name":"x",}`, `{"id":07}`,
		`{"id":"7","other":[1 2]}`, `{"id":"7","other":{"a"}}`, `["7"]`,
	} {
		t.Run(row, func(t *testing.T) {
			eng := scripted(t, `{"data":[{"id":"6","name":"ok"},`+row+`]}`)
			rows, err := collect(context.Background(), eng, "SELECT id, name FROM campaigns", nil)
			if err == nil {
				t.Fatalf("loaded %q from a malformed row, want an error", rows)
			}
			if !strings.Contains(err.Error(), "decode row") {
				t.Errorf("error %q does not say the row is malformed", err)
			}
		})
	}
}

// TestMalformedActionValueFails: an action value that is not a number
// fails the query naming it; DuckDB's JSON reader alone would load it as
// NULL, and sums over it would be silently short.
func TestMalformedActionValueFails(t *testing.T) {
	const q = `SELECT impressions, actions FROM insights WHERE date_start = DATE '2026-11-01' AND level = 'account'`
	row := `{"account_id":"1","impressions":"10","date_start":"2026-11-01","date_stop":"2026-11-01","actions":[{"action_type":"link_click","value":%s}]}`
	for _, c := range []struct {
		value string
		ok    bool
	}{{`"7"`, true}, {`7.5`, true}, {`"abc"`, false}, {`{"n":1}`, false}} {
		t.Run(c.value, func(t *testing.T) {
			eng := scripted(t, `{"data":[`+fmt.Sprintf(row, c.value)+`]}`)
			rows, err := collect(context.Background(), eng, q, nil)
			switch {
			case c.ok && err != nil:
				t.Fatalf("a well-formed value failed: %v", err)
			case c.ok && (len(rows) != 1 || !strings.Contains(rows[0][1], "link_click")):
				t.Fatalf("rows %q, want the action", rows)
			case !c.ok && err == nil:
				t.Fatalf("loaded %q, want an error naming the value", rows)
			case !c.ok && !strings.Contains(err.Error(), "actions") || !c.ok && !strings.Contains(err.Error(), "not a number"):
				t.Fatalf("error %q does not name the field and say why", err)
			}
		})
	}
}
