package tally

import (
	"strconv"
	"testing"
	"time"
)

// The unmarshalers must never panic and never allocate much on corrupt
// input; what they accept must re-marshal and be usable.

func seedTopK() []byte {
	t := NewTopK(3)
	for i := range 400 {
		t.Add([]byte(strconv.Itoa(i%300)), uint64(i%4+1))
	}
	b, _ := t.MarshalBinary()
	return b
}

func seedDistinct(n int) []byte {
	d := NewDistinctSketch(5)
	for i := range n {
		d.Add([]byte(strconv.Itoa(i)))
	}
	b, _ := d.MarshalBinary()
	return b
}

func seedQuantiles() []byte {
	q := NewQuantiles()
	for i := -50; i < 100; i++ {
		q.Add(float64(i) * 1.5)
	}
	b, _ := q.MarshalBinary()
	return b
}

func FuzzTopKUnmarshal(f *testing.F) {
	f.Add(seedTopK())
	f.Add([]byte{magicTopK, formatVersion, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var tk TopK
		if tk.UnmarshalBinary(data) != nil {
			return
		}
		tk.Add([]byte("x"), 1)
		tk.Merge(NewTopK(2))
		checkTopInvariants(t, tk.Summary(), tk.K())
		if _, err := tk.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDistinctUnmarshal(f *testing.F) {
	f.Add(seedDistinct(3))
	f.Add(seedDistinct(50))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d DistinctSketch
		if d.UnmarshalBinary(data) != nil {
			return
		}
		d.Add([]byte("x"))
		d.Count()
		b, _ := d.MarshalBinary()
		var again DistinctSketch
		if err := again.UnmarshalBinary(b); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func FuzzQuantilesUnmarshal(f *testing.F) {
	f.Add(seedQuantiles())
	f.Fuzz(func(t *testing.T, data []byte) {
		var q Quantiles
		if q.UnmarshalBinary(data) != nil {
			return
		}
		q.Add(3)
		q.Stat()
		q.Merge(&q)
		o := NewQuantiles()
		o.Add(-1e-300)
		q.Merge(o)
		b, _ := q.MarshalBinary()
		var again Quantiles
		if err := again.UnmarshalBinary(b); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func FuzzWindowUnmarshal(f *testing.F) {
	w := NewWindow(testSchema)
	feed(w, 0, 200)
	b, _ := w.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var w Window
		if w.UnmarshalBinary(data) != nil {
			return
		}
		w.Summary(t0, false)
		nw := w.Rebind(testSchema)
		feed(nw, 0, 20)
		nw.Summary(t0, false)
	})
}

func FuzzAggregatorRestore(f *testing.F) {
	a := NewAggregator(aggSchemas, Options{EventClock: true, Grace: time.Minute})
	line(a, 0, 10*s)
	line(a, 1, 70*s)
	a.Window(1, t0.Add(80*s)).Distincts[0].Add([]byte("root"))
	b, _ := a.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAggregator(aggSchemas, Options{EventClock: true, Grace: time.Minute})
		if _, err := a.Restore(data, t0); err != nil {
			return
		}
		line(a, 0, 90*s)
		a.Advance(time.Time{})
		if _, err := a.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
		a.Flush(t0.Add(time.Hour))
	})
}
