package repl

import (
	"sort"
	"strings"
	"sync"

	"github.com/fbsql/fbsql/fbtables"
)

// keywords are the SQL words offered by completion.
var keywords = strings.Fields(`SELECT FROM WHERE GROUP BY ORDER LIMIT HAVING QUALIFY WITH AS AND OR NOT IN
BETWEEN LIKE ILIKE JOIN LEFT ON USING DISTINCT COUNT SUM AVG MIN MAX CASE WHEN THEN ELSE END DESC ASC
UNION ALL EXPLAIN COPY TO FORMAT CURRENT_DATE INTERVAL DAY`)

var dotCommands = strings.Fields(".accounts .cache .chart .exit .explain .headers .help .maxrows .mode .once .output .quit .read .schema .tables .timer")

// enumValues completes inside quotes after these columns.
var enumValues = map[string][]string{
	"effective_status":   {"ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS", "WITH_ISSUES", "CAMPAIGN_PAUSED", "ADSET_PAUSED"},
	"level":              {"account", "campaign", "adset", "ad"},
	"time_increment":     {"1", "7", "monthly", "all_days"},
	"date_preset":        {"today", "yesterday", "last_7d", "last_14d", "last_28d", "last_30d", "last_90d", "this_month", "last_month", "maximum"},
	"age":                {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"},
	"gender":             {"female", "male", "unknown"},
	"publisher_platform": {"facebook", "instagram", "audience_network", "messenger"},
	"device_platform":    {"mobile", "desktop"},
	"impression_device":  {"iphone", "ipad", "android_smartphone", "android_tablet", "desktop"},
	"platform_position":  {"feed", "story", "reels", "instream_video", "right_hand_column", "marketplace", "search", "explore"},
}

// completer completes the word under the cursor: dot commands, keywords,
// table names (only those after FROM and JOIN), the columns of tables the
// statement names, and values of enumerated columns and of those the
// session has seen. Suggestions come sorted.
type completer struct {
	cat  *fbtables.Catalog
	seen *seenValues // may be nil
}

// seenColumns are the columns whose values completion offers once a
// result has shown them: names and places people type in WHERE clauses.
var seenColumns = map[string]bool{"campaign_name": true, "adset_name": true, "ad_name": true, "account_name": true,
	"country": true, "region": true, "dma": true}

// maxSeen bounds the values kept per column.
const maxSeen = 2000

// seenValues are the values of seenColumns that results showed this session.
type seenValues struct {
	mu sync.Mutex
	m  map[string]map[string]bool
}

// observe returns a function that records a result's rows, or nil when
// the result has none of seenColumns.
func (s *seenValues) observe(columns []string) func(row []any) {
	var idx []int
	for i, c := range columns {
		if seenColumns[strings.ToLower(c)] {
			idx = append(idx, i)
		}
	}
	if s == nil || len(idx) == 0 {
		return nil
	}
	return func(row []any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.m == nil {
			s.m = map[string]map[string]bool{}
		}
		for _, i := range idx {
			v, ok := row[i].(string)
			col := strings.ToLower(columns[i])
			if !ok || v == "" || len(s.m[col]) >= maxSeen {
				continue
			}
			if s.m[col] == nil {
				s.m[col] = map[string]bool{}
			}
			s.m[col][v] = true
		}
	}
}

// values returns the values seen for a column.
func (s *seenValues) values(col string) []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.m[col] {
		out = append(out, v)
	}
	return out
}

// complete implements liner's WordCompleter.
func (c completer) complete(line string, pos int) (head string, completions []string, tail string) {
	head, tail = line[:pos], line[pos:]
	start := strings.LastIndexAny(head, " \t\n(),=") + 1
	word := head[start:]
	head = head[:start]
	if strings.TrimSpace(head) == "" && strings.HasPrefix(word, ".") {
		return head, prefixed(dotCommands, word, false), tail
	}
	if strings.HasPrefix(word, "'") {
		return head, c.values(head, word), tail
	}
	if afterTableKeyword(head) {
		return head, prefixed(c.cat.TableNames(), word, false), tail
	}
	var cands []string
	cands = append(cands, keywords...)
	mentioned := false
	for _, t := range c.cat.Tables() {
		cands = append(cands, t.Name)
		if containsWord(line, t.Name) {
			mentioned = true
			for _, col := range t.Columns {
				cands = append(cands, col.Name)
			}
		}
	}
	if !mentioned { // before FROM is typed, offer every column
		for _, t := range c.cat.Tables() {
			for _, col := range t.Columns {
				cands = append(cands, col.Name)
			}
		}
	}
	upper := word != "" && strings.ToUpper(word) == word && strings.ToLower(word) != word
	return head, prefixed(cands, word, !upper), tail
}

// values completes a quoted value for the column compared just before it.
func (c completer) values(head, word string) []string {
	// The column is the last word before the operator: col = '…', col IN ('…', '…
	f := strings.FieldsFunc(strings.ToLower(head), func(r rune) bool { return strings.ContainsRune(" \t\n=(),", r) })
	for len(f) > 0 && (f[len(f)-1] == "in" || strings.HasPrefix(f[len(f)-1], "'")) {
		f = f[:len(f)-1]
	}
	if len(f) == 0 {
		return nil
	}
	col := f[len(f)-1]
	if i := strings.LastIndexByte(col, '.'); i >= 0 { // i.country
		col = col[i+1:]
	}
	var quoted []string
	for _, v := range append(enumValues[col], c.seen.values(col)...) {
		quoted = append(quoted, "'"+strings.ReplaceAll(v, "'", "''")+"'")
	}
	return prefixed(quoted, word, false)
}

// afterTableKeyword reports whether the word being typed follows FROM or
// JOIN, where only a table fits.
func afterTableKeyword(head string) bool {
	f := strings.Fields(strings.ToLower(head))
	if len(f) == 0 {
		return false
	}
	last := f[len(f)-1]
	return last == "from" || last == "join"
}

// prefixed returns the distinct candidates starting with word
// (case-insensitively), keywords in lower case when lower is set.
func prefixed(cands []string, word string, lower bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cands {
		if lower && strings.ToUpper(c) == c {
			c = strings.ToLower(c)
		}
		if !seen[c] && strings.HasPrefix(strings.ToLower(c), strings.ToLower(word)) {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func containsWord(line, w string) bool {
	for _, f := range strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if f == w {
			return true
		}
	}
	return false
}
