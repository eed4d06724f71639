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
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	}
	enc, err := marshal(v)
	return append(b, enc...), err
}

// appendString quotes s as JSON without HTML escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

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
	if b == 0 {
		return "0"
	}
	s := strconv.FormatFloat(a/b, 'f', 6, 64)
	if bytes.IndexByte([]byte(s), '.') >= 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s
}
