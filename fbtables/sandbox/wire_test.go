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

// TestAppendMoneyMatchesRatio holds the integer path to the float
// formatting it replaces, over every amount up to 10^6 cents, amounts near
// the cut-over and a spread of large ones.
func TestAppendMoneyMatchesRatio(t *testing.T) {
	var cents []int64
	for c := int64(0); c <= 1_000_000; c++ {
		cents = append(cents, c)
	}
	s := &stream{state: 9}
	for range 200_000 {
		cents = append(cents, int64(s.next()%1e11))
	}
	for c := int64(1e11 - 1000); c < 1e11+1000; c++ {
		cents = append(cents, c)
	}
	cents = append(cents, -1, -250, 1<<40, 1<<53)
	for _, c := range cents {
		if got, want := string(appendMoney(nil, c)), strconv.Quote(ratio(float64(c), 100)); got != want {
			t.Fatalf("%d cents: %s, want %s", c, got, want)
		}
	}
}
