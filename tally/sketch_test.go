package tally

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func TestHash64Golden(t *testing.T) {
	// These values must never change: serialized distinct sketches depend on them.
	got := map[string]uint64{}
	for _, s := range []string{"", "a", "abc", "abcd", "hello world!", "0123456789abcdef", "0123456789abcdefg", string(make([]byte, 100))} {
		got[s] = Hash64([]byte(s))
	}
	want := map[string]uint64{
		"":                        0x7f6dace0299d5ecd,
		"a":                       0x8c10c466faa46c84,
		"abc":                     0x47d2bf7f84c15b2b,
		"abcd":                    0x9e604bcd2ede3bee,
		"hello world!":            0x05cd044ea95ff451,
		"0123456789abcdef":        0x130755ee8ff18fcd,
		"0123456789abcdefg":       0xd8cdaf2d29842523,
		string(make([]byte, 100)): 0x9765ef7005a087b5,
	}
	for s, h := range got {
		if want[s] != h {
			t.Errorf("Hash64(%q) = %#x, want %#x", s, h, want[s])
		}
	}
}

func TestHash64Spread(t *testing.T) {
	// Every output bit should be set about half the time for sequential keys.
	var ones [64]int
	const n = 20000
	buf := []byte("key-")
	for i := range n {
		h := Hash64(strconv.AppendInt(buf[:4], int64(i), 10))
		for b := range 64 {
			ones[b] += int(h >> b & 1)
		}
	}
	for b, c := range ones {
		if c < n*45/100 || c > n*55/100 {
			t.Errorf("bit %d set %d/%d times", b, c, n)
		}
	}
}

// zipfStream returns n draws of keys "k<rank>" following a Zipf law.
func zipfStream(n int, s float64, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, s, 1, 1<<20)
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte("k" + strconv.FormatUint(z.Uint64(), 10))
	}
	return out
}

func exactCounts(keys [][]byte) map[string]uint64 {
	m := map[string]uint64{}
	for _, k := range keys {
		m[string(k)]++
	}
	return m
}

func checkTopInvariants(t *testing.T, top Top, k int) {
	t.Helper()
	var sum uint64
	for i, it := range top.Items {
		sum += it.Count
		if it.Error > it.Count {
			t.Errorf("item %q error %d > count %d", it.Key, it.Error, it.Count)
		}
		if i > 0 {
			p := top.Items[i-1]
			if p.Count < it.Count || (p.Count == it.Count && p.Key >= it.Key) {
				t.Errorf("items not sorted at %d: %v then %v", i, p, it)
			}
		}
	}
	if len(top.Items) > k {
		t.Errorf("%d items > K=%d", len(top.Items), k)
	}
	if sum+top.Other != top.Total {
		t.Errorf("sum(items)=%d + other=%d != total=%d", sum, top.Other, top.Total)
	}
}

func TestTopKZipf(t *testing.T) {
	tests := []struct {
		name  string
		s     float64
		k     int
		exact int // the first `exact` items must match the true top exactly
	}{
		{"skewed s=1.5 k=10", 1.5, 10, 10},
		{"skewed s=1.2 k=100", 1.2, 100, 20},
		{"mild s=1.05 k=20", 1.05, 20, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys := zipfStream(200000, tc.s, 42)
			tk := NewTopK(tc.k)
			for _, k := range keys {
				tk.Add(k, 1)
			}
			top := tk.Summary()
			checkTopInvariants(t, top, tc.k)
			if top.Total != uint64(len(keys)) {
				t.Fatalf("total %d, want %d", top.Total, len(keys))
			}
			truth := exactCounts(keys)
			type kc struct {
				k string
				c uint64
			}
			var ranked []kc
			for k, c := range truth {
				ranked = append(ranked, kc{k, c})
			}
			sort.Slice(ranked, func(i, j int) bool {
				if ranked[i].c != ranked[j].c {
					return ranked[i].c > ranked[j].c
				}
				return ranked[i].k < ranked[j].k
			})
			for i := range tc.exact {
				it := top.Items[i]
				if it.Key != ranked[i].k || it.Count != ranked[i].c || it.Error != 0 {
					t.Errorf("item %d = %+v, want %s:%d exact", i, it, ranked[i].k, ranked[i].c)
				}
			}
			for _, it := range top.Items { // the guarantee for every item
				c := truth[it.Key]
				if it.Count < c || it.Count-it.Error > c {
					t.Errorf("%q: count %d err %d, true %d", it.Key, it.Count, it.Error, c)
				}
			}
		})
	}
}

func TestTopKInvariantsRandom(t *testing.T) {
	for _, k := range []int{1, 3, 50} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(k), 2))
			a, b := NewTopK(k), NewTopK(k)
			for i := range 20000 {
				key := []byte(strconv.Itoa(r.IntN(500)))
				n := uint64(r.IntN(5))
				if i%2 == 0 {
					a.Add(key, n)
				} else {
					b.Add(key, n)
				}
				if i%997 == 0 {
					checkTopInvariants(t, a.Summary(), k)
				}
			}
			total := a.Total() + b.Total()
			a.Merge(b)
			s := a.Summary()
			checkTopInvariants(t, s, k)
			if s.Total != total {
				t.Errorf("merged total %d, want %d", s.Total, total)
			}
		})
	}
}

func TestTopKMerge(t *testing.T) {
	keys := zipfStream(100000, 1.3, 7)
	whole, h1, h2 := NewTopK(20), NewTopK(20), NewTopK(20)
	for i, k := range keys {
		whole.Add(k, 1)
		if i < len(keys)/2 {
			h1.Add(k, 1)
		} else {
			h2.Add(k, 1)
		}
	}
	h1.Merge(h2)
	w, m := whole.Summary(), h1.Summary()
	checkTopInvariants(t, m, 20)
	truth := exactCounts(keys)
	for i := range 10 { // the heavy head is exact in both
		if w.Items[i].Key != m.Items[i].Key || m.Items[i].Count != truth[m.Items[i].Key] {
			t.Errorf("item %d: whole %+v merged %+v true %d", i, w.Items[i], m.Items[i], truth[m.Items[i].Key])
		}
	}
	for _, it := range m.Items {
		if c := truth[it.Key]; it.Count < c || it.Count-it.Error > c {
			t.Errorf("%q: count %d err %d, true %d", it.Key, it.Count, it.Error, c)
		}
	}
}

func TestTopKMarshal(t *testing.T) {
	tk := NewTopK(5)
	for _, k := range zipfStream(5000, 1.1, 3) {
		tk.Add(k, 2)
	}
	data, _ := tk.MarshalBinary()
	var got TopK
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !topEqual(tk.Summary(), got.Summary()) {
		t.Fatalf("round trip:\n%+v\n%+v", tk.Summary(), got.Summary())
	}
	again, _ := got.MarshalBinary()
	if !slices.Equal(data, again) {
		t.Error("re-marshal differs")
	}
	got.Add([]byte("new"), 1) // decoded sketch is usable
	for _, bad := range [][]byte{nil, data[:len(data)-1], append(slices.Clone(data), 0), {magicTopK, 9}} {
		if err := got.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%x) succeeded", bad)
		}
	}
	if err := got.UnmarshalBinary([]byte{magicTopK, 9}); !errors.Is(err, ErrVersion) {
		t.Errorf("version error = %v", err)
	}
}

func topEqual(a, b Top) bool {
	return a.Name == b.Name && a.Other == b.Other && a.Total == b.Total && slices.Equal(a.Items, b.Items)
}

func TestDistinctExactThenHLL(t *testing.T) {
	d := NewDistinctSketch(100)
	for i := range 100 {
		d.Add([]byte(strconv.Itoa(i)))
		d.Add([]byte(strconv.Itoa(i))) // duplicates don't count
	}
	if n, exact := d.Count(); n != 100 || !exact {
		t.Fatalf("Count = %d,%v want 100,true", n, exact)
	}
	d.Add([]byte("one more"))
	n, exact := d.Count()
	if exact || n < 101 || n > 104 {
		t.Fatalf("after threshold Count = %d,%v want ≈101,false", n, exact)
	}
	d.Reset()
	if n, exact := d.Count(); n != 0 || !exact {
		t.Fatalf("after Reset Count = %d,%v", n, exact)
	}
}

func TestDistinctHLLAccuracy(t *testing.T) {
	for _, tc := range []struct {
		n   int
		tol float64
	}{{1000, 0.02}, {20000, 0.02}, {100000, 0.02}, {1000000, 0.02}} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			if testing.Short() && tc.n > 100000 {
				t.Skip("short")
			}
			d := NewDistinctSketch(0)
			buf := []byte("user-")
			for i := range tc.n {
				d.Add(strconv.AppendInt(buf[:5], int64(i), 10))
			}
			got, exact := d.Count()
			rel := math.Abs(float64(got)-float64(tc.n)) / float64(tc.n)
			t.Logf("n=%d estimate=%d rel.err=%.4f", tc.n, got, rel)
			if exact || rel > tc.tol {
				t.Errorf("estimate %d (exact=%v) for %d: rel err %.4f > %.2f", got, exact, tc.n, rel, tc.tol)
			}
		})
	}
}

func TestDistinctMerge(t *testing.T) {
	tests := []struct {
		name      string
		exact     int
		a, b      [2]int // key ranges [lo,hi)
		want      uint64
		wantExact bool
		tolerance float64
	}{
		{"exact union", 1000, [2]int{0, 300}, [2]int{200, 600}, 600, true, 0},
		{"union exceeds threshold", 500, [2]int{0, 300}, [2]int{200, 600}, 600, false, 0.02},
		{"hll both", 100, [2]int{0, 60000}, [2]int{30000, 100000}, 100000, false, 0.02},
		{"exact into hll", 100, [2]int{0, 50}, [2]int{0, 50000}, 50000, false, 0.02},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b, whole := NewDistinctSketch(tc.exact), NewDistinctSketch(tc.exact), NewDistinctSketch(tc.exact)
			for i := tc.a[0]; i < tc.a[1]; i++ {
				a.Add([]byte(strconv.Itoa(i)))
				whole.Add([]byte(strconv.Itoa(i)))
			}
			for i := tc.b[0]; i < tc.b[1]; i++ {
				b.Add([]byte(strconv.Itoa(i)))
				whole.Add([]byte(strconv.Itoa(i)))
			}
			a.Merge(b)
			got, exact := a.Count()
			if exact != tc.wantExact || math.Abs(float64(got)-float64(tc.want)) > tc.tolerance*float64(tc.want) {
				t.Errorf("merged = %d,%v want %d,%v", got, exact, tc.want, tc.wantExact)
			}
			if w, _ := whole.Count(); tc.wantExact && w != got {
				t.Errorf("merged %d != whole %d", got, w)
			}
		})
	}
}

func TestDistinctMarshal(t *testing.T) {
	for _, n := range []int{0, 10, 5000} {
		d := NewDistinctSketch(100)
		for i := range n {
			d.Add([]byte(strconv.Itoa(i)))
		}
		data, _ := d.MarshalBinary()
		var got DistinctSketch
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		a, ae := d.Count()
		b, be := got.Count()
		if a != b || ae != be {
			t.Errorf("n=%d: round trip %d,%v -> %d,%v", n, a, ae, b, be)
		}
		if again, _ := got.MarshalBinary(); !slices.Equal(data, again) {
			t.Errorf("n=%d: re-marshal differs", n)
		}
		if err := got.UnmarshalBinary(data[:len(data)-1]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated: %v", err)
		}
	}
}

func exactQuantile(sorted []float64, p float64) float64 {
	return sorted[int(math.Floor(p*float64(len(sorted)-1)))]
}

func TestQuantilesAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	tests := []struct {
		name string
		gen  func() float64
	}{
		{"uniform", func() float64 { return r.Float64() * 1000 }},
		{"exponential", func() float64 { return r.ExpFloat64() * 0.05 }},
		{"lognormal", func() float64 { return math.Exp(r.NormFloat64() * 2) }},
		{"normal with negatives", func() float64 { return r.NormFloat64() * 100 }},
		{"with zeros", func() float64 { return float64(r.IntN(3)) * r.Float64() }},
		{"constant", func() float64 { return 42 }},
		{"integers", func() float64 { return float64(r.IntN(10000) - 100) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewQuantiles()
			vals := make([]float64, 100000)
			var sum float64
			for i := range vals {
				vals[i] = tc.gen()
				sum += vals[i]
				q.Add(vals[i])
			}
			slices.Sort(vals)
			for _, p := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
				want, got := exactQuantile(vals, p), q.Quantile(p)
				if math.Abs(got-want) > QuantileAccuracy*math.Abs(want)+1e-12 {
					t.Errorf("p%g = %g, want %g ±1%%", p*100, got, want)
				}
			}
			s := q.Stat()
			if s.Count != uint64(len(vals)) || s.Min != vals[0] || s.Max != vals[len(vals)-1] ||
				math.Abs(s.Sum-sum) > 1e-9*math.Abs(sum)+1e-9 {
				t.Errorf("stat %+v", s)
			}
		})
	}
}

func TestQuantilesBoundedAndSpecial(t *testing.T) {
	q := NewQuantiles()
	for e := -300; e <= 300; e++ { // 600 decades: forces collapsing
		q.Add(math.Pow(10, float64(e)))
		q.Add(-math.Pow(10, float64(e)))
	}
	q.Add(math.NaN())
	q.Add(math.Inf(1))
	if q.Count() != 1202 {
		t.Errorf("count %d", q.Count())
	}
	if len(q.pos.counts) > QuantileMaxBins || len(q.neg.counts) > QuantileMaxBins {
		t.Errorf("bins %d/%d exceed %d", len(q.pos.counts), len(q.neg.counts), QuantileMaxBins)
	}
	// the high quantiles keep their accuracy after collapsing the low end
	want := math.Pow(10, 287) // rank ⌊0.99·1201⌋ = 1188: the 588th positive value
	if got := q.Quantile(0.99); math.Abs(got-want)/want > 0.01 {
		t.Errorf("p99 = %g, want %g", got, want)
	}
	if q.Quantile(0) != -math.Pow(10, 300) || q.Quantile(1) != math.Pow(10, 300) {
		t.Errorf("min/max %g %g", q.Quantile(0), q.Quantile(1))
	}
	if e := NewQuantiles().Stat(); e != (Stat{}) {
		t.Errorf("empty stat %+v", e)
	}
}

func TestQuantilesMergeMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	whole, a, b := NewQuantiles(), NewQuantiles(), NewQuantiles()
	for i := range 50000 {
		v := math.Exp(r.NormFloat64()*3) - 1
		whole.Add(v)
		if i%3 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	a.Merge(b)
	if a.Count() != whole.Count() || a.Min() != whole.Min() || a.Max() != whole.Max() {
		t.Errorf("merged count/min/max differ")
	}
	for _, p := range []float64{0.1, 0.5, 0.95, 0.99} {
		if a.Quantile(p) != whole.Quantile(p) { // same buckets: identical
			t.Errorf("p%g merged %g whole %g", p, a.Quantile(p), whole.Quantile(p))
		}
	}
	data, _ := a.MarshalBinary()
	var got Quantiles
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Stat() != a.Stat() {
		t.Errorf("round trip %+v != %+v", got.Stat(), a.Stat())
	}
	if err := got.UnmarshalBinary(data[:10]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v", err)
	}
}
