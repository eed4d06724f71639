package engine

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/internal/jsonscan"
)

// A fetched row's scalar values are converted in Go, once, to the column's
// type and appended to a stage table of that type: the API's text is never
// stored as VARCHAR and parsed again by DuckDB. Nested JSON values stay JSON
// text, parsed once by DuckDB's own JSON reader: action lists as each chunk
// is appended (stageAppender), string lists and JSON columns when the stage
// becomes the scan's table (stageToTemp). Every conversion matches what DuckDB's CAST of
// the same text gives (TestConvertMatchesDuckDB), so the cache, which keeps
// the API's text and converts it in SQL, serves the same values.

// conv is how a staged field's value is converted.
type conv int

const (
	convText      conv = iota // VARCHAR: a string as it is, other JSON as its text
	convJSON                  // nested JSON: its text, converted in SQL by castExpr
	convBigint                // BIGINT
	convDouble                // DOUBLE
	convDecimal               // DECIMAL(18,2) in the currency's units ("12.34")
	convMinor                 // DECIMAL(18,2) given in minor units ("1234" cents)
	convDate                  // DATE ("2006-01-02")
	convTimestamp             // TIMESTAMPTZ ("2006-01-02T15:04:05-0700")
	convBool                  // BOOLEAN
)

// moneyScale is the scale of fbtables.Money, DECIMAL(18,2).
const moneyScale = 2

// convOf picks the conversion of a column type.
func convOf(typ string, minor bool) conv {
	switch {
	case minor:
		return convMinor
	case typ == fbtables.Money:
		return convDecimal
	}
	switch typ {
	case "", "VARCHAR":
		return convText
	case "BIGINT":
		return convBigint
	case "DOUBLE":
		return convDouble
	case "DATE":
		return convDate
	case "TIMESTAMPTZ":
		return convTimestamp
	case "BOOLEAN":
		return convBool
	}
	return convJSON
}

// stageType is the stage column's SQL type: the column's own (action-stat
// lists too: parsedOnAppend), or VARCHAR for text and other nested JSON,
// or UBIGINT for an id (numericID).
func (f stageField) stageType() string {
	if f.parsedOnAppend() {
		return f.typ
	}
	if f.numericID() {
		return "UBIGINT"
	}
	if f.conv == convText || f.conv == convJSON {
		return "VARCHAR"
	}
	return f.typ
}

// numericID reports whether a text field holds the API's ids ("id",
// "ad_id", …): decimal numbers as strings. Such a field is staged as
// UBIGINT while every value is a canonical number (canonicalID), which
// costs the appender a fixed-size value instead of a string handed to
// DuckDB one call at a time; the first other value turns the stage column
// into VARCHAR (stageAppender), where the numbers cast back to the same
// text.
func (f stageField) numericID() bool {
	return f.conv == convText && (f.apiField == "id" || strings.HasSuffix(f.apiField, "_id"))
}

// parsedOnAppend reports whether a field is an action-stat list: the
// decoders check its JSON and hand DuckDB the text, which from_json parses
// as each chunk is appended (stageAppender), so the stage holds the list
// typed and nothing reads the text twice.
func (f stageField) parsedOnAppend() bool {
	return f.typ == fbtables.ActionStatsType
}

// canonicalID reads s as an id number when it is exactly the text
// strconv.FormatUint gives back: digits, no sign, no leading zero, in
// range. "007" or "12a" is not, and stays text.
func canonicalID(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 20 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// boxedInts are the int64 values below 4096 already boxed as driver.Value:
// counts and amounts in minor units are mostly small, and boxing each one
// allocated (Go boxes only values below 256 without allocating).
var boxedInts = func() (b [4096]driver.Value) {
	for i := range b {
		b[i] = int64(i)
	}
	return b
}()

// boxInt is n as a driver.Value, without an allocation when it is small.
func boxInt(n int64) driver.Value {
	if uint64(n) < uint64(len(boxedInts)) {
		return boxedInts[n]
	}
	return n
}

// plainInt reads what strconv.ParseInt(s, 10, 64) reads when s is an
// optional sign and at most 18 digits, which cannot overflow; ok is false
// for anything else, which ParseInt then reads. The API's counts are such
// text, and ParseInt's general loop cost six times as much.
func plainInt(s string) (n int64, ok bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int64(c)
	}
	if neg {
		n = -n
	}
	return n, true
}

// boxedScaled is parseScaled's value as a driver.Value.
func boxedScaled(s string, scale int) (driver.Value, error) {
	n, err := parseScaled(s, scale)
	if err != nil {
		return nil, err
	}
	return boxInt(n), nil
}

// convert turns one JSON value (not null) into the field's typed value.
// whole says the account's currency sends minor-unit money in whole units.
func (f stageField) convert(val []byte, whole bool) (driver.Value, error) {
	if f.conv == convBool {
		switch string(val) {
		case "true", `"true"`:
			return true, nil
		case "false", `"false"`:
			return false, nil
		}
		return nil, fmt.Errorf("%s is not a boolean", val)
	}
	// s views val's bytes without a copy: it is only parsed, and copied
	// (strings.Clone) where a string value is kept.
	var s string
	switch {
	case val[0] == '"' && bytes.IndexByte(val, '\\') < 0:
		s = unsafe.String(unsafe.SliceData(val[1:]), len(val)-2)
	case val[0] == '"':
		var err error
		if s, err = unquote(val); err != nil {
			return nil, err
		}
	case f.conv != convText && f.conv != convJSON && (val[0] == '{' || val[0] == '['):
		return nil, fmt.Errorf("%.40s is not a %s", val, f.typ)
	default:
		s = unsafe.String(unsafe.SliceData(val), len(val))
	}
	switch f.conv {
	case convBigint:
		if n, ok := plainInt(s); ok {
			return boxInt(n), nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return boxInt(n), nil
		}
		return boxedScaled(s, 0)
	case convDouble:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return x, nil
	case convDecimal:
		return boxedScaled(s, moneyScale)
	case convMinor:
		n, err := parseScaled(s, 0)
		if err == nil && whole && s != "" && strings.Trim(s, "-0123456789") == "" {
			// ¥5000 arrives as "5000" and means 5000.00: hundredths are
			// the minor units DECIMAL(18,2) counts.
			if n > math.MaxInt64/100 || n < math.MinInt64/100 {
				return nil, fmt.Errorf("%q is out of range", s)
			}
			n *= 100
		}
		if err != nil {
			return nil, err
		}
		return boxInt(n), nil
	case convDate:
		t, ok := parseDate(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a date", s)
		}
		return t, nil
	case convTimestamp:
		t, err := time.Parse("2006-01-02T15:04:05-0700", s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				return nil, fmt.Errorf("%q is not a timestamp", s)
			}
		}
		return t, nil
	}
	if f.typ == fbtables.ActionStatsType {
		if err := checkActionStats(val); err != nil {
			return nil, err
		}
	}
	if f.numericID() {
		if n, ok := canonicalID(s); ok {
			return n, nil
		}
	}
	return strings.Clone(s), nil
}

// isActionStatNumber reports whether a key of an action-stat entry holds a
// number (actionStatsJSON): the count or value and the attribution windows.
// A switch, not a map: it runs for every key of every entry of every row.
func isActionStatNumber(key []byte) bool {
	switch string(key) {
	case "value", "1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view":
		return true
	}
	return false
}

// checkActionStats makes sure every number of an action-stat list reads as
// one. DuckDB's from_json, which loads the list, turns "abc" into NULL, and
// a NULL inside a sum is a silently wrong total; the API never sends such
// a value, so one that arrives is an error naming it.
func checkActionStats(val []byte) error {
	end, _, err := actionStatsEnd(val, skipSpace(val, 0), nil)
	if err == nil {
		err = trailing(val, end)
	}
	return err
}

// actionStatsEnd reads the action-stat list at b[i], checking it as JSON
// and its numbers as checkActionStats does, in one pass; it returns the
// index just past it, and whether an entry had a key other than
// action_type and value (an attribution window: the appender must then parse
// the list with every window's field). If quoted is not nil, the index of
// the opening quote of each value compactActionStats may unquote is
// appended to it.
func actionStatsEnd(b []byte, i int, quoted *[]int) (end int, windows bool, err error) {
	j, done, err := openArray(b, i)
	for n := 0; !done && err == nil; n++ {
		end, value, ok := actionStatPlain(b, j)
		if ok && quoted != nil && jsonNumber(b[value+1:end-2]) {
			*quoted = append(*quoted, value)
		}
		if !ok {
			var w bool
			if end, w, err = actionStatEnd(b, j, n); err != nil {
				break
			}
			windows = windows || w
		}
		j, done, err = nextMember(b, end, ']')
	}
	return j, windows, err
}

// actionStatPlain reads the entry nearly every list holds,
// {"action_type":"…","value":"…"} written without spaces, the type's text
// without escapes and the value a plain decimal, in one sweep of fixed
// steps; it returns the index just past it and that of the value's opening
// quote, or false for any other entry, which actionStatEnd reads. What it
// accepts actionStatEnd accepts too, alike: valid JSON, a number, no
// attribution window. Entries are most of a row's bytes.
func actionStatPlain(b []byte, i int) (end, value int, ok bool) {
	const head, mid = `{"action_type":"`, `","value":"`
	if !hasAt(b, i, head) {
		return 0, 0, false
	}
	j := jsonscan.PlainEnd(b, i+len(head))
	if !hasAt(b, j, mid) {
		return 0, 0, false
	}
	value = j + len(mid) - 1
	k := value + 1
	if k < len(b) && b[k] == '-' {
		k++
	}
	e := k
	for e < len(b) && ('0' <= b[e] && b[e] <= '9' || b[e] == '.') {
		e++
	}
	if !hasAt(b, e, `"}`) || !plainDecimal(b[k:e]) {
		return 0, 0, false
	}
	return e + 2, value, true
}

// jsonNumber reports whether a plain decimal (plainDecimal) is also a JSON
// number that from_json reads as the same DOUBLE as its quoted text: no
// sign (so never -0) and no leading zero.
func jsonNumber(s []byte) bool {
	return len(s) > 0 && s[0] != '-' && (s[0] != '0' || len(s) == 1 || s[1] == '.')
}

// compactActionStats copies a checked action-stat list, list = b[at:end],
// with the values at quoted (actionStatsEnd) unquoted: from_json reads a
// JSON number as a DOUBLE a seventh cheaper than a quoted one, and the text
// is shorter to stage.
func compactActionStats(b []byte, at, end int, quoted []int) string {
	if len(quoted) == 0 {
		return string(b[at:end])
	}
	out := make([]byte, 0, end-at-2*len(quoted))
	prev := at
	for _, q := range quoted {
		close := q + 1 + bytes.IndexByte(b[q+1:end], '"')
		out = append(out, b[prev:q]...)
		out = append(out, b[q+1:close]...)
		prev = close + 1
	}
	out = append(out, b[prev:end]...)
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// actionStatEnd reads entry n of an action-stat list, an object at b[i].
func actionStatEnd(b []byte, i, n int) (end int, windows bool, err error) {
	j, done, err := openObject(b, i)
	for !done && err == nil {
		var key []byte
		var at, end int
		if key, at, err = readKey(b, j); err != nil {
			break
		}
		if end, err = skipValue(b, at, 2); err != nil {
			break
		}
		if v := b[at:end]; isActionStatNumber(key) && !isNumberText(v) {
			return 0, false, fmt.Errorf("[%d].%s %.40s is not a number", n, key, v)
		}
		windows = windows || string(key) != "action_type" && string(key) != "value"
		j, done, err = nextMember(b, end, '}')
	}
	return j, windows, err
}

// isNumberText reports whether a checked JSON value reads as a number the
// way from_json's DOUBLE does: null, a number, or a string that parses as
// a float (the API quotes its numbers). Plain decimals skip ParseFloat.
func isNumberText(v []byte) bool {
	num := v
	switch v[0] {
	case 'n':
		return true // null: the scan checked the literal
	case '"':
		num = v[1 : len(v)-1]
	case '{', '[', 't', 'f':
		return false
	}
	if plainDecimal(bytes.TrimPrefix(num, []byte("-"))) {
		return true
	}
	text := string(num)
	if v[0] == '"' {
		var err error
		if text, err = unquote(v); err != nil {
			return false
		}
	}
	_, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	return err == nil
}

// plainDecimal reports whether s is at most 20 digits with at most one '.'
// between digits: text ParseFloat always accepts.
func plainDecimal(s []byte) bool {
	if len(s) > 20 {
		return false
	}
	dot := -1
	for k, c := range s {
		switch {
		case '0' <= c && c <= '9':
		case c == '.' && dot < 0:
			dot = k
		default:
			return false
		}
	}
	return len(s) > 0 && dot != 0 && dot != len(s)-1
}

// parseDate reads YYYY-MM-DD, a real calendar day, without time.Parse's
// generality: two dates a row add up over millions of rows.
func parseDate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(part string) int {
		n := 0
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return -1
			}
			n = n*10 + int(part[i]-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d // 2025-02-30 would roll over to March
}

// parseScaled reads a decimal number as an integer count of 10^-scale,
// rounding half away from zero like DuckDB's CAST to DECIMAL. It returns
// the raw value the Appender stores for DECIMAL(18, scale).
func parseScaled(s string, scale int) (int64, error) {
	bad := func() (int64, error) { return 0, fmt.Errorf("%q is not a number", s) }
	if s != "" && (s[0] <= ' ' || s[0] >= utf8.RuneSelf || s[len(s)-1] <= ' ' || s[len(s)-1] >= utf8.RuneSelf) {
		s = strings.TrimSpace(s) // the API's numbers have no spaces: a check is cheaper than the trim
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return bad()
	}
	// n gathers the digits; digits counts them from the first that is not
	// zero, at most 18, so n cannot overflow
	var n uint64
	digits := 0
	for i := 0; i < len(intPart)+scale; i++ {
		c := byte('0') // past the fraction's digits: the scale's padding
		if i < len(intPart) {
			c = intPart[i]
		} else if j := i - len(intPart); j < len(frac) {
			c = frac[j]
		}
		if c -= '0'; c > 9 {
			return bad()
		}
		if n = n*10 + uint64(c); n != 0 {
			if digits++; digits > 18 {
				return bad()
			}
		}
	}
	if len(frac) > scale {
		rest := frac[scale:]
		if strings.Trim(rest, "0123456789") != "" {
			return bad()
		}
		if rest[0] >= '5' {
			n++
		}
	}
	if n > math.MaxInt64 {
		return bad()
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

// castExpr converts staged text (the API's string, or JSON text for nested
// values) to the column's type in SQL: for string lists and JSON columns in
// stageToTemp, and for every type when the cache serves the text it kept. DuckDB does
// the conversion, so a malformed value fails loudly instead of becoming a
// wrong number.
func castExpr(f stageField, v string) string {
	switch f.conv {
	case convText:
		return v
	case convMinor:
		return fmt.Sprintf("CAST(CAST(%s AS DECIMAL(38,0)) * 0.01 AS %s)", v, f.typ)
	case convTimestamp:
		return fmt.Sprintf("strptime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S%%z')", v)
	}
	switch f.typ {
	case fbtables.ActionStatsType:
		return fmt.Sprintf("from_json(%s, '%s')", v, actionStatsJSON)
	case "VARCHAR[]":
		return fmt.Sprintf(`from_json(%s, '["VARCHAR"]')`, v)
	}
	return fmt.Sprintf("CAST(%s AS %s)", v, f.typ)
}

// textExpr is the inverse of castExpr for a typed stage column: the text
// the cache keeps, which castExpr turns back into the same value. An
// action list, typed in the stage, is kept as DuckDB's JSON of it: every
// key, null windows too, numbers as DuckDB prints a DOUBLE (exactly).
func textExpr(f stageField, v string) string {
	if f.numericID() {
		return fmt.Sprintf("CAST(%s AS VARCHAR)", v) // UBIGINT until a value is not a canonical number
	}
	if f.parsedOnAppend() {
		return fmt.Sprintf("CAST(to_json(%s) AS VARCHAR)", v) // from_json of it gives the list back
	}
	switch f.conv {
	case convText, convJSON:
		return v
	case convMinor:
		return fmt.Sprintf("CAST(CAST(%s * 100 AS DECIMAL(38,0)) AS VARCHAR)", v)
	case convTimestamp:
		return fmt.Sprintf("strftime(timezone('UTC', %s), '%%Y-%%m-%%dT%%H:%%M:%%S+0000')", v)
	}
	return fmt.Sprintf("CAST(%s AS VARCHAR)", v)
}

// actionStatsNarrowExpr converts staged action-stat lists none of whose
// entries has a key besides action_type and value: from_json of those two
// keys, cast to the full type, whose windows the cast fills with NULL, costs
// DuckDB a quarter less than from_json of all eight (actionStatsJSON). A list
// whose entries have windows must not come here: it would lose them.
func actionStatsNarrowExpr(v string) string {
	return fmt.Sprintf(`CAST(from_json(%s, '[{"action_type":"VARCHAR","value":"DOUBLE"}]') AS %s)`, v, fbtables.ActionStatsType)
}

// actionStatsJSON is the from_json structure of an action-stat list.
const actionStatsJSON = `[{"action_type":"VARCHAR","value":"DOUBLE","1d_click":"DOUBLE","7d_click":"DOUBLE","28d_click":"DOUBLE","1d_view":"DOUBLE","7d_view":"DOUBLE","28d_view":"DOUBLE"}]`
