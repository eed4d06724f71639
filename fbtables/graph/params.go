package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Params are request parameters. Values: string (sent as is), []string (fields: comma-joined on
// GET; other keys JSON array), int/int64/float64/bool (formatted; bools as true/false), or
// anything else (maps, slices of maps, structs) JSON-encoded compactly with sorted map keys —
// exactly how Meta's Python SDK encodes them. A nil value omits the parameter.
type Params map[string]any

// Param is one request parameter of a plan. Value takes the types Params does.
type Param struct {
	Key   string
	Value any
}

// ParamList is a plan's request parameters in a stable order (the order
// EXPLAIN prints and cache keys hash). The client reads it as given, so a
// planner's scan is passed through without conversion.
type ParamList []Param

// Get returns the value of key, if set.
func (l ParamList) Get(key string) (any, bool) {
	for _, p := range l {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

// params copies the list into a new Params map the client may change;
// a later duplicate of a key wins, as in a map literal built in order.
func (l ParamList) params() Params {
	p := make(Params, len(l)+2)
	for _, kv := range l {
		p[kv.Key] = kv.Value
	}
	return p
}

// Encode returns p as query or form values for method. On GET, `fields` given as []string is
// comma-joined (what Graph edges expect); on POST it is a JSON array, as the async insights
// endpoint expects. Encode panics on a value encoding/json cannot encode (a channel, a func):
// that is a programming error, and dropping the parameter silently could widen or change a query.
// The client itself reports such values as errors instead.
func (p Params) Encode(method string) url.Values {
	v, err := p.encode(method)
	if err != nil {
		panic(err)
	}
	return v
}

// encode is Encode returning an error, so requests can fail cleanly on a bad value.
func (p Params) encode(method string) (url.Values, error) {
	out := make(url.Values, len(p))
	for key, val := range p {
		if val == nil {
			continue
		}
		s, err := encodeValue(method, key, val)
		if err != nil {
			return nil, fmt.Errorf("encode parameter %q: %w", key, err)
		}
		out.Set(key, s)
	}
	return out, nil
}

// encodeValue formats one parameter value as Meta's Python SDK (api.py) would: scalars as text,
// lists, dicts and bools through json.dumps(sort_keys=True, separators=(',', ':')).
func encodeValue(method, key string, val any) (string, error) {
	switch v := val.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case []string:
		if key == "fields" && strings.EqualFold(method, "GET") {
			return strings.Join(v, ","), nil
		}
		return pythonJSON(v)
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), nil
	case float64:
		// 'f' rather than 'g': the server parses "1000000" everywhere, "1e+06" not necessarily.
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	default:
		return pythonJSON(v)
	}
}

// pythonJSON encodes v byte-for-byte like Python's json.dumps(v, sort_keys=True,
// separators=(',', ':')), so the fake server and the real API see what the SDK would send.
func pythonJSON(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	// Round-trip through a generic value: struct fields come out in declaration order, but
	// sort_keys sorts every object; maps re-encode with sorted keys. UseNumber keeps numbers
	// exactly as first written.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Python leaves <, > and & alone; Go would write \u003c and friends.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return "", err
	}
	return asciiEscape(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// asciiEscape writes every non-ASCII rune as \uXXXX (surrogate pairs above U+FFFF), matching
// Python's default ensure_ascii=True. Non-ASCII can only occur inside JSON strings, so this is
// safe on a whole document.
func asciiEscape(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			sb.WriteRune(r)
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&sb, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&sb, `\u%04x`, r)
		}
	}
	return sb.String()
}
