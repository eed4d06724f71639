package planner_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine/sqlfront"
	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/ with the current output")

// goldenToday is the fixed "current date" every golden case plans against.
var goldenToday = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// goldenCase is one `plan` block of a golden file: SQL in, plan out.
type goldenCase struct {
	line int
	sql  string
	want string
}

func readGolden(t testing.TB, path string) []goldenCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "plan" {
			continue
		}
		c := goldenCase{line: i + 1}
		var sql, want []string
		j := i + 1
		for ; j < len(lines) && lines[j] != "----"; j++ {
			sql = append(sql, lines[j])
		}
		for j++; j < len(lines) && lines[j] != ""; j++ {
			want = append(want, lines[j])
		}
		c.sql = strings.Join(sql, "\n")
		c.want = strings.Join(want, "\n")
		cases = append(cases, c)
		i = j
	}
	return cases
}

func writeGolden(path string, cases []goldenCase) error {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "plan\n%s\n----\n%s\n", c.sql, c.want)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// planText is what a golden case compares: every statement's plan, or the error.
func planText(sql string, in planner.Input) string {
	p, err := planner.Build(sql, in)
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, s := range p.Statements {
		parts = append(parts, strings.TrimRight(s.String(), "\n"))
	}
	return strings.Join(parts, "\n")
}

func newInput(t testing.TB) planner.Input {
	fe, err := sqlfront.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fe.Close() })
	return planner.Input{Catalog: fbtables.DefaultCatalog(), Frontend: fe, Today: goldenToday}
}

func TestGolden(t *testing.T) {
	in := newInput(t)
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		cases := readGolden(t, f)
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			for i := range cases {
				c := &cases[i]
				got := planText(c.sql, in)
				if *rewrite {
					c.want = got
					continue
				}
				if got != c.want {
					t.Errorf("%s:%d\n%s\n--- got\n%s\n--- want\n%s", f, c.line, c.sql, got, c.want)
				}
			}
		})
		if *rewrite {
			if err := writeGolden(f, cases); err != nil {
				t.Fatal(err)
			}
		}
	}
}
