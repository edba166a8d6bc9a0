package tally

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

func BenchmarkTopKAddTracked(b *testing.B) {
	t := NewTopK(100)
	keys := make([][]byte, 50)
	for i := range keys {
		keys[i] = []byte("/some/url/path/" + strconv.Itoa(i))
		t.Add(keys[i], 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.Add(keys[i%len(keys)], 1)
	}
}

func BenchmarkTopKAddZipf(b *testing.B) {
	t := NewTopK(100)
	keys := zipfStream(1<<16, 1.2, 1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.Add(keys[i&(1<<16-1)], 1)
	}
}

func BenchmarkDistinctAddExactRepeated(b *testing.B) {
	d := NewDistinctSketch(1000)
	keys := make([][]byte, 500)
	for i := range keys {
		keys[i] = []byte("client-" + strconv.Itoa(i))
		d.Add(keys[i])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Add(keys[i%len(keys)])
	}
}

func BenchmarkDistinctAddHLL(b *testing.B) {
	d := NewDistinctSketch(0)
	buf := append(make([]byte, 0, 32), "client-"...)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Add(strconv.AppendInt(buf[:7], int64(i), 10))
	}
}

func BenchmarkQuantilesAdd(b *testing.B) {
	q := NewQuantiles()
	vals := []float64{0.001, 0.5, 3, 17.5, 250, 1e4, 0, -2}
	for _, v := range vals {
		q.Add(v)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q.Add(vals[i%len(vals)] * float64(i%97+1))
	}
}

func BenchmarkAggregatorLine(b *testing.B) {
	a := NewAggregator([]Schema{testSchema}, Options{})
	now := t0.Add(10 * time.Second)
	urls := make([][]byte, 20)
	for i := range urls {
		urls[i] = []byte("/u" + strconv.Itoa(i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w := a.Window(0, now)
		w.Lines++
		w.Counters[0]++
		w.Tops[0].Add(urls[i%20], 1)
		w.Distincts[0].Add(urls[i%20])
		w.Stats[0].Add(float64(i % 1000))
	}
}

func BenchmarkHash64(b *testing.B) {
	k := []byte("www.example.com/some/path/index.html")
	b.SetBytes(int64(len(k)))
	for b.Loop() {
		Hash64(k)
	}
}

// BenchmarkMemoryBounded feeds 1M distinct keys into a TopK(K=100) and a
// DistinctSketch (exact threshold 1000) and reports the live heap they hold:
// it stays at a few hundred KB whatever the number of keys.
func BenchmarkMemoryBounded(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t, d := NewTopK(100), NewDistinctSketch(1000)
		buf := []byte("distinct-key-")
		for i := range 1_000_000 {
			k := strconv.AppendInt(buf[:13], int64(i), 10)
			t.Add(k, 1)
			d.Add(k)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		b.ReportMetric(float64(live)/1024, "live-KiB")
		if live > 4<<20 {
			b.Errorf("live heap %d bytes after 1M keys", live)
		}
		runtime.KeepAlive(t)
		runtime.KeepAlive(d)
	}
}

// BenchmarkTopKAddNewKeys: a key space 64 times larger than the table, so
// most adds bring a new key that evicts one (the worst case for memory
// churn). It must not allocate: keys live in each part's arena.
func BenchmarkTopKAddNewKeys(b *testing.B) {
	t := NewTopK(1000) // tracks 8000 keys
	keys := make([][]byte, 1<<19)
	for i := range keys {
		keys[i] = []byte("www" + strconv.Itoa(i%500) + ".example.com/p/" + strconv.FormatUint(uint64(i)*2654435761, 36) + ".html")
	}
	for _, k := range keys { // warm: the arenas and tables reach their working size
		t.Add(k, 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.Add(keys[i&(1<<19-1)], 1)
	}
}

// BenchmarkTopKAddHashedFill: a table with room for every key (the
// high-cardinality job: k large enough to keep all), counted with the
// hash computed beforehand, as the pipeline does.
func BenchmarkTopKAddHashedFill(b *testing.B) {
	t := NewTopK(50000)
	keys := zipfStream(1<<16, 1.1, 3)
	hashes := make([]uint64, len(keys))
	for i, k := range keys {
		hashes[i] = Hash64(k)
		t.AddHashed(k, hashes[i], 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		j := i & (1<<16 - 1)
		t.AddHashed(keys[j], hashes[j], 1)
	}
}

// BenchmarkTopKSummary: closing a minute of the high-cardinality job, a
// table of ~30,000 keys (most seen once or twice) reported whole.
func BenchmarkTopKSummary(b *testing.B) {
	t := NewTopK(50000)
	for _, k := range zipfStream(60000, 1.1, 5) {
		t.Add(append([]byte("www1.example.com/p/"), k...), 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		t.Summary()
	}
}
