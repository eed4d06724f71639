package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fbsql/fbsql/internal/jsonscan"
)

// scannedPage is what one pass over a response body finds: the spans of the "data" elements,
// the raw "paging" and "error" values, all slices of the body (nothing is copied, except a row
// holding invalid UTF-8, which is rewritten with U+FFFD).
type scannedPage struct {
	object  bool     // the body is a JSON object
	hasData bool     // it has a "data" key whose value is an array
	badData string   // the JSON kind of a "data" value that is not an array, "" otherwise
	rows    [][]byte // the data array's elements (not with a PageReader: see read)
	data    []byte   // the data array, brackets included
	count   int      // how many elements it has
	read    bool     // a PageReader read them during the scan (scanPageRows)
	paging  []byte   // the "paging" value, nil when absent
	errRaw  []byte   // the "error" value, nil when absent
}

// maxDepth is the deepest nesting accepted, as encoding/json's own limit.
const maxDepth = 10000

// errBadJSON is a body that is not one JSON value (cut off, HTML, trailing bytes).
var errBadJSON = errors.New("not valid JSON")

// scanPage validates body as exactly one JSON value and, when it is an object, picks out its
// "data", "paging" and "error" members, in a single pass: the error check, the paging and the
// rows all come from the same walk over the bytes.
//
// With rowsChecked (Config.CallerChecksRows) the data array's elements are only delimited:
// strings are checked as always and brackets counted, so a cut-off body is still caught here
// and retried, but a row's grammar is left to the caller, whose own decoding pass checks it;
// each row's bytes are then read once, not twice.
func scanPage(body []byte, rowsChecked bool) (scannedPage, error) {
	s := scanner{b: body, delimitRows: rowsChecked}
	return s.page()
}

// page scans the whole body as one JSON value (scanPage, scanPageRows).
func (s *scanner) page() (scannedPage, error) {
	var p scannedPage
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '{' {
		p.object = true
		if err := s.topObject(&p); err != nil {
			return p, err
		}
	} else if err := s.value(0); err != nil {
		return p, err
	}
	s.space()
	if s.i != len(s.b) {
		return p, fmt.Errorf("%w: bytes after the value at offset %d", errBadJSON, s.i)
	}
	return p, nil
}

// scanner walks a JSON text; i is the next byte to read.
type scanner struct {
	b           []byte
	i           int
	delimitRows bool       // data elements are delimited, not checked (scanPage)
	pages       PageReader // reads the data elements in place (scanPageRows)
	dataSeen    bool       // a "data" member was met
}

func (s *scanner) fail(what string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("%w: cut off after %d bytes", errBadJSON, len(s.b))
	}
	return fmt.Errorf("%w: %s at offset %d", errBadJSON, what, s.i)
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// topObject reads the body's object, keeping the members a page is made of. A key given twice
// keeps its last value, as encoding/json does.
func (s *scanner) topObject(p *scannedPage) error {
	s.i++ // {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.space()
		keyStart := s.i
		if err := s.str(); err != nil {
			return err
		}
		key, err := memberName(s.b[keyStart:s.i])
		if err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("want ':'")
		}
		s.i++
		s.space()
		start := s.i
		if key == "data" {
			if s.dataSeen && s.pages != nil {
				return errScanAgain
			}
			s.dataSeen = true
		}
		switch {
		case key == "data" && s.i < len(s.b) && s.b[s.i] == '[' && s.pages != nil:
			n, err := s.readRows(s.pages)
			if err != nil {
				return err
			}
			p.rows, p.count, p.read = nil, n, true
			p.data, p.hasData, p.badData = s.b[start:s.i], true, ""
		case key == "data" && s.i < len(s.b) && s.b[s.i] == '[':
			rows, err := s.array()
			if err != nil {
				return err
			}
			p.rows, p.count = rows, len(rows)
			p.data, p.hasData, p.badData = s.b[start:s.i], true, ""
		default:
			if err := s.value(1); err != nil {
				return err
			}
			switch key {
			case "data":
				p.rows, p.count, p.data = nil, 0, nil
				p.hasData, p.badData = false, jsonKind(s.b[start])
			case "paging":
				p.paging = s.b[start:s.i]
			case "error":
				p.errRaw = s.b[start:s.i]
			}
		}
		s.space()
		if s.i >= len(s.b) {
			return s.fail("")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.fail("want ',' or '}'")
		}
	}
}

// memberName is a member name as JSON means it: escapes such as "d\u0061ta" are decoded, and
// names compare exactly, case included (encoding/json's struct fields would match "Paging").
func memberName(quoted []byte) (string, error) {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var name string
	if err := json.Unmarshal(quoted, &name); err != nil {
		return "", fmt.Errorf("%w: member name %s: %v", errBadJSON, quoted, err)
	}
	return name, nil
}

// array reads the data array and returns the span of each element.
func (s *scanner) array() ([][]byte, error) {
	s.i++ // [
	rows := [][]byte{}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return rows, nil
	}
	for {
		s.space()
		start := s.i
		var err error
		if s.delimitRows {
			err = s.span()
		} else {
			err = s.value(2)
		}
		if err != nil {
			return nil, err
		}
		row := s.b[start:s.i]
		if s.delimitRows {
			row = bytes.TrimRight(row, " \t\r\n") // a scalar's span runs to the ',' or ']'
		}
		if !utf8.Valid(row) {
			row = []byte(strings.ToValidUTF8(string(row), "\uFFFD")) // invalid bytes become U+FFFD
		}
		rows = append(rows, row)
		if more, err := s.afterElement(); err != nil || !more {
			return rows, err
		}
	}
}

// afterElement reads what follows an element of an array: a ',' (more follow) or the ']'.
func (s *scanner) afterElement() (more bool, err error) {
	s.space()
	if s.i >= len(s.b) {
		return false, s.fail("")
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, nil
	case ']':
		s.i++
		return false, nil
	}
	return false, s.fail("want ',' or ']'")
}

// value skips one JSON value, checking its grammar.
func (s *scanner) value(depth int) error {
	if depth > maxDepth {
		return s.fail("nested too deeply")
	}
	s.space()
	if s.i >= len(s.b) {
		return s.fail("")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		return s.container(depth)
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail("unexpected byte")
}

// container skips an object or an array.
func (s *scanner) container(depth int) error {
	open := s.b[s.i]
	end := byte('}')
	if open == '[' {
		end = ']'
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return nil
	}
	for {
		s.space()
		if open == '{' {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return s.fail("want a key")
			}
			if err := s.str(); err != nil {
				return err
			}
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return s.fail("want ':'")
			}
			s.i++
		}
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) {
			return s.fail("")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case end:
			s.i++
			return nil
		default:
			return s.fail("want ',' or the end of a container")
		}
	}
}

// str skips a string, checking escapes and control characters. Plain runs are crossed eight
// bytes at a time; the index lives in a local while it runs.
func (s *scanner) str() error {
	b, i := s.b, s.i
	if i >= len(b) || b[i] != '"' {
		return s.fail("want a string")
	}
	i++
	for i < len(b) {
		i = jsonscan.PlainEnd(b, i)
		if i >= len(b) {
			break
		}
		switch c := b[i]; { // PlainEnd stopped at '"', '\\' or a control character
		case c == '"':
			s.i = i + 1
			return nil
		case c < 0x20:
			s.i = i
			return s.fail("control character in a string")
		case c == '\\':
			i++
			if i >= len(b) {
				s.i = i
				return s.fail("")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(b) {
					s.i = len(b)
					return s.fail("")
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						s.i = i
						return s.fail("bad \\u escape")
					}
				}
				i += 5
			default:
				s.i = i
				return s.fail("bad escape")
			}
		}
	}
	s.i = i
	return s.fail("")
}

// span skips a data element whose grammar the caller checks (scanPage's rowsChecked):
// strings are read by str, brackets counted to find where the element ends. It never accepts
// a cut-off body: the element must close before the bytes run out.
func (s *scanner) span() error {
	b, i, depth := s.b, s.i, 0
	for i < len(b) {
		switch b[i] {
		case '"':
			s.i = i
			if err := s.str(); err != nil {
				return err
			}
			i = s.i
			continue
		case '{', '[':
			if depth++; depth > maxDepth {
				s.i = i
				return s.fail("nested too deeply")
			}
		case '}', ']':
			if depth == 0 {
				s.i = i
				return nil // the array's own ']' after a scalar element
			}
			if depth--; depth == 0 {
				s.i = i + 1
				return nil
			}
		case ',':
			if depth == 0 {
				s.i = i
				return nil
			}
		}
		i++
	}
	s.i = i
	return s.fail("")
}

// jsonKind names the kind of the JSON value starting with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i >= len(s.b) {
		return s.fail("")
	}
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return s.fail("bad number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return s.fail("bad number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return s.fail("bad number")
		}
	}
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("bad literal")
	}
	s.i += len(word)
	return nil
}
