package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fbsql/fbsql/internal/jsonscan"
)

// A one-pass JSON scanner for API rows: it finds each member of an object
// and checks, in the same pass, that every value is well-formed JSON, so a
// row's bytes are read once (encoding/json would read them once to check
// them and again to decode). FuzzScanObject holds it to encoding/json.
//
// Rows are most of the bytes a query moves, so the scanner is written as
// plain loops over indexes: no closure per member or element, and strings,
// the bulk of a row, are crossed eight bytes at a time (stringEnd).

// maxDepth is encoding/json's nesting limit, kept so both accept the same.
const maxDepth = 10000

var (
	errNotObject    = errors.New("not a JSON object")
	errNotArray     = errors.New("not a JSON array")
	errTooDeep      = errors.New("nested too deep")
	errMissingValue = errors.New("missing value")
	errUnterminated = errors.New("unterminated string")
)

// scanObject calls fn with the key and the raw value of each member of a
// JSON object, in one pass. Keys with escapes are unescaped; values are the
// exact bytes (strings with their quotes). Malformed input is an error.
func scanObject(b []byte, fn func(key, val []byte) error) error {
	end, err := scanObjectAt(b, skipSpace(b, 0), fn)
	if err != nil {
		return err
	}
	return trailing(b, end)
}

// scanObjectAt is scanObject for the object starting at b[i]; it returns
// the index just past it.
func scanObjectAt(b []byte, i int, fn func(key, val []byte) error) (int, error) {
	j, done, err := openObject(b, i)
	for !done && err == nil {
		var key []byte
		var at, end int
		if key, at, err = readKey(b, j); err != nil {
			break
		}
		if end, err = skipValue(b, at, 1); err != nil {
			break
		}
		if err = fn(key, b[at:end]); err != nil {
			break
		}
		j, done, err = nextMember(b, end, '}')
	}
	return j, err
}

// openObject checks that b[i] opens an object; it returns where its first
// key starts, or, for {}, the index past it and done.
func openObject(b []byte, i int) (next int, done bool, err error) {
	if i >= len(b) || b[i] != '{' {
		return 0, false, errNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true, nil
	}
	return i, false, nil
}

// openArray is openObject for an array.
func openArray(b []byte, i int) (next int, done bool, err error) {
	if i >= len(b) || b[i] != '[' {
		return 0, false, errNotArray
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true, nil
	}
	if i >= len(b) {
		return 0, false, errors.New("unterminated array")
	}
	return i, false, nil
}

// readKey reads `"key" :` at b[i]; it returns the key, unescaped, and where
// the value starts.
func readKey(b []byte, i int) (key []byte, at int, err error) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, fmt.Errorf("expected a key at byte %d", i)
	}
	end, esc, err := stringEndEsc(b, i)
	if err != nil {
		return nil, 0, err
	}
	key = b[i+1 : end-1]
	if esc {
		s, err := unquote(b[i:end])
		if err != nil {
			return nil, 0, err
		}
		key = []byte(s)
	}
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return nil, 0, fmt.Errorf("expected ':' at byte %d", i)
	}
	i = skipSpace(b, i+1)
	if i >= len(b) {
		return nil, 0, errMissingValue
	}
	return key, i, nil
}

// nextMember reads what follows a member or element ending at b[i]: a ','
// gives where the next one starts; close (} or ]) gives the index past the
// container and done.
func nextMember(b []byte, i int, close byte) (next int, done bool, err error) {
	// compact JSON, as the API writes it: no space on either side of ','
	if i+1 < len(b) {
		switch c := b[i]; {
		case c == ',' && b[i+1] > ' ':
			return i + 1, false, nil
		case c == close:
			return i + 1, true, nil
		}
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		if close == '}' {
			return 0, false, errors.New("unterminated object")
		}
		return 0, false, errors.New("unterminated array")
	}
	switch b[i] {
	case ',':
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return 0, false, errMissingValue
		}
		return i, false, nil
	case close:
		return i + 1, true, nil
	}
	return 0, false, fmt.Errorf("expected ',' or '%c' at byte %d", close, i)
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errors.New("data after the object")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i // compact JSON: nothing to skip
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i],
// checking all of it: strings, numbers, literals, and objects and arrays
// to any depth.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errMissingValue
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{':
		return skipObject(b, i, depth)
	case c == '[':
		return skipArray(b, i, depth)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return numberEnd(b, i)
	}
	return 0, fmt.Errorf("malformed value at byte %d", i)
}

func skipObject(b []byte, i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, errTooDeep
	}
	j, done, err := openObject(b, i)
	for !done && err == nil {
		var at, end int
		if _, at, err = readKey(b, j); err != nil {
			break
		}
		if end, err = skipValue(b, at, depth+1); err != nil {
			break
		}
		j, done, err = nextMember(b, end, '}')
	}
	return j, err
}

func skipArray(b []byte, i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, errTooDeep
	}
	j, done, err := openArray(b, i)
	for !done && err == nil {
		var end int
		if end, err = skipValue(b, j, depth+1); err != nil {
			break
		}
		j, done, err = nextMember(b, end, ']')
	}
	return j, err
}

func literal(b []byte, i int, word string) (int, error) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return 0, fmt.Errorf("malformed value at byte %d", i)
	}
	return i + len(word), nil
}

// numberEnd checks JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) (int, error) {
	start := i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digitsEnd(b, i+1)
	default:
		return 0, fmt.Errorf("malformed number at byte %d", start)
	}
	if i < len(b) && b[i] == '.' {
		j := digitsEnd(b, i+1)
		if j == i+1 {
			return 0, fmt.Errorf("malformed number at byte %d", start)
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digitsEnd(b, i)
		if j == i {
			return 0, fmt.Errorf("malformed number at byte %d", start)
		}
		i = j
	}
	return i, nil
}

func digitsEnd(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"',
// checking its escapes and that it holds no control characters.
func stringEnd(b []byte, i int) (int, error) {
	end, _, err := stringEndEsc(b, i)
	return end, err
}

// stringEndEsc is stringEnd that also says whether the string has escapes.
// Plain runs are crossed eight bytes at a time.
func stringEndEsc(b []byte, i int) (end int, esc bool, err error) {
	j := i + 1
	for {
		j = jsonscan.PlainEnd(b, j)
		if j >= len(b) {
			return 0, false, errUnterminated
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c < 0x20:
			return 0, false, fmt.Errorf("control character in string at byte %d", j)
		}
		esc = true
		j++
		if j >= len(b) {
			return 0, false, errUnterminated
		}
		switch b[j] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j++
		case 'u':
			if j+4 >= len(b) || !isHex(b[j+1:j+5]) {
				return 0, false, fmt.Errorf("bad \\u escape at byte %d", j)
			}
			j += 5
		default:
			return 0, false, fmt.Errorf("bad escape at byte %d", j)
		}
	}
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// unquote decodes a JSON string literal; the fast path has no escapes.
func unquote(lit []byte) (string, error) {
	if len(lit) >= 2 && bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}
