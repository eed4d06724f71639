package jsonscan

import "testing"

// TestPlainEndEveryByteEveryLane puts each byte value at each position of a 20-byte run of
// plain bytes and holds PlainEnd to a byte-at-a-time loop.
func TestPlainEndEveryByteEveryLane(t *testing.T) {
	slow := func(b []byte, i int) int {
		for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
			i++
		}
		return i
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			b := []byte("abcdefghijklmnopqrst")
			b[pos] = byte(c)
			for start := 0; start <= pos; start++ {
				if got, want := PlainEnd(b, start), slow(b, start); got != want {
					t.Fatalf("byte %#x at %d, from %d: PlainEnd = %d, want %d", c, pos, start, got, want)
				}
			}
		}
	}
}
