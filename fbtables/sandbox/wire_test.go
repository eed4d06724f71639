package sandbox

import (
	"strconv"
	"testing"
)

// TestAppendDayMatchesTimeFormat holds the civil-date arithmetic to
// time.Format over every day from 1900 to 2200 and a few far ones.
func TestAppendDayMatchesTimeFormat(t *testing.T) {
	days := []int{-800000, -719529, -719528, 2932896, 2932897, 5000000}
	for d := -25567; d <= 84006; d++ {
		days = append(days, d)
	}
	for _, d := range days {
		if got, want := string(appendDay(nil, d)), strconv.Quote(dayString(d)); got != want {
			t.Fatalf("day %d: %s, want %s", d, got, want)
		}
	}
}

// TestAppendStringEscapes checks every byte, alone and between plain runs,
// against the escaping rules byte by byte: quote and backslash escaped,
// newline as \n, other control bytes as \u00XX, everything else as is.
func TestAppendStringEscapes(t *testing.T) {
	want := func(s string) string {
		out := `"`
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '"' || c == '\\':
				out += `\` + string(c)
			case c == '\n':
				out += `\n`
			case c < 0x20:
				out += `\u00` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
			default:
				out += string([]byte{c})
			}
		}
		return out + `"`
	}
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "cd" + string([]byte{byte(c)})} {
			if got := string(appendString(nil, s)); got != want(s) {
				t.Fatalf("byte %#x: %s, want %s", c, got, want(s))
			}
		}
	}
	if got := string(appendString([]byte("x"), "Île-de-France – Mother's Day")); got != `x"Île-de-France – Mother's Day"` {
		t.Errorf("got %s", got)
	}
}
