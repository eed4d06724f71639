package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A one-pass JSON scanner for API rows: it finds each member of an object
// and checks, in the same pass, that every value is well-formed JSON, so a
// row's bytes are read once (encoding/json would read them once to check
// them and again to decode). FuzzScanObject holds it to encoding/json.

// maxDepth is encoding/json's nesting limit, kept so both accept the same.
const maxDepth = 10000

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
	return scanMembers(b, i, 0, func(key []byte, at int) (int, error) {
		end, err := skipValue(b, at, 1)
		if err != nil {
			return 0, err
		}
		return end, fn(key, b[at:end])
	})
}

// scanMembers walks the members of the object at b[i]; member is given
// each key and where its value starts, and returns where the value ends
// (it reads the value itself, checking it).
func scanMembers(b []byte, i, depth int, member func(key []byte, at int) (int, error)) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, errors.New("not a JSON object")
	}
	if depth >= maxDepth {
		return 0, errors.New("nested too deep")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, fmt.Errorf("expected a key at byte %d", i)
		}
		end, err := stringEnd(b, i)
		if err != nil {
			return 0, err
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			s, err := unquote(b[i:end])
			if err != nil {
				return 0, err
			}
			key = []byte(s)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, fmt.Errorf("expected ':' at byte %d", i)
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return 0, errors.New("missing value")
		}
		vend, err := member(key, i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return 0, errors.New("unterminated object")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, fmt.Errorf("expected ',' or '}' at byte %d", i)
		}
	}
}

// eachElement calls elem with where each element of the array at b[i]
// starts; elem returns where it ends (reading it itself). It returns the
// index just past the array.
func eachElement(b []byte, i int, elem func(at int) (int, error)) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return 0, errors.New("not a JSON array")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return 0, errors.New("unterminated array")
		}
		end, err := elem(i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return 0, errors.New("unterminated array")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, fmt.Errorf("expected ',' or ']' at byte %d", i)
		}
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errors.New("data after the object")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
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
		return 0, errors.New("missing value")
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{':
		return scanMembers(b, i, depth, func(_ []byte, at int) (int, error) { return skipValue(b, at, depth+1) })
	case c == '[':
		if depth >= maxDepth {
			return 0, errors.New("nested too deep")
		}
		return eachElement(b, i, func(at int) (int, error) { return skipValue(b, at, depth+1) })
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

func literal(b []byte, i int, word string) (int, error) {
	if !bytes.HasPrefix(b[i:], []byte(word)) {
		return 0, fmt.Errorf("malformed value at byte %d", i)
	}
	return i + len(word), nil
}

// numberEnd checks JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) (int, error) {
	start := i
	bad := func() (int, error) { return 0, fmt.Errorf("malformed number at byte %d", start) }
	digits := func() bool {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return bad()
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return bad()
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return bad()
		}
	}
	return i, nil
}

// stringEnd returns the index just past the string starting at b[i] == '"',
// checking its escapes and that it holds no control characters.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, fmt.Errorf("control character in string at byte %d", j)
		case c == '\\':
			j++
			if j >= len(b) {
				return 0, errors.New("unterminated string")
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1:j+5]) {
					return 0, fmt.Errorf("bad \\u escape at byte %d", j)
				}
				j += 4
			default:
				return 0, fmt.Errorf("bad escape at byte %d", j)
			}
		}
	}
	return 0, errors.New("unterminated string")
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
