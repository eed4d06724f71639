package sandbox

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// obj is a JSON object that keeps its keys in insertion order. The Graph API
// writes fields in a stable, meaningful order (requested fields, then dates,
// then breakdowns), and byte-identical bodies across runs are part of the
// sandbox's contract, so maps (sorted keys) are not good enough.
type obj []kv

// kv is one key of an obj. V may be anything encoding/json accepts, or obj.
type kv struct {
	K string
	V any
}

// MarshalJSON writes the object with keys in order.
func (o obj) MarshalJSON() ([]byte, error) {
	return o.appendTo(nil)
}

func (o obj) appendTo(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, p := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.K)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, p.V); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendValue has fast paths for the shapes insights pages are made of
// (strings, nested objects, lists of objects); rendering a 5000-row page is
// dominated by this.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return appendString(b, x), nil
	case obj:
		return x.appendTo(b)
	case []obj:
		b = append(b, '[')
		for i, o := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = o.appendTo(b); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case rawJSON:
		return append(b, x...), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	}
	enc, err := marshal(v)
	return append(b, enc...), err
}

// appendString quotes s as JSON without HTML escaping. Runs of bytes that
// need no escape are copied whole.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		start = i + 1
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// rawJSON is a value already encoded as JSON (an insights page's rows),
// written as is.
type rawJSON []byte

// MarshalJSON returns the encoded value.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// marshal is json.Marshal without HTML escaping: the API writes the "&" of
// paging URLs as is, not as \u0026.
func marshal(v any) ([]byte, error) {
	if o, ok := v.(obj); ok {
		return o.appendTo(nil)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// get returns the value of key k, for tests and post-processing.
func (o obj) get(k string) (any, bool) {
	for _, p := range o {
		if p.K == k {
			return p.V, true
		}
	}
	return nil, false
}

// itoa renders a count the way the API does: a decimal string.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// money renders minor units as a decimal string without trailing zeros
// ("5339.5", "12", "0.07"), matching the API's spend values.
func money(cents int64) string {
	return ratio(float64(cents), 100)
}

// ratio renders a/b with up to 6 decimals and no trailing zeros; the API
// writes ctr, cpc and friends with at most six decimals.
func ratio(a, b float64) string {
	return string(appendDecimal(nil, a, b))
}

// appendMoney appends money(cents), quoted. Below 10^11 cents the double
// cents/100 lies within half a millionth of the exact two-decimal value, so
// its six-decimal rounding is that value: integer digits give the same
// bytes without formatting a float.
func appendMoney(b []byte, cents int64) []byte {
	if cents < 0 || cents >= 1e11 {
		return appendRatio(b, float64(cents), 100)
	}
	b = append(b, '"')
	b = strconv.AppendInt(b, cents/100, 10)
	switch f := cents % 100; {
	case f == 0:
	case f%10 == 0:
		b = append(b, '.', byte('0'+f/10))
	default:
		b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	}
	return append(b, '"')
}

// appendRatio appends ratio(a, x), quoted.
func appendRatio(b []byte, a, x float64) []byte {
	b = append(b, '"')
	b = appendDecimal(b, a, x)
	return append(b, '"')
}

// appendDecimal appends ratio(a, x) unquoted.
func appendDecimal(b []byte, a, x float64) []byte {
	if x == 0 {
		return append(b, '0')
	}
	n := len(b)
	b = strconv.AppendFloat(b, a/x, 'f', 6, 64)
	if bytes.IndexByte(b[n:], '.') >= 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	return b
}

// appendDay appends dayString(day), quoted, without going through
// time.Format (two of these per insights row): the civil date of a day
// number (H. Hinnant's days_from_civil, inverted).
func appendDay(b []byte, day int) []byte {
	z := day + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	if y < 0 || y > 9999 {
		return appendString(b, dayString(day))
	}
	return append(b, '"', byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), '"')
}
