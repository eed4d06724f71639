package repl

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/render"
	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/planner"
)

// dot runs a dot command; it reports whether the shell should exit.
func (sh *shell) dot(ctx context.Context, cmd string) bool {
	f := strings.Fields(cmd)
	switch f[0] {
	case ".chart":
		if sh.last == "" {
			sh.fail(".chart draws the last statement's result: run a query first")
			break
		}
		saved := sh.format
		sh.format = "chart"
		sh.run(ctx, sh.last)
		sh.format = saved
	case ".timer", ".explain", ".headers":
		on, ok := onOff(f)
		if !ok {
			sh.fail(fmt.Sprintf("usage: %s on|off", f[0]))
			break
		}
		switch f[0] {
		case ".timer":
			sh.timer = on
		case ".explain":
			sh.explain = on
		default:
			sh.noHeader = !on
		}
	case ".output", ".once":
		sh.closeOutput()
		switch {
		case len(f) == 2:
			sh.openOutput(f[1], f[0] == ".once")
		case f[0] == ".once" || len(f) > 2:
			sh.fail(fmt.Sprintf("usage: %s FILE", f[0]))
		}
	case ".read":
		if len(f) != 2 {
			sh.fail("usage: .read FILE")
			break
		}
		sh.read(ctx, f[1])
	case ".accounts":
		ids, err := sh.eng.Accounts(ctx)
		if err != nil {
			sh.fail(err.Error())
			break
		}
		for _, id := range ids {
			fmt.Fprintf(sh.out, "act_%s\n", id)
		}
	case ".cache":
		sh.cacheCommand(ctx, f[1:])
	case ".quit", ".exit":
		return true
	case ".help":
		fmt.Fprint(sh.out, helpText)
	case ".tables":
		sh.tables()
	case ".schema":
		sh.schema(f[1:])
	case ".mode":
		switch {
		case len(f) == 1:
			fmt.Fprintf(sh.out, "current output mode: %s\n", sh.format)
		case len(f) == 2 && render.ValidFormat(f[1]):
			sh.format = f[1]
		default:
			sh.fail(fmt.Sprintf("usage: .mode %s", strings.Join(render.Formats, "|")))
		}
	case ".maxrows":
		n, err := -1, error(nil)
		if len(f) == 2 {
			n, err = strconv.Atoi(f[1])
		}
		switch {
		case len(f) == 1:
			fmt.Fprintf(sh.out, "maxrows: %d (0 shows every row)\n", sh.maxRows)
		case err != nil || n < 0:
			sh.fail("usage: .maxrows N (the rows a table shows on the terminal; 0 shows every row)")
		default:
			sh.maxRows = n
		}
	default:
		sh.fail(fmt.Sprintf("unknown command %s; .help lists the commands", f[0]))
	}
	return false
}

// fail prints a dot command's mistake as an error line and marks the
// session failed.
func (sh *shell) fail(msg string) {
	sh.failed = true
	fmt.Fprintln(sh.errw, "error: "+msg)
}

func onOff(f []string) (on, ok bool) {
	if len(f) != 2 || (f[1] != "on" && f[1] != "off") {
		return false, false
	}
	return f[1] == "on", true
}

// psqlCommand answers what psql (and usql) users type at an empty prompt.
// It reports whether text was such a command and whether to quit.
// exit, quit and help are words only at an interactive prompt, as in psql.
func (sh *shell) psqlCommand(text string, interactive bool) (handled, quit bool) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return false, false
	}
	word := strings.TrimSuffix(strings.ToLower(f[0]), ";")
	switch {
	case len(f) == 1 && (word == `\q` || interactive && (word == "exit" || word == "quit")):
		return true, true
	case len(f) == 1 && (word == `\?` || word == `\h` || interactive && word == "help"):
		fmt.Fprint(sh.out, helpText)
	case word == `\d` || word == `\d+` || word == `\dt`:
		if len(f) == 1 || word == `\dt` {
			sh.tables()
		} else {
			sh.schema(f[1:])
		}
	case strings.HasPrefix(word, `\`):
		sh.fail(fmt.Sprintf(`unknown command %s: fbsql takes dot commands (\q is .quit, \d is .tables, \d TABLE is .schema TABLE); .help lists them`, f[0]))
	default:
		return false, false
	}
	return true, false
}

// isDotCommand reports whether a line is one of the shell's dot commands,
// so that one typed at the continuation prompt runs instead of joining
// the statement.
func isDotCommand(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	for _, c := range dotCommands {
		if f[0] == c {
			return true
		}
	}
	return false
}

func (sh *shell) tables() {
	tables := sh.eng.Catalog().Tables()
	width := 0
	for _, t := range tables {
		width = max(width, len(t.Name))
	}
	for _, t := range tables {
		fmt.Fprintf(sh.out, "%-*s  %s\n", width, t.Name, t.Doc)
	}
}

// cacheText is the .timer line's account of the cache.
func cacheText(st engine.Stats) string {
	if !st.CacheUsed {
		return ""
	}
	s := fmt.Sprintf(", from cache: %d rows", st.CacheRows)
	if n := st.CacheDays + st.FetchedDays; n > 0 {
		s += fmt.Sprintf(", %d of %d account-days", st.CacheDays, n)
	}
	if n := st.CacheWhole + st.FetchedWhole; n > 0 {
		s += fmt.Sprintf(", %d of %d requests", st.CacheWhole, n)
	}
	return s
}

func (sh *shell) cacheCommand(ctx context.Context, args []string) {
	const usage = "usage: .cache on|off|refresh|clear|stats"
	if len(args) != 1 {
		sh.fail(usage)
		return
	}
	switch args[0] {
	case "clear":
		before, err := sh.eng.CacheStats(ctx)
		if err == nil {
			err = sh.eng.ClearCache(ctx)
		}
		if err != nil {
			sh.fail(err.Error())
			return
		}
		fmt.Fprintf(sh.out, "cache cleared: %d entries, %d rows, %.1f MB removed\n", before.Entries, before.Rows, float64(before.Bytes)/1e6)
	case "stats":
		info, err := sh.eng.CacheStats(ctx)
		if err != nil {
			sh.fail(err.Error())
			return
		}
		where := info.Path
		if where == "" {
			where = "in memory"
		}
		fmt.Fprintf(sh.out, "cache %s (%s): %d entries, %d final, %d rows, %.1f MB; days older than %d days are final, the rest kept %s\n",
			info.Mode, where, info.Entries, info.Final, info.Rows, float64(info.Bytes)/1e6, info.FreezeDays, info.TTL)
	default:
		m, err := engine.ParseCacheMode(args[0])
		if err != nil {
			sh.fail(usage)
			return
		}
		sh.eng.SetCacheMode(m)
	}
}

// schema prints tables' columns: .schema [TABLE [PATTERN|KIND]...], where
// a PATTERN is a glob on column names (spend*) and a KIND one of the
// column kinds (metric, breakdown, …).
func (sh *shell) schema(args []string) {
	cat := sh.eng.Catalog()
	tables := cat.Tables()
	if len(args) > 0 {
		t, ok := cat.Table(args[0])
		if !ok {
			sh.fail(fmt.Sprintf("no table %q; tables: %s", args[0], strings.Join(cat.TableNames(), ", ")))
			return
		}
		tables = []*fbtables.Table{t}
	}
	var patterns, kinds []string
	for _, a := range args[min(1, len(args)):] {
		if k, ok := kindNamed(a); ok {
			kinds = append(kinds, k)
			continue
		}
		if _, err := path.Match(a, ""); err != nil {
			sh.fail(fmt.Sprintf(".schema: bad pattern %q: %v", a, err))
			return
		}
		patterns = append(patterns, strings.ToLower(a))
	}
	for _, t := range tables {
		fmt.Fprintf(sh.out, "%s: %s\n", t.Name, t.Doc)
		fmt.Fprintf(sh.out, "  %-24s %-14s %-11s %-22s %s\n", "column", "type", "kind", "pushed to the API", "description")
		shown := 0
		for i := range t.Columns {
			c := &t.Columns[i]
			if !columnMatches(c, patterns, kinds) {
				continue
			}
			shown++
			ops := strings.Join(planner.PushdownOps(t, c), " ")
			fmt.Fprintf(sh.out, "  %-24s %-14s %-11s %-22s %s\n", c.Name, shortType(c.Type), c.Kind, ops, c.Doc)
		}
		if shown == 0 {
			fmt.Fprintf(sh.out, "  (no column matches %s)\n", strings.Join(args[1:], " "))
		}
	}
}

// kindNamed reads a column kind as .schema accepts it (metric, action_list).
func kindNamed(s string) (string, bool) {
	s = strings.ReplaceAll(strings.ToLower(s), "_", " ")
	for k := fbtables.KindID; k <= fbtables.KindActionValue; k++ {
		if k.String() == s {
			return s, true
		}
	}
	return "", false
}

// columnMatches: any of the patterns (or none given) and any of the kinds.
func columnMatches(c *fbtables.Column, patterns, kinds []string) bool {
	ok := len(patterns) == 0
	for _, p := range patterns {
		if m, _ := path.Match(p, strings.ToLower(c.Name)); m {
			ok = true
		}
	}
	if !ok {
		return false
	}
	if len(kinds) == 0 {
		return true
	}
	for _, k := range kinds {
		if c.Kind.String() == k {
			return true
		}
	}
	return false
}

func shortType(t string) string {
	if strings.HasPrefix(t, "STRUCT(action_type") {
		return "ACTION_STATS[]"
	}
	return t
}

const helpText = `Statements are DuckDB SQL over virtual tables (.tables, SHOW TABLES); end each with ";".
  DESCRIBE TABLE       its columns with kind and the operators pushed to the API
  .tables              list the virtual tables (\d and \dt too)
  .schema [TABLE] [PATTERN|KIND]…  columns, e.g. .schema insights spend* or .schema insights metric
  .mode [FORMAT]       table, csv, tsv, json, jsonl, markdown, line, chart; alone shows the mode
  .headers on|off      the header line of table, csv and tsv output
  .maxrows N           rows a table shows on the terminal (0: every row)
  .chart               draw the last result as a bar chart (label or date, then a number)
  .output [FILE]       send results to FILE (its extension picks the format); alone: back to the terminal
  .once FILE           send the next result to FILE
  .read FILE           run the statements in FILE
  .timer on|off        after each statement: wall time, API requests, rows fetched
  .explain on|off      print the Graph API requests before running each statement
  .cache MODE          on, off, refresh (fetch again and keep), clear, or stats
  .accounts            the ad accounts being queried
  .help                this text (help and \? too)
  .quit                leave (or Ctrl-D, \q, exit, quit)
Ctrl-C cancels a running query and its API requests.
`
