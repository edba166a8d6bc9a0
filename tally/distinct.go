package tally

import (
	"maps"
	"math"
	"math/bits"
	"slices"
)

// HyperLogLog parameters: precision 14 gives 16384 one-byte registers
// (16 KiB) and a standard error of 1.04/√16384 ≈ 0.81%.
const (
	hllP = 14
	hllM = 1 << hllP
	hllQ = 64 - hllP // rank bits; register values are 0..hllQ+1
)

// MaxExact bounds DistinctSketch's exact threshold (and so the memory of its
// exact set, 8 bytes of hash per key plus map overhead); larger thresholds
// are clamped.
const MaxExact = 1 << 16

// DistinctSketch counts distinct keys: exactly up to a threshold, then with
// a HyperLogLog sketch (precision 14, ≈0.8% standard error, 16 KiB).
//
// The exact set stores the 64-bit Hash64 of each key rather than the key, so
// "exact" means exact up to a hash collision (probability below 1e-10 for
// 65536 keys). Since the hash is fixed, sketches from different processes
// merge. The type is named DistinctSketch because Distinct is the summary
// row.
//
// Not safe for concurrent use.
type DistinctSketch struct {
	threshold int
	set       map[uint64]struct{} // exact mode
	regs      []uint8             // HLL registers; allocated on first switch, kept by Reset
	hll       bool                // HLL mode
	floor     uint64              // HLL mode: a proven lower bound of the cardinality
}

// NewDistinctSketch counts exactly up to exact keys (clamped to
// [0, MaxExact]; 0 means HyperLogLog from the first key).
func NewDistinctSketch(exact int) *DistinctSketch {
	exact = min(max(exact, 0), MaxExact)
	return &DistinctSketch{threshold: exact, set: make(map[uint64]struct{}, min(exact, 64))}
}

// Threshold is the exact-counting threshold.
func (d *DistinctSketch) Threshold() int { return d.threshold }

// Add counts key. It does not allocate when key was already seen or in
// HyperLogLog mode.
func (d *DistinctSketch) Add(key []byte) { d.AddHash(Hash64(key)) }

// AddHash counts a key by its Hash64, for callers that already hashed it.
func (d *DistinctSketch) AddHash(h uint64) {
	if d.hll {
		d.addReg(h)
		return
	}
	if _, ok := d.set[h]; ok {
		return
	}
	if len(d.set) < d.threshold {
		d.set[h] = struct{}{}
		return
	}
	d.toHLL()
	d.addReg(h)
}

func (d *DistinctSketch) toHLL() {
	if d.regs == nil {
		d.regs = make([]uint8, hllM)
	}
	for h := range d.set {
		d.addReg(h)
	}
	d.floor = max(d.floor, uint64(len(d.set))+1)
	clear(d.set)
	d.hll = true
}

func (d *DistinctSketch) addReg(h uint64) {
	i := h >> hllQ
	w := h << hllP
	r := uint8(hllQ + 1)
	if w != 0 {
		r = uint8(bits.LeadingZeros64(w) + 1)
	}
	if r > d.regs[i] {
		d.regs[i] = r
	}
}

// Count returns the number of distinct keys, and whether it is exact.
func (d *DistinctSketch) Count() (n uint64, exact bool) {
	if !d.hll {
		return uint64(len(d.set)), true
	}
	return max(uint64(math.Round(hllEstimate(d.regs))), d.floor), false
}

// hllEstimate is Ertl's improved estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches", 2017): unbiased over the whole range
// without empirical bias tables.
func hllEstimate(regs []uint8) float64 {
	var c [hllQ + 2]int
	for _, r := range regs {
		c[r]++
	}
	m := float64(hllM)
	z := m * hllTau(1-float64(c[hllQ+1])/m)
	for k := hllQ; k >= 1; k-- {
		z = 0.5 * (z + float64(c[k]))
	}
	z += m * hllSigma(float64(c[0])/m)
	const alphaInf = 0.5 / math.Ln2
	return alphaInf * m * m / z
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += x * y
		y += y
		if z == zp {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if z == zp {
			return z / 3
		}
	}
}

// Reset empties the sketch, keeping its memory.
func (d *DistinctSketch) Reset() {
	clear(d.set)
	clear(d.regs)
	d.hll = false
	d.floor = 0
}

// Merge adds o's keys into d (set union). Exact sets stay exact while the
// union fits d's threshold. o is not modified.
func (d *DistinctSketch) Merge(o *DistinctSketch) {
	if o == nil || o == d {
		return
	}
	if !o.hll {
		for h := range o.set {
			d.AddHash(h)
		}
		return
	}
	if !d.hll {
		d.toHLL()
	}
	for i, r := range o.regs {
		if r > d.regs[i] {
			d.regs[i] = r
		}
	}
	d.floor = max(d.floor, o.floor)
}

// MarshalBinary encodes the sketch (versioned): exact hashes, or the 16 KiB
// of registers.
func (d *DistinctSketch) MarshalBinary() ([]byte, error) {
	var e encoder
	d.encode(&e)
	return e.b, nil
}

func (d *DistinctSketch) encode(e *encoder) {
	e.header(magicDistinct)
	e.u(uint64(d.threshold))
	e.bool(d.hll)
	if d.hll {
		e.u(d.floor)
		e.b = append(e.b, d.regs...)
		return
	}
	e.u(uint64(len(d.set)))
	for _, h := range slices.Sorted(maps.Keys(d.set)) { // deterministic bytes
		e.u64(h)
	}
}

// UnmarshalBinary replaces d with the decoded sketch. Corrupt input returns
// an error wrapping ErrCorrupt (or ErrVersion) and leaves d unchanged.
func (d *DistinctSketch) UnmarshalBinary(data []byte) error {
	dec := decoder{what: "distinct", b: data}
	n, err := decodeDistinct(&dec)
	if err == nil {
		err = dec.done()
	}
	if err != nil {
		return err
	}
	*d = *n
	return nil
}

func decodeDistinct(d *decoder) (*DistinctSketch, error) {
	d.header(magicDistinct)
	s := NewDistinctSketch(d.n(0, MaxExact))
	s.hll = d.bool()
	if s.hll {
		s.floor = d.u()
		regs := d.raw(hllM)
		if d.err != nil {
			return nil, d.err
		}
		s.regs = make([]uint8, hllM)
		for i, r := range regs {
			if r > hllQ+1 {
				d.fail("register %d out of range", r)
				return nil, d.err
			}
			s.regs[i] = r
		}
		return s, nil
	}
	n := d.n(8, s.threshold)
	for range n {
		h := d.u64()
		if d.err != nil {
			return nil, d.err
		}
		if _, dup := s.set[h]; dup {
			d.fail("duplicate hash")
			return nil, d.err
		}
		s.set[h] = struct{}{}
	}
	return s, d.err
}
