package tally

import "bytes"

// MaxTopK bounds TopK's K (and so its memory): larger values are clamped.
const MaxTopK = 1 << 16

// TopKParts is the number of parts a TopK is split into by key hash
// (TopKPart). It is fixed, not the number of goroutines feeding a table, so
// a table's content never depends on how many goroutines counted into it.
const TopKParts = 8

// TopKPart is the part of a key whose Hash64 is h: the top bits of the hash
// (the parts' own hash tables use the low bits).
func TopKPart(h uint64) int { return int(h >> 61) }

// TopK is a space-saving top-K sketch (Metwally, Agrawal, El Abbadi 2005)
// with an exact grand total, split by key hash into TopKParts independent
// parts.
//
// Each part tracks at most max(K, 64) keys, so the table tracks at most
// C = 8·max(K, 64) keys. While a part has room its counts are exact; a new
// key arriving at a full part evicts that part's key with the smallest
// count and inherits its count as Error. Reported counts overestimate the
// true count by at most Error, and Error ≤ (the part's total)/(its
// capacity). A table is exact (every Error 0) whenever no part ever filled:
// always when the stream has at most max(K, 64) distinct keys, and with
// high probability up to about 4K (keys spread evenly over the parts).
// Summary reports the K largest. Memory is bounded by C whatever the
// stream: per tracked key a 32-byte slot, at most 16 bytes of hash table
// and at most about 8 times its bytes in the two arenas (evicted keys' bytes are
// reclaimed once they are half of an arena, into a second arena that is
// reused) — O(C · key length). New keys do not allocate once the arenas
// and tables have grown to their working size.
//
// Concurrency: parts share nothing. AddHashed calls for keys of different
// parts (TopKPart) may run on different goroutines at the same time, which
// is how the pipeline counts one table on several workers: each part is fed
// by one goroutine, in input order, so the table is the same as one
// goroutine's. Every other method needs the whole table to itself.
type TopK struct {
	k     int
	parts [TopKParts]topPart
}

// topPart is one independent space-saving table: slots in an arena-backed
// open-addressing hash table (no allocation per new key once warm), and a
// min-heap of the slots by count, built only when the part first fills.
type topPart struct {
	capacity int
	total    uint64
	slots    []topSlot // a slot keeps its index until evicted
	table    []uint32  // linear probing by hash low bits: slot+1, 0 = empty
	keys     []byte    // arena of the tracked keys' bytes (and evicted ones, until compacted)
	spare    []byte    // the next arena, reused by compact
	garbage  int       // bytes of evicted keys in keys
	heap     []int32   // min-heap of slots by count, valid while full
	pos      []int32   // slot → position in heap
	full     bool      // len(slots) == capacity and the heap is valid
	_        [64]byte  // parts are written by different goroutines: no false sharing
}

type topSlot struct {
	hash       uint64
	off, n     uint32 // key = keys[off : off+n]
	count, err uint64
}

// topEntry is a tracked key outside the hash table (sorting, merging,
// decoding): its key is in the arena of the entryList holding it. Entries
// hold no pointers, so sorting them costs the garbage collector nothing.
type topEntry struct {
	count, err uint64
	off, n     uint32
}

// entryList is a list of entries with their keys.
type entryList struct {
	es    []topEntry
	arena []byte
}

func (l *entryList) add(key []byte, count, err uint64) {
	l.es = append(l.es, topEntry{count: count, err: err, off: uint32(len(l.arena)), n: uint32(len(key))})
	l.arena = append(l.arena, key...)
}

func (l *entryList) key(e *topEntry) []byte { return l.arena[e.off : e.off+e.n] }

// NewTopK returns an empty sketch reporting k keys; k is clamped to
// [1, MaxTopK].
func NewTopK(k int) *TopK {
	k = min(max(k, 1), MaxTopK)
	t := &TopK{k: k}
	for i := range t.parts {
		t.parts[i].capacity = topPartCapacity(k)
	}
	return t
}

// K is the number of keys Summary reports.
func (t *TopK) K() int { return t.k }

// Total is the sum of all n ever added (exact).
func (t *TopK) Total() uint64 {
	var n uint64
	for i := range t.parts {
		n += t.parts[i].total
	}
	return n
}

func topPartCapacity(k int) int { return max(k, 64) }

// topCapacity is the number of keys a table of k tracks at most.
func topCapacity(k int) int { return TopKParts * topPartCapacity(k) }

// Add counts key n times. It does not allocate once the table is warm
// (the arena and hash table have grown to their working size), new keys
// included: keys are copied into the part's arena.
func (t *TopK) Add(key []byte, n uint64) { t.AddHashed(key, Hash64(key), n) }

// AddHashed is Add for a caller that already has h = Hash64(key) (hashing
// can then run elsewhere, e.g. on the goroutine that extracted the key).
// See TopK for which calls may run concurrently.
func (t *TopK) AddHashed(key []byte, h uint64, n uint64) {
	if n == 0 {
		return
	}
	t.parts[TopKPart(h)].add(key, h, n)
}

func (p *topPart) add(key []byte, h uint64, n uint64) {
	p.total += n
	if len(p.table) == 0 {
		p.grow()
	}
	mask := uint64(len(p.table) - 1)
	i := h & mask
	for s := p.table[i]; s != 0; s = p.table[i] {
		e := &p.slots[s-1]
		if e.hash == h && bytes.Equal(p.keys[e.off:e.off+e.n], key) {
			e.count += n
			if p.full {
				p.down(int(p.pos[s-1]))
			}
			return
		}
		i = (i + 1) & mask
	}
	if len(p.slots) < p.capacity {
		p.slots = append(p.slots, topSlot{hash: h, count: n})
		p.setKey(len(p.slots)-1, key)
		p.table[i] = uint32(len(p.slots))
		if 2*len(p.slots) > len(p.table) {
			p.grow()
		}
		if len(p.slots) == p.capacity {
			p.buildHeap()
		}
		return
	}
	// Full: the new key takes over the slot of the smallest count.
	s := p.heap[0]
	p.unlink(s)
	e := &p.slots[s]
	p.garbage += int(e.n)
	e.hash, e.err = h, e.count
	e.count += n
	p.setKey(int(s), key)
	p.link(s)
	p.down(0)
	p.maybeCompact()
}

// setKey copies key into the arena as slot s's key.
func (p *topPart) setKey(s int, key []byte) {
	p.slots[s].off, p.slots[s].n = uint32(len(p.keys)), uint32(len(key))
	p.keys = append(p.keys, key...)
}

func (p *topPart) key(s int32) []byte {
	e := &p.slots[s]
	return p.keys[e.off : e.off+e.n]
}

// maybeCompact rewrites the arena without evicted keys once they are more
// than half of it, into the spare arena, so steady-state evictions reuse
// the same two buffers.
func (p *topPart) maybeCompact() {
	if p.garbage < 4096 || 2*p.garbage < len(p.keys) {
		return
	}
	next := p.spare[:0]
	for i := range p.slots {
		e := &p.slots[i]
		off := uint32(len(next))
		next = append(next, p.keys[e.off:e.off+e.n]...)
		e.off = off
	}
	p.spare, p.keys = p.keys[:0], next
	p.garbage = 0
}

// grow doubles the hash table (at least 16 entries) and re-links the slots.
func (p *topPart) grow() {
	n := max(16, 2*len(p.table))
	for n < 2*len(p.slots) {
		n *= 2
	}
	p.table = make([]uint32, n)
	for s := range p.slots {
		p.link(int32(s))
	}
}

// link puts slot s in the hash table (its key is not there yet).
func (p *topPart) link(s int32) {
	mask := uint64(len(p.table) - 1)
	i := p.slots[s].hash & mask
	for p.table[i] != 0 {
		i = (i + 1) & mask
	}
	p.table[i] = uint32(s + 1)
}

// unlink removes slot s from the hash table (backward-shift deletion, so
// probe sequences stay unbroken without tombstones).
func (p *topPart) unlink(s int32) {
	mask := uint64(len(p.table) - 1)
	i := p.slots[s].hash & mask
	for p.table[i] != uint32(s+1) {
		i = (i + 1) & mask
	}
	for {
		p.table[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			if p.table[j] == 0 {
				return
			}
			home := p.slots[p.table[j]-1].hash & mask
			// The entry at j may move to i unless its home lies cyclically in (i, j].
			if (i <= j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
				p.table[i] = p.table[j]
				i = j
				break
			}
		}
	}
}

func (p *topPart) buildHeap() {
	n := len(p.slots)
	p.heap, p.pos = p.heap[:0], p.pos[:0]
	for s := range n {
		p.heap = append(p.heap, int32(s))
		p.pos = append(p.pos, int32(s))
	}
	for i := n/2 - 1; i >= 0; i-- {
		p.down(i)
	}
	p.full = true
}

func (p *topPart) less(i, j int) bool {
	return p.slots[p.heap[i]].count < p.slots[p.heap[j]].count
}

func (p *topPart) swap(i, j int) {
	p.heap[i], p.heap[j] = p.heap[j], p.heap[i]
	p.pos[p.heap[i]] = int32(i)
	p.pos[p.heap[j]] = int32(j)
}

func (p *topPart) down(i int) {
	n := len(p.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && p.less(r, l) {
			c = r
		}
		if !p.less(c, i) {
			return
		}
		p.swap(i, c)
		i = c
	}
}

// minCount is the count a key absent from the part may have had: 0 while
// the part has room (it never evicted), else its smallest count.
func (p *topPart) minCount() uint64 {
	if !p.full {
		return 0
	}
	return p.slots[p.heap[0]].count
}

// find returns the slot of key, or -1.
func (p *topPart) find(key []byte, h uint64) int32 {
	if len(p.table) == 0 {
		return -1
	}
	mask := uint64(len(p.table) - 1)
	for i := h & mask; p.table[i] != 0; i = (i + 1) & mask {
		s := int32(p.table[i] - 1)
		if e := &p.slots[s]; e.hash == h && bytes.Equal(p.key(s), key) {
			return s
		}
	}
	return -1
}

func (p *topPart) reset() {
	p.total, p.garbage, p.full = 0, 0, false
	p.slots, p.keys, p.heap, p.pos = p.slots[:0], p.keys[:0], p.heap[:0], p.pos[:0]
	clear(p.table)
}

// entries adds the part's tracked keys to l.
func (p *topPart) entries(l *entryList) {
	for s := range p.slots {
		e := &p.slots[s]
		l.add(p.key(int32(s)), e.count, e.err)
	}
}

// load replaces the part's keys with the largest of l (sorted here,
// truncated to the capacity); the total is the caller's.
func (p *topPart) load(l *entryList) {
	l.sort()
	es := l.es[:min(len(l.es), p.capacity)]
	total := p.total
	keys := make([]byte, 0, len(l.arena))
	slots := make([]topSlot, 0, len(es))
	for i := range es {
		key := l.key(&es[i])
		slots = append(slots, topSlot{hash: Hash64(key), off: uint32(len(keys)), n: uint32(len(key)), count: es[i].count, err: es[i].err})
		keys = append(keys, key...)
	}
	p.reset()
	p.total, p.slots, p.keys = total, slots, keys
	p.table = nil
	p.grow()
	if len(p.slots) == p.capacity {
		p.buildHeap()
	}
}

// sorted returns every tracked entry by count descending, then key.
func (t *TopK) sorted() *entryList {
	n, size := 0, 0
	for i := range t.parts {
		n += len(t.parts[i].slots)
		size += len(t.parts[i].keys) - t.parts[i].garbage
	}
	l := &entryList{es: make([]topEntry, 0, n), arena: make([]byte, 0, size)}
	for i := range t.parts {
		t.parts[i].entries(l)
	}
	l.sort()
	return l
}

// Summary returns the K largest keys (count descending, then key
// ascending), with Other = Total − Σ Items' counts. Name is left empty.
func (t *TopK) Summary() Top {
	l := t.sorted()
	es := l.es[:min(len(l.es), t.k)]
	total := t.Total()
	top := Top{Total: total, Items: make([]KeyCount, len(es))}
	// The reported keys, in order, as one string that the items slice.
	size := 0
	for i := range es {
		size += int(es[i].n)
	}
	keys := make([]byte, 0, size)
	for i := range es {
		keys = append(keys, l.key(&es[i])...)
	}
	all := string(keys)
	var sum uint64
	off := uint32(0)
	for i, e := range es {
		top.Items[i] = KeyCount{Key: all[off : off+e.n], Count: e.count, Error: e.err}
		off += e.n
		sum += e.count
	}
	if sum < total { // counts are overestimates; never report a negative Other
		top.Other = total - sum
	}
	return top
}

// Reset empties the sketch, keeping its memory.
func (t *TopK) Reset() {
	for i := range t.parts {
		t.parts[i].reset()
	}
}

// Merge adds o into t, part by part (a key is in the same part of every
// table, in every process: Hash64 is fixed). Within a part that never
// filled on either side, counts simply add: while the union fits the
// part, the merge is exact and equals one table fed both streams, in any
// order. Otherwise it is the mergeable space-saving summary (Cafaro et al.):
// a key missing from one side is assumed to have that side's minimum count,
// added to its count and its Error, and the part keeps its capacity's
// largest, so Error bounds stay valid. o may have another K. o is not
// modified.
func (t *TopK) Merge(o *TopK) {
	if o == nil || o == t {
		return
	}
	for i := range t.parts {
		t.parts[i].merge(&o.parts[i])
	}
}

func (p *topPart) merge(o *topPart) {
	if o.total == 0 {
		return
	}
	if !p.full && !o.full && len(p.slots)+len(o.slots) <= p.capacity {
		// Exact and cheap: add o's keys one by one (the common case of
		// merging minutes of busy but not huge tables).
		for s := range o.slots {
			e := &o.slots[s]
			p.add(o.key(int32(s)), e.hash, e.count)
			if e.err != 0 {
				p.slots[p.find(o.key(int32(s)), e.hash)].err += e.err
			}
		}
		p.total += o.total - o.slotSum()
		return
	}
	minP, minO := p.minCount(), o.minCount()
	merged := &entryList{}
	for s := range p.slots {
		e := p.slots[s]
		if os := o.find(p.key(int32(s)), e.hash); os >= 0 {
			e.count += o.slots[os].count
			e.err += o.slots[os].err
		} else {
			e.count += minO
			e.err += minO
		}
		merged.add(p.key(int32(s)), e.count, e.err)
	}
	for s := range o.slots {
		e := o.slots[s]
		if p.find(o.key(int32(s)), e.hash) < 0 {
			merged.add(o.key(int32(s)), e.count+minP, e.err+minP)
		}
	}
	total := p.total + o.total
	p.load(merged)
	p.total = total
}

func (p *topPart) slotSum() uint64 {
	var n uint64
	for i := range p.slots {
		n += p.slots[i].count
	}
	return n
}

// MarshalBinary encodes the sketch (versioned).
func (t *TopK) MarshalBinary() ([]byte, error) {
	var e encoder
	t.encode(&e)
	return e.b, nil
}

// encode writes K, the total and every tracked entry in Summary order, so
// equal tables give equal bytes whatever fed them.
func (t *TopK) encode(e *encoder) {
	e.header(magicTopK)
	e.u(uint64(t.k))
	e.u(t.Total())
	l := t.sorted()
	e.u(uint64(len(l.es)))
	for i := range l.es {
		e.bytes(l.key(&l.es[i]))
		e.u(l.es[i].count)
		e.u(l.es[i].err)
	}
}

// UnmarshalBinary replaces t with the decoded sketch. Corrupt input returns
// an error wrapping ErrCorrupt (or ErrVersion) and leaves t unchanged.
func (t *TopK) UnmarshalBinary(data []byte) error {
	d := decoder{what: "topk", b: data}
	n, err := decodeTopK(&d)
	if err == nil {
		err = d.done()
	}
	if err != nil {
		return err
	}
	*t = *n
	return nil
}

func decodeTopK(d *decoder) (*TopK, error) {
	d.header(magicTopK)
	k := d.n(0, MaxTopK)
	total := d.u()
	n := d.n(3, topCapacity(MaxTopK))
	if d.err != nil {
		return nil, d.err
	}
	if k < 1 || n > topCapacity(k) {
		d.fail("k %d with %d entries", k, n)
		return nil, d.err
	}
	t := NewTopK(k)
	var parts [TopKParts]entryList
	seen := make(map[string]struct{}, n)
	var sum uint64
	for range n {
		key, count, err := d.bytes(), d.u(), d.u()
		if d.err != nil {
			return nil, d.err
		}
		if _, dup := seen[string(key)]; dup || err > count || count == 0 {
			d.fail("bad entry")
			return nil, d.err
		}
		seen[string(key)] = struct{}{}
		if sum+count < sum {
			d.fail("count overflow")
			return nil, d.err
		}
		sum += count
		parts[TopKPart(Hash64(key))].add(key, count, err)
	}
	// Every Add raises exactly one counter by n (space-saving), so the
	// counters never add up to more than the total; a sketch claiming so
	// is corrupt and would report a negative "other".
	if sum > total {
		d.fail("counters sum to %d, more than the total %d", sum, total)
		return nil, d.err
	}
	for i := range parts {
		p := &t.parts[i]
		p.total = 0
		for _, e := range parts[i].es {
			p.total += e.count
		}
		p.load(&parts[i])
	}
	// Only the grand total is encoded; the rest of it goes to part 0.
	t.parts[0].total += total - sum
	return t, nil
}
