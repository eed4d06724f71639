package engine

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// TestBatcherKeepsOnlyKeptPages reads pages into a batcher as the graph client does, keeping
// some and dropping others, with pages larger than a batch so that a page's full batches are
// held back and a dropped page spans the batch that was current when it began. What reaches
// the channel must be exactly the kept pages' rows, in order: the oracle decodes those rows
// alone with a fresh decoder.
func TestBatcherKeepsOnlyKeptPages(t *testing.T) {
	ins, _ := fbtables.DefaultCatalog().Table("insights")
	sc := &planner.Scan{Table: ins}
	for _, name := range []string{"ad_id", "date_start", "country", "impressions", "spend"} {
		c, _ := ins.Column(name)
		sc.Columns = append(sc.Columns, c)
	}
	fields := stageFields(sc)
	page := func(first, n int) []byte {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf(`{"ad_id":"%d","date_start":"2026-01-%02d","country":"C%d","impressions":"%d","spend":"%d.5"}`, first+i, 1+(first+i)%28, (first+i)%5, first+i, first+i)
		}
		return []byte("[" + strings.Join(rows, ",") + "]")
	}
	type step struct {
		rows int
		keep bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a page smaller than a batch, dropped", []step{{10, true}, {20, false}, {5, true}}},
		{"a dropped page that fills the current batch", []step{{batchRows - 3, true}, {2*batchRows + 7, false}, {4, true}}},
		{"kept pages several batches long", []step{{3*batchRows + 1, true}, {batchRows, true}, {batchRows - 1, false}, {2*batchRows + 5, true}}},
		{"every page dropped", []step{{batchRows + 1, false}, {7, false}}},
		{"an empty page kept and dropped", []step{{0, true}, {0, false}, {3, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make(chan rowMsg, 1000)
			b := newBatcher(out, fields, false, "1")
			b.unit = 7
			ctx := context.Background()
			var want [][]driver.Value
			next := 0
			for _, st := range tt.steps {
				p := page(next, st.rows)
				next += st.rows
				at := 1
				for i := 0; i < st.rows; i++ {
					end, err := b.ReadRow(p, at)
					if err != nil {
						t.Fatal(err)
					}
					if st.keep {
						row := make([]driver.Value, len(fields))
						if err := newDecoder(fields, false).decode(p[at:end], row); err != nil {
							t.Fatal(err)
						}
						want = append(want, append([]driver.Value{int64(7)}, row...))
					}
					at = end + 1 // past the ','
				}
				if st.keep {
					if err := b.KeepPage(ctx); err != nil {
						t.Fatal(err)
					}
				} else {
					b.DropPage()
				}
			}
			if err := b.flush(ctx); err != nil {
				t.Fatal(err)
			}
			close(out)
			var got [][]driver.Value
			for m := range out {
				if m.unit != 7 || m.acct != "1" {
					t.Errorf("a batch of unit %d, account %q; want unit 7, account 1", m.unit, m.acct)
				}
				for i := 0; i < len(*m.vals); i += m.width {
					got = append(got, append([]driver.Value(nil), (*m.vals)[i:i+m.width]...))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows sent, want the kept pages' %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("row %d = %v, want %v", i, got[i], want[i])
				}
			}
			if kept := len(want); b.page.kept != kept {
				t.Errorf("kept count %d, want %d", b.page.kept, kept)
			}
		})
	}
}
