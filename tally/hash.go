package tally

import (
	"encoding/binary"
	"math/bits"
)

// The hash is a hand-written wyhash (final version 4) with a fixed seed. It
// must never change: distinct-count sketches store hashes, and sketches
// serialized by one process (or one release) merge with those of another
// only when both hashed keys the same way. TestHash64Golden pins the output.
const (
	hashSeed = 0x2d358dccaa6c78a5
	wyp0     = 0xa0761d6478bd642f
	wyp1     = 0xe7037ed1a0b428db
	wyp2     = 0x8ebc6af09c88c6e3
	wyp3     = 0x589965cc75374cc3
)

func wymix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func r8(p []byte) uint64 { return binary.LittleEndian.Uint64(p) }
func r4(p []byte) uint64 { return uint64(binary.LittleEndian.Uint32(p)) }

// Hash64 is the fixed, process-independent 64-bit hash used by the distinct
// counters. It does not allocate.
func Hash64(p []byte) uint64 {
	n := len(p)
	seed := uint64(hashSeed) ^ wymix(hashSeed^wyp0, wyp1)
	var a, b uint64
	if n <= 16 {
		if n >= 4 {
			s := (n >> 3) << 2
			a = r4(p)<<32 | r4(p[s:])
			b = r4(p[n-4:])<<32 | r4(p[n-4-s:])
		} else if n > 0 {
			a = uint64(p[0])<<16 | uint64(p[n>>1])<<8 | uint64(p[n-1])
		}
	} else {
		q, i := p, n
		if i > 48 {
			s1, s2 := seed, seed
			for i > 48 {
				seed = wymix(r8(q)^wyp1, r8(q[8:])^seed)
				s1 = wymix(r8(q[16:])^wyp2, r8(q[24:])^s1)
				s2 = wymix(r8(q[32:])^wyp3, r8(q[40:])^s2)
				q, i = q[48:], i-48
			}
			seed ^= s1 ^ s2
		}
		for i > 16 {
			seed = wymix(r8(q)^wyp1, r8(q[8:])^seed)
			q, i = q[16:], i-16
		}
		a, b = r8(p[n-16:]), r8(p[n-8:])
	}
	a ^= wyp1
	b ^= seed
	hi, lo := bits.Mul64(a, b)
	return wymix(lo^wyp0^uint64(n), hi^wyp1)
}
