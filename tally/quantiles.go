package tally

import "math"

// Quantile sketch parameters (DDSketch, Masson, Rim, Lee 2019): logarithmic
// buckets of ratio γ = (1+α)/(1−α) give every quantile within relative
// accuracy α of a true sample value, as long as the bucket range was not
// collapsed.
const (
	// QuantileAccuracy is the relative accuracy α of Quantiles.
	QuantileAccuracy = 0.01
	// QuantileMaxBins bounds the buckets of each sign (16 KiB each). With
	// α = 1% they span a ratio of γ^2048 ≈ 6·10^17 between the smallest and
	// largest magnitude; beyond that the smallest magnitudes are merged into
	// the lowest bucket (losing accuracy only there).
	QuantileMaxBins = 2048
)

var (
	qGamma       = (1 + QuantileAccuracy) / (1 - QuantileAccuracy)
	qLogGamma    = math.Log(qGamma)
	qInvLogGamma = 1 / qLogGamma
)

// Bucket indices are bounded by the float64 range: |log_γ(v)| < 40000 for
// every finite non-zero v.
const qMaxIndex = 40000

// Quantiles is a bounded, mergeable quantile sketch with exact count, sum,
// min and max. Zero and negative values are supported; NaN and ±Inf are
// ignored. Memory is at most 2 × QuantileMaxBins counters.
//
// Not safe for concurrent use.
type Quantiles struct {
	count    uint64
	sum      float64
	min, max float64
	zero     uint64
	pos, neg qstore // by index of |v|
}

// qstore is a dense run of bucket counters: counts[i] is bucket lo+i.
type qstore struct {
	lo     int32
	counts []uint64
	spare  []uint64 // reused by reshape so steady-state adds never allocate
}

// NewQuantiles returns an empty sketch.
func NewQuantiles() *Quantiles { return &Quantiles{} }

func qIndex(v float64) int32 { return int32(math.Ceil(math.Log(v) * qInvLogGamma)) }

// qValue is the representative of bucket i, within α of every value in it.
func qValue(i int32) float64 { return math.Exp(float64(i)*qLogGamma) * 2 / (1 + qGamma) }

// Add records v. It does not allocate once the sketch has seen values of
// similar magnitude.
func (q *Quantiles) Add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if q.count == 0 || v < q.min {
		q.min = v
	}
	if q.count == 0 || v > q.max {
		q.max = v
	}
	q.count++
	q.sum += v
	switch {
	case v > 0:
		q.pos.add(qIndex(v), 1)
	case v < 0:
		q.neg.add(qIndex(-v), 1)
	default:
		q.zero++
	}
}

func (s *qstore) hi() int32 { return s.lo + int32(len(s.counts)) - 1 }

func (s *qstore) add(i int32, n uint64) {
	if len(s.counts) == 0 {
		s.lo = i
		s.counts = append(s.counts[:0], n)
		return
	}
	lo, hi := min(s.lo, i), max(s.hi(), i)
	if hi-lo+1 > QuantileMaxBins {
		lo = hi - QuantileMaxBins + 1
	}
	if lo != s.lo || hi != s.hi() {
		s.reshape(lo, hi)
	}
	s.counts[max(i, s.lo)-s.lo] += n
}

// reshape moves the counters to the range [lo, hi], folding buckets below
// lo into bucket lo.
func (s *qstore) reshape(lo, hi int32) {
	n := int(hi - lo + 1)
	buf := s.spare
	if cap(buf) < n {
		buf = make([]uint64, n, min(max(2*n, 64), QuantileMaxBins))
	}
	buf = buf[:n]
	clear(buf)
	for j, c := range s.counts {
		idx := max(s.lo+int32(j), lo)
		buf[idx-lo] += c
	}
	s.spare = s.counts[:0]
	s.counts, s.lo = buf, lo
}

func (s *qstore) reset() { s.counts = s.counts[:0] }

func (s *qstore) merge(o *qstore) {
	if len(o.counts) == 0 {
		return
	}
	s.add(o.lo, 0)
	s.add(o.hi(), 0)
	for j, c := range o.counts {
		if c != 0 {
			s.add(o.lo+int32(j), c)
		}
	}
}

// Count is the number of values added.
func (q *Quantiles) Count() uint64 { return q.count }

// Sum is the exact (float64) sum of the values.
func (q *Quantiles) Sum() float64 { return q.sum }

// Min is the smallest value (0 when empty).
func (q *Quantiles) Min() float64 { return q.min }

// Max is the largest value (0 when empty).
func (q *Quantiles) Max() float64 { return q.max }

// Quantile returns an estimate of the p-quantile (0 ≤ p ≤ 1) within
// QuantileAccuracy relative error of the sample value of rank ⌊p·(n−1)⌋
// (0-based, in sorted order). It returns 0 for an empty sketch.
func (q *Quantiles) Quantile(p float64) float64 {
	if q.count == 0 || math.IsNaN(p) {
		return 0
	}
	if p <= 0 {
		return q.min
	}
	if p >= 1 {
		return q.max
	}
	rank := math.Floor(p * float64(q.count-1))
	v := q.max
	var cum float64
	found := false
	for j := len(q.neg.counts) - 1; j >= 0 && !found; j-- {
		if cum += float64(q.neg.counts[j]); cum > rank {
			v, found = -qValue(q.neg.lo+int32(j)), true
		}
	}
	if !found {
		if cum += float64(q.zero); cum > rank {
			v, found = 0, true
		}
	}
	for j := 0; j < len(q.pos.counts) && !found; j++ {
		if cum += float64(q.pos.counts[j]); cum > rank {
			v, found = qValue(q.pos.lo+int32(j)), true
		}
	}
	return min(max(v, q.min), q.max)
}

// Stat summarises the sketch; Name is left empty.
func (q *Quantiles) Stat() Stat {
	s := Stat{Count: q.count, Sum: q.sum, Min: q.min, Max: q.max}
	if q.count > 0 {
		s.Mean = q.sum / float64(q.count)
		s.P50, s.P95, s.P99 = q.Quantile(0.50), q.Quantile(0.95), q.Quantile(0.99)
	}
	return s
}

// Reset empties the sketch, keeping its memory.
func (q *Quantiles) Reset() {
	q.count, q.sum, q.min, q.max, q.zero = 0, 0, 0, 0, 0
	q.pos.reset()
	q.neg.reset()
}

// Merge adds o's values into q. o is not modified.
func (q *Quantiles) Merge(o *Quantiles) {
	if o == nil || o == q || o.count == 0 {
		return
	}
	if q.count == 0 {
		q.min, q.max = o.min, o.max
	} else {
		q.min, q.max = min(q.min, o.min), max(q.max, o.max)
	}
	q.count += o.count
	q.sum += o.sum
	q.zero += o.zero
	q.pos.merge(&o.pos)
	q.neg.merge(&o.neg)
}

// MarshalBinary encodes the sketch (versioned).
func (q *Quantiles) MarshalBinary() ([]byte, error) {
	var e encoder
	q.encode(&e)
	return e.b, nil
}

func (q *Quantiles) encode(e *encoder) {
	e.header(magicQuantiles)
	e.u(q.count)
	e.f(q.sum)
	e.f(q.min)
	e.f(q.max)
	e.u(q.zero)
	for _, s := range []*qstore{&q.pos, &q.neg} {
		e.i(int64(s.lo))
		e.u(uint64(len(s.counts)))
		for _, c := range s.counts {
			e.u(c)
		}
	}
}

// UnmarshalBinary replaces q with the decoded sketch. Corrupt input returns
// an error wrapping ErrCorrupt (or ErrVersion) and leaves q unchanged.
func (q *Quantiles) UnmarshalBinary(data []byte) error {
	d := decoder{what: "quantiles", b: data}
	n, err := decodeQuantiles(&d)
	if err == nil {
		err = d.done()
	}
	if err != nil {
		return err
	}
	*q = *n
	return nil
}

func decodeQuantiles(d *decoder) (*Quantiles, error) {
	d.header(magicQuantiles)
	q := &Quantiles{count: d.u(), sum: d.f(), min: d.f(), max: d.f(), zero: d.u()}
	total := q.zero
	for _, s := range []*qstore{&q.pos, &q.neg} {
		lo := d.i()
		n := d.n(1, QuantileMaxBins)
		if d.err != nil {
			return nil, d.err
		}
		if lo < -qMaxIndex || lo+int64(n) > qMaxIndex {
			d.fail("bucket range")
			return nil, d.err
		}
		s.lo = int32(lo)
		s.counts = make([]uint64, n)
		for j := range s.counts {
			c := d.u()
			if total+c < total {
				d.fail("count overflow")
			}
			total += c
			s.counts[j] = c
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if total != q.count {
		d.fail("bucket counts %d != count %d", total, q.count)
		return nil, d.err
	}
	bad := func(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }
	if bad(q.min) || bad(q.max) || q.min > q.max ||
		(q.count == 0 && (q.min != 0 || q.max != 0 || q.sum != 0)) {
		d.fail("bad min/max/sum")
		return nil, d.err
	}
	return q, nil
}
