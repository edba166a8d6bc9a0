package exactcount

import "math/bits"

// marks finds the bytes of a block that the article scan (see
// shardWorker.block) must stop at: '\n', '[' and 'p'. It keeps one bit per
// byte, filled a segment at a time ahead of the scan, so that the scan
// jumps from stop to stop instead of testing every byte. Where the CPU
// can do it cheaply (markBlocks, AVX2) a 'p' is marked only before 'o' or
// 'i' ("port ", "pid="), which halves the stops on ordinary text; the
// scan checks every stop itself, so a mark too many is harmless, a
// missing one is not.
type marks struct {
	b    []byte
	m    []uint64 // bit j of m[k]: b[64k+j] is a stop; words [0, done) filled, the others 0
	n    int      // words for b; m has one more, always 0
	done int
}

// markSegment is how many words are filled at a time: 8 KiB of the block,
// read again by the scan while still in the cache. A variable for the
// tests, which fill one word at a time so that short inputs cross
// segments.
var markSegment = 128

func (mk *marks) reset(b []byte) {
	mk.b = b
	mk.n = (len(b) + 63) >> 6
	if cap(mk.m) < mk.n+1 {
		mk.m = make([]uint64, mk.n+1)
	}
	mk.m = mk.m[:mk.n+1]
	clear(mk.m) // inWord reads words not filled yet as "no stop"
	mk.done = 0
}

// next returns the position of the first stop at or after i. The block
// ends in '\n', so there is one for any i < len(b).
func (mk *marks) next(i int) int {
	if j := mk.inWord(i); j >= 0 {
		return j
	}
	if j := mk.inWord((i | 63) + 1); j >= 0 { // the next word
		return j
	}
	return mk.nextSlow(i)
}

// inWord returns the first stop at or after i in i's word of marks, or -1
// (also when the word is not filled yet); i may be the first byte past
// the block. The scan calls it for i's word, then for the next, before
// next: small enough to be inlined where next is not.
func (mk *marks) inWord(i int) int {
	if m := mk.m[i>>6] >> (i & 63); m != 0 {
		return i + bits.TrailingZeros64(m)
	}
	return -1
}

// nextSlow is next, filling words as it goes: up to i's word first, as
// the scan skips digit runs without looking at the marks and may land
// past the words filled so far.
func (mk *marks) nextSlow(i int) int {
	for w := i >> 6; ; w++ {
		for w >= mk.done {
			if mk.done == mk.n {
				panic("exactcount: marks: block does not end in '\\n'")
			}
			mk.fill()
		}
		m := mk.m[w]
		if w == i>>6 {
			m &= ^uint64(0) << (i & 63)
		}
		if m != 0 {
			return w<<6 + bits.TrailingZeros64(m)
		}
	}
}

// fill marks the next segment of words.
func (mk *marks) fill() {
	lo := mk.done
	hi := min(lo+markSegment, mk.n)
	// markBlocks reads one byte past each 64-byte block
	full := min(hi, (len(mk.b)-1)>>6)
	if full > lo {
		markBlocks(mk.m[lo:full], mk.b[lo<<6:full<<6+1])
		lo = full
	}
	for w := lo; w < hi; w++ {
		mk.m[w] = markWord(mk.b, w)
	}
	mk.done = hi
}

// markWord computes word w of the marks of b, a byte at a time (the last
// bytes of a block, and the reference for the tests).
func markWord(b []byte, w int) uint64 {
	var m uint64
	end := min(len(b), w<<6+64)
	for j := w << 6; j < end; j++ {
		switch b[j] {
		case '\n', '[':
			m |= 1 << (j & 63)
		case 'p':
			if j+1 < len(b) && (b[j+1] == 'o' || b[j+1] == 'i') {
				m |= 1 << (j & 63)
			}
		}
	}
	return m
}

// markBlocksSWAR is markBlocks without SIMD: 8 bytes at a time, marking
// every 'p' (and, rarely, a byte after a stop: see zeroBytes).
func markBlocksSWAR(dst []uint64, b []byte) {
	for k := range dst {
		var m uint64
		for o := 0; o < 64; o += 8 {
			x := le64(b[k<<6+o:])
			z := zeroBytes(x^nlBytes) | zeroBytes(x^pBytes) | zeroBytes(x^brBytes)
			// the high bit of each byte, gathered into the top byte
			m |= (z >> 7) * 0x0102040810204080 >> 56 << o
		}
		dst[k] = m
	}
}
