// Package jsonscan holds the byte-level step that the Graph client's page scanner and the
// engine's row decoder share: crossing the plain part of a JSON string eight bytes at a time.
// Strings are most of the bytes an insights page holds, so both scanners spend their time here.
package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// PlainEnd returns the index of the first byte at or after i that ends a plain run inside a
// JSON string — '"', '\\' or a control character (< 0x20) — or len(b) if there is none.
func PlainEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := stops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	return i
}

// SWAR constants: a byte of each lane.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// stops marks, in eight bytes read as a little-endian word, the bytes PlainEnd stops at. Marks
// above the lowest one may be false alarms (borrows), never the lowest, which is all PlainEnd
// reads.
func stops(w uint64) uint64 {
	q, s := w^(lanes01*'"'), w^(lanes01*'\\')
	return ((q-lanes01)&^q | (s-lanes01)&^s | (w - lanes01*0x20)) &^ w & lanes80
}
