package sandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// params are the request's parameters, query and form merged (form wins, as a
// POST body would), minus access_token.
type params map[string]string

func readParams(r *http.Request) params {
	p := params{}
	_ = r.ParseForm() // a malformed body just leaves the query params
	for k, v := range r.Form {
		if k != "access_token" && len(v) > 0 {
			p[k] = v[len(v)-1]
		}
	}
	return p
}

// list parses a list parameter. Clients send both a JSON array
// (["age","gender"], what the SDKs send) and a comma-separated string
// (age,gender, what the docs' curl samples send); the API takes both.
func (p params) list(name string) ([]string, *apiError) {
	raw := strings.TrimSpace(p[name])
	if raw == "" {
		return nil, nil
	}
	if strings.HasPrefix(raw, "[") {
		var out []string
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			return nil, errParam("param %s must be an array.", name)
		}
		return out, nil
	}
	var out []string
	for _, f := range splitTopLevel(raw) {
		if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

// splitTopLevel splits on commas outside braces and parentheses, so field
// expansions like creative{id,name} or insights.limit(5){spend} stay whole.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '(':
			depth++
		case '}', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// limit parses the page size: default def, capped at 5000 like the API's
// edges cap it (the paging links stay correct for the capped size).
func (p params) limit(def int) (int, *apiError) {
	raw := p["limit"]
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, errParam("param limit must be a non-negative integer")
	}
	if n == 0 {
		n = def
	}
	return min(n, 5000), nil
}

var bareKey = regexp.MustCompile(`([{,]\s*)([A-Za-z_][A-Za-z0-9_.]*)\s*:`)

// relaxedJSON decodes JSON that may have unquoted keys: the docs' own curl
// sample sends filtering=[{field:"ad.impressions",operator:"GREATER_THAN",value:0}].
func relaxedJSON(raw string, v any) error {
	if err := json.Unmarshal([]byte(raw), v); err == nil {
		return nil
	}
	return json.Unmarshal([]byte(bareKey.ReplaceAllString(raw, `$1"$2":`)), v)
}

// dedupe drops repeated names, keeping first occurrences in order.
func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
