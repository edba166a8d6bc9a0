package tally

import (
	"cmp"
	"slices"
)

// MaxTopK bounds TopK's K (and so its memory): larger values are clamped.
const MaxTopK = 1 << 16

// TopK is a space-saving top-K sketch (Metwally, Agrawal, El Abbadi 2005)
// with an exact grand total.
//
// It tracks at most C = max(4K, 256) keys; a new key evicts the key with
// the smallest count and inherits that count as its Error. Reported counts
// overestimate the true count by at most Error (and Error ≤ Total/C); any
// key whose true count exceeds Total/C is guaranteed to be tracked. Summary
// reports the K largest.
// Memory is O(K · key length) whatever the stream.
//
// Not safe for concurrent use.
type TopK struct {
	k     int
	total uint64
	slots []topEntry       // len ≤ 2k; a slot keeps its index until evicted
	index map[string]int32 // key → slot
	heap  []int32          // min-heap of slots by count
	pos   []int32          // slot → position in heap
}

type topEntry struct {
	key        string
	count, err uint64
}

// NewTopK returns an empty sketch reporting k keys; k is clamped to
// [1, MaxTopK].
func NewTopK(k int) *TopK {
	k = min(max(k, 1), MaxTopK)
	return &TopK{k: k, index: make(map[string]int32, min(topCapacity(k), 1024))}
}

// K is the number of keys Summary reports.
func (t *TopK) K() int { return t.k }

// Total is the sum of all n ever added (exact).
func (t *TopK) Total() uint64 { return t.total }

// capacity is the number of keys tracked: 4K, at least 256. More counters
// than reported keys is what makes the reported counts exact (Error 0) on
// skewed streams.
func (t *TopK) capacity() int { return topCapacity(t.k) }

func topCapacity(k int) int { return max(4*k, 256) }

// Add counts key n times. It does not allocate when key is already tracked;
// key is copied when it starts being tracked.
func (t *TopK) Add(key []byte, n uint64) {
	if n == 0 {
		return
	}
	t.total += n
	if s, ok := t.index[string(key)]; ok {
		t.slots[s].count += n
		t.down(int(t.pos[s]))
		return
	}
	if len(t.slots) < t.capacity() {
		s := int32(len(t.slots))
		k := string(key)
		t.slots = append(t.slots, topEntry{key: k, count: n})
		t.index[k] = s
		t.pos = append(t.pos, int32(len(t.heap)))
		t.heap = append(t.heap, s)
		t.up(len(t.heap) - 1)
		return
	}
	s := t.heap[0]
	e := &t.slots[s]
	delete(t.index, e.key)
	e.key = string(key)
	e.err = e.count
	e.count += n
	t.index[e.key] = s
	t.down(0)
}

func (t *TopK) less(i, j int) bool {
	return t.slots[t.heap[i]].count < t.slots[t.heap[j]].count
}

func (t *TopK) swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.pos[t.heap[i]] = int32(i)
	t.pos[t.heap[j]] = int32(j)
}

func (t *TopK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.less(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *TopK) down(i int) {
	n := len(t.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && t.less(r, l) {
			c = r
		}
		if !t.less(c, i) {
			return
		}
		t.swap(i, c)
		i = c
	}
}

// minCount is the count a key absent from a full sketch may have had.
func (t *TopK) minCount() uint64 {
	if len(t.slots) < t.capacity() {
		return 0
	}
	return t.slots[t.heap[0]].count
}

// sorted returns the tracked entries by count descending, then key.
func (t *TopK) sorted() []topEntry {
	es := slices.Clone(t.slots)
	sortEntries(es)
	return es
}

func sortEntries(es []topEntry) {
	slices.SortFunc(es, func(a, b topEntry) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
}

// Summary returns the K largest keys (count descending, then key
// ascending), with Other = Total − Σ Items' counts. Name is left empty.
func (t *TopK) Summary() Top {
	es := t.sorted()
	es = es[:min(len(es), t.k)]
	top := Top{Total: t.total, Items: make([]KeyCount, len(es))}
	var sum uint64
	for i, e := range es {
		top.Items[i] = KeyCount{Key: e.key, Count: e.count, Error: e.err}
		sum += e.count
	}
	if sum < t.total { // counts are overestimates; never report a negative Other
		top.Other = t.total - sum
	}
	return top
}

// Reset empties the sketch, keeping its memory.
func (t *TopK) Reset() {
	clear(t.slots) // drop key references
	t.slots, t.heap, t.pos = t.slots[:0], t.heap[:0], t.pos[:0]
	clear(t.index)
	t.total = 0
}

// Merge adds o into t (the mergeable space-saving summary): a key missing
// from one side is assumed to have that side's minimum count, which is added
// to both its count and its error. Error bounds
// stay valid; o is not modified. The C largest are kept.
func (t *TopK) Merge(o *TopK) {
	if o == nil || o.total == 0 {
		return
	}
	minT, minO := t.minCount(), o.minCount()
	merged := make([]topEntry, 0, len(t.slots)+len(o.slots))
	for _, e := range t.slots {
		if s, ok := o.index[e.key]; ok {
			oe := o.slots[s]
			e.count += oe.count
			e.err += oe.err
		} else {
			e.count += minO
			e.err += minO
		}
		merged = append(merged, e)
	}
	for _, oe := range o.slots {
		if _, ok := t.index[oe.key]; !ok {
			oe.count += minT
			oe.err += minT
			merged = append(merged, oe)
		}
	}
	total := t.total + o.total
	t.load(merged)
	t.total = total
}

// load replaces the content with the largest entries of es (sorted here).
func (t *TopK) load(es []topEntry) {
	sortEntries(es)
	es = es[:min(len(es), t.capacity())]
	t.Reset()
	for i, e := range es {
		t.slots = append(t.slots, e)
		t.index[e.key] = int32(i)
		t.pos = append(t.pos, 0)
		t.heap = append(t.heap, int32(i))
	}
	// es is sorted descending: reversing gives ascending order, a valid min-heap.
	slices.Reverse(t.heap)
	for i, s := range t.heap {
		t.pos[s] = int32(i)
	}
}

// MarshalBinary encodes the sketch (versioned).
func (t *TopK) MarshalBinary() ([]byte, error) {
	var e encoder
	t.encode(&e)
	return e.b, nil
}

func (t *TopK) encode(e *encoder) {
	e.header(magicTopK)
	e.u(uint64(t.k))
	e.u(t.total)
	e.u(uint64(len(t.slots)))
	for _, s := range t.sorted() {
		e.str(s.key)
		e.u(s.count)
		e.u(s.err)
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
	es := make([]topEntry, 0, n)
	var sum uint64
	for range n {
		e := topEntry{key: d.str(), count: d.u(), err: d.u()}
		if d.err != nil {
			return nil, d.err
		}
		if _, dup := t.index[e.key]; dup || e.err > e.count || e.count == 0 {
			d.fail("bad entry")
			return nil, d.err
		}
		t.index[e.key] = 0
		if sum+e.count < sum {
			d.fail("count overflow")
			return nil, d.err
		}
		sum += e.count
		es = append(es, e)
	}
	// Every Add raises exactly one counter by n (space-saving), so the
	// counters never add up to more than the total; a sketch claiming so
	// is corrupt and would report a negative "other".
	if sum > total {
		d.fail("counters sum to %d, more than the total %d", sum, total)
		return nil, d.err
	}
	clear(t.index)
	t.load(es)
	t.total = total
	return t, nil
}
