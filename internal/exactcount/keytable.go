package exactcount

import (
	"bytes"
	"unsafe"
)

// keyTable is the counting table (see Counter): one shard of a section's
// distinct keys, owned by one worker. Each key is stored once, in an
// arena record
//
//	count int64 | seq int64 | len uint32 | origin uint32 | key bytes | pad to 8
//
// and a slot is 8 bytes: the top 32 bits of the key's hash (the tag) and
// the record's 32-bit position. A lookup touches one slot and, when the
// tags agree, the record — whose header holds the count, so a hit costs
// no third memory access. The home slot is the tag's top bits, so the
// table grows without reading a record. No pointers: the garbage
// collector never scans it.
type keyTable struct {
	slots  []uint64 // power of two; 0 is empty
	shift  uint32   // 32 - log2(len(slots))
	n      int      // keys
	blocks [][]byte // arena; len = bytes used
	// bounds for the ranking's sort keys (see rankShards), kept here so
	// that ranking reads the arena once
	maxCount, maxSeq int64
	// singles[o]: keys seen once, first by worker o (see rankShards)
	singles []int
}

// recHdr is the header of an arena record.
type recHdr struct {
	count int64
	seq   int64 // position of the key's first line (the tie-breaker)
	ln    uint32
	// the worker that read the key's first line: each worker reads its
	// lines in order, so a table's records of one origin seen once are
	// in line order (see rankShards)
	origin uint32
}

const (
	recHdrSize = int(unsafe.Sizeof(recHdr{}))
	kBlockBits = 22 // largest arena block 4 MiB (room for huge pages)
	kBlock     = 1 << kBlockBits
	kFirst     = 64 << 10       // first arena block; each next one doubles, up to kBlock
	kPosBits   = kBlockBits - 3 // positions are multiples of 8
	maxBlocks  = 1 << (32 - kPosBits)
)

// newKeyTable returns a table of 1<<log2 slots for lines read by the given
// number of workers (origins 0 to workers-1).
func newKeyTable(log2 uint32, workers int) *keyTable {
	// maxCount is a bound: 1 before the first key, so no insert of a new
	// key has to raise it
	slots := make([]uint64, 1<<log2)
	touchPages(slots)
	t := &keyTable{slots: slots, shift: 32 - log2, singles: make([]int, workers), maxCount: 1}
	// a record never sits at position 0, so a slot is never 0
	t.blocks = [][]byte{make([]byte, 8, kFirst)}
	return t
}

// at returns the arena block holding the record at pos and its offset.
func (t *keyTable) at(pos uint32) ([]byte, int) {
	return t.blocks[pos>>kPosBits], int(pos&(1<<kPosBits-1)) << 3
}

// rec returns the header and key of the record at pos.
func (t *keyTable) rec(pos uint32) (*recHdr, []byte) {
	b, o := t.at(pos)
	h := (*recHdr)(unsafe.Pointer(&b[o]))
	return h, b[o+recHdrSize : o+recHdrSize+int(h.ln)]
}

// home is the first slot to probe for hash h.
func (t *keyTable) home(h uint64) uint32 { return uint32(h>>32) >> t.shift }

// prefetchSlot starts loading the home slot of h (see prefetch): a batch
// of lines prefetches its slots, then its records, then inserts, so the
// cache misses of a batch overlap.
func (t *keyTable) prefetchSlot(h uint64) {
	prefetch(uintptr(unsafe.Pointer(&t.slots[t.home(h)])))
}

// prefetchRecord starts loading the record that the home slot of h points
// to, if any.
func (t *keyTable) prefetchRecord(h uint64) {
	s := t.slots[t.home(h)]
	if s == 0 || uint32(s>>32) != uint32(h>>32) {
		return
	}
	b, o := t.at(uint32(s))
	prefetch(uintptr(unsafe.Pointer(&b[o])))
	// a record of a typical line spans two cache lines
	if o+64 < len(b) {
		prefetch(uintptr(unsafe.Pointer(&b[o+64])))
	}
}

// insert counts a line whose key is key (with hash h); seq is its
// position (the smallest one seen is kept), origin the worker that read
// it.
func (t *keyTable) insert(h uint64, key []byte, seq int64, origin uint32) {
	tag := uint32(h >> 32)
	mask := uint32(len(t.slots) - 1)
	for i := tag >> t.shift; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			t.slots[i] = uint64(tag)<<32 | uint64(t.store(key, seq, origin))
			t.n++
			t.maxSeq = max(t.maxSeq, seq)
			t.singles[origin]++
			if t.n*4 > len(t.slots)*3 {
				t.grow()
			}
			return
		}
		if uint32(s>>32) == tag {
			r, k := t.rec(uint32(s))
			if int(r.ln) == len(key) && bytes.Equal(k, key) {
				if r.count == 1 {
					t.singles[r.origin]--
				}
				r.count++
				t.maxCount = max(t.maxCount, r.count)
				if seq < r.seq {
					r.seq = seq
				}
				return
			}
		}
	}
}

// store appends the record of a key seen once to the arena and returns
// its position.
func (t *keyTable) store(key []byte, seq int64, origin uint32) uint32 {
	need := recHdrSize + (len(key)+7)&^7
	bi := len(t.blocks) - 1
	if cap(t.blocks[bi])-len(t.blocks[bi]) < need {
		// a small section keeps small blocks
		size := min(kBlock, 2*cap(t.blocks[bi]))
		if need > size {
			size = need // a huge key gets a block of its own
		}
		if len(t.blocks) >= maxBlocks {
			panic("exactcount: over 32 GiB of distinct lines in one section")
		}
		nb := make([]byte, 0, size)
		adviseHuge(unsafe.Pointer(unsafe.SliceData(nb)), size)
		t.blocks = append(t.blocks, nb)
		bi++
	}
	b := t.blocks[bi]
	o := len(b)
	b = b[:o+need]
	h := (*recHdr)(unsafe.Pointer(&b[o]))
	*h = recHdr{count: 1, seq: seq, ln: uint32(len(key)), origin: origin}
	copy(b[o+recHdrSize:], key)
	t.blocks[bi] = b
	return uint32(bi)<<kPosBits | uint32(o>>3)
}

func (t *keyTable) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	adviseHuge(unsafe.Pointer(unsafe.SliceData(t.slots)), 8*len(t.slots))
	touchPages(t.slots)
	t.shift--
	mask := uint32(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := uint32(s>>32) >> t.shift
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// each calls fn for every record, in insertion order, with its position.
func (t *keyTable) each(fn func(pos uint32, r *recHdr, key []byte)) {
	for bi, b := range t.blocks {
		o := 0
		if bi == 0 {
			o = 8
		}
		for o < len(b) {
			h := (*recHdr)(unsafe.Pointer(&b[o]))
			fn(uint32(bi)<<kPosBits|uint32(o>>3), h, b[o+recHdrSize:o+recHdrSize+int(h.ln)])
			o += recHdrSize + (int(h.ln)+7)&^7
		}
	}
}
