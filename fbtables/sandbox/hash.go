package sandbox

// Everything random in the sandbox comes from these hash functions, never from
// math/rand or the clock: a metric is a function of (seed, ad id, date), so it
// reads the same in every process, in any request order, on any day.

// mix is the splitmix64 finalizer: a fast bijective scramble with good
// avalanche, enough for synthetic data.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash2 and hash3 combine words; they are not variadic so the hot per-ad-day
// path does not allocate.
func hash2(a, b uint64) uint64    { return mix(mix(a) ^ b) }
func hash3(a, b, c uint64) uint64 { return mix(hash2(a, b) ^ c) }

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// between maps a hash to [lo, hi).
func between(h uint64, lo, hi float64) float64 { return lo + (hi-lo)*unit(h) }

// strHash hashes a string (FNV-1a), used to fold ids and salts into words.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// stream is a deterministic sequence of hashes, used while building the
// entity tree where a plain sequence of draws is the natural shape.
type stream struct{ state uint64 }

func (s *stream) next() uint64 {
	s.state++
	return mix(s.state * 0x2545f4914f6cdd1d)
}

// intn returns a value in [0, n).
func (s *stream) intn(n int) int { return int(s.next() % uint64(n)) }

// pick returns one element of list.
func pick[T any](s *stream, list []T) T { return list[s.intn(len(list))] }
