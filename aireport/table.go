package aireport

import (
	"bytes"
	"hash/maphash"
	"unsafe"
)

// lineTable counts identical keys (masked lines) for exact grouping. It is
// an open-addressing hash table over a byte arena: one hash per line, no
// allocation per distinct key, and no pointers for the garbage collector
// to scan, so its cost follows the number of distinct keys, not lines.
// Entries keep their insertion order, the ranking's tie-breaker. Not safe
// for concurrent use.
type lineTable struct {
	seed   maphash.Seed
	slots  []tslot  // power of two; ent == 0 marks an empty slot
	blocks [][]byte // key arena: fixed-size blocks, never moved or copied
	ents   []tentry
}

// arenaBlock is the size of one arena block; off in a slot is
// block<<arenaShift | offset.
const (
	arenaShift = 20
	arenaBlock = 1 << arenaShift
)

// tslot holds what a hit needs — hash, key position, count — so a lookup
// touches one slot and the key bytes, nothing else.
type tslot struct {
	hash  uint64
	off   uint64
	count int64
	ln    uint32
	ent   uint32 // index into ents + 1
}

type tentry struct {
	prog        uint32 // length of the "program" part of the key (before ": ")
	slot        uint32 // current slot index (kept up to date by grow)
	first, last int64  // unix seconds, 0 unknown
}

func newLineTable(seed maphash.Seed) *lineTable {
	return &lineTable{seed: seed, slots: newSlots[tslot](1 << 14)}
}

func (t *lineTable) key(i int) []byte {
	return t.bytes(&t.slots[t.ents[i].slot])
}

func (t *lineTable) bytes(s *tslot) []byte {
	b := t.blocks[s.off>>arenaShift]
	o := s.off & (arenaBlock - 1)
	return b[o : o+uint64(s.ln)]
}

// store copies key into the arena and returns its position.
func (t *lineTable) store(key []byte) uint64 {
	n := len(t.blocks)
	if n == 0 || cap(t.blocks[n-1])-len(t.blocks[n-1]) < len(key) {
		size := arenaBlock
		if len(key) > size {
			size = len(key) // a huge key gets a block of its own
		}
		t.blocks = append(t.blocks, make([]byte, 0, size))
		n++
	}
	b := t.blocks[n-1]
	off := uint64(n-1)<<arenaShift | uint64(len(b))
	t.blocks[n-1] = append(b, key...)
	return off
}

func (t *lineTable) count(i int) int64 { return t.slots[t.ents[i].slot].count }

// add counts key once (n times) and returns its entry index.
func (t *lineTable) add(key []byte, prog int, n int64) int {
	return t.addHash(maphash.Bytes(t.seed, key), key, prog, n)
}

func (t *lineTable) addHash(h uint64, key []byte, prog int, n int64) int {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.ent == 0 {
			t.ents = append(t.ents, tentry{prog: uint32(prog), slot: uint32(i)})
			*s = tslot{hash: h, off: t.store(key), ln: uint32(len(key)), count: n, ent: uint32(len(t.ents))}
			if len(t.ents)*4 > len(t.slots)*3 {
				t.grow()
			}
			return len(t.ents) - 1
		}
		if s.hash == h && int(s.ln) == len(key) && bytes.Equal(t.bytes(s), key) {
			s.count += n
			return int(s.ent - 1)
		}
	}
}

func (t *lineTable) grow() {
	old := t.slots
	t.slots = newSlots[tslot](2 * len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.ent == 0 {
			continue
		}
		i := s.hash & mask
		for t.slots[i].ent != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
		t.ents[s.ent-1].slot = uint32(i)
	}
}

// seen widens entry i's time range by ts (0: unknown).
func (t *lineTable) seen(i int, ts int64) {
	if ts == 0 {
		return
	}
	e := &t.ents[i]
	if e.first == 0 || ts < e.first {
		e.first = ts
	}
	if ts > e.last {
		e.last = ts
	}
}

// merge adds every entry of o (built with the same seed) to t.
func (t *lineTable) merge(o *lineTable, examples map[int][]string, oex map[int][]string, maxEx int) {
	for j := range o.ents {
		e := &o.ents[j]
		os := &o.slots[e.slot]
		i := t.addHash(os.hash, o.bytes(os), int(e.prog), os.count)
		if e.first != 0 {
			t.seen(i, e.first)
			t.seen(i, e.last)
		}
		for _, ex := range oex[j] {
			if len(examples[i]) < maxEx {
				examples[i] = append(examples[i], ex)
			}
		}
	}
}

// newSlots returns a hash table's slot array of n zero slots, a zero
// written into every 4 KiB page before the table probes it. Probing reads
// before it writes, and a first read of an untouched page maps the
// kernel's shared zero page; the write that follows then replaces it,
// which flushes the TLB of every CPU running the process (an
// inter-processor interrupt, costly in a VM): most of the page-fault time
// of exact grouping before this (the article fast path's table in
// internal/exactcount does the same). A first write maps the page
// directly.
func newSlots[T any](n int) []T {
	s := make([]T, n)
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
	return s
}
