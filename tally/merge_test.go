package tally

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
)

func mustMarshal(t *testing.T, m interface{ MarshalBinary() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A stream split at random points over several tables and merged back, in
// any order, gives the bytes of one table fed the whole stream, as long as
// no part filled (here: at most 4K distinct keys).
func TestTopKMergeExactWhileRoom(t *testing.T) {
	for _, tc := range []struct{ k, keys, n int }{{1, 60, 3000}, {100, 400, 20000}, {1000, 3000, 50000}} {
		t.Run(fmt.Sprint("k=", tc.k), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.k), 9))
			stream := make([][]byte, tc.n)
			for i := range stream {
				stream[i] = []byte("key-" + strconv.Itoa(r.IntN(tc.keys)))
			}
			whole := NewTopK(tc.k)
			for _, k := range stream {
				whole.Add(k, 1)
			}
			for _, pieces := range []int{2, 3, 8} {
				ts := make([]*TopK, pieces)
				for i := range ts {
					ts[i] = NewTopK(tc.k)
				}
				for _, k := range stream {
					ts[r.IntN(pieces)].Add(k, 1)
				}
				merged := NewTopK(tc.k)
				for _, i := range r.Perm(pieces) {
					merged.Merge(ts[i])
				}
				if got, want := mustMarshal(t, merged), mustMarshal(t, whole); !bytes.Equal(got, want) {
					t.Errorf("%d pieces merged differ from one table:\n%+v\n%+v", pieces, merged.Summary(), whole.Summary())
				}
			}
		})
	}
}

// Parts counted on different goroutines (each part by one, in input
// order) give exactly one goroutine's table, evictions included. Run with
// -race: parts share nothing.
func TestTopKPartsConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	stream := make([][]byte, 200000)
	hashes := make([]uint64, len(stream))
	for i := range stream {
		stream[i] = []byte("/p/" + strconv.Itoa(r.IntN(50000)) + ".html")
		hashes[i] = Hash64(stream[i])
	}
	one := NewTopK(10) // 640 keys tracked of 50,000: constant evictions
	for i, k := range stream {
		one.AddHashed(k, hashes[i], 1)
	}
	for _, workers := range []int{2, 3, 8} {
		many := NewTopK(10)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i, k := range stream {
					if TopKPart(hashes[i])%workers == w {
						many.AddHashed(k, hashes[i], 1)
					}
				}
			}()
		}
		wg.Wait()
		if !bytes.Equal(mustMarshal(t, many), mustMarshal(t, one)) {
			t.Errorf("%d goroutines: table differs from one goroutine's", workers)
		}
	}
	s := one.Summary()
	checkTopInvariants(t, s, 10)
	truth := exactCounts(stream)
	for _, it := range s.Items {
		if c := truth[it.Key]; it.Count < c || it.Count-it.Error > c {
			t.Errorf("%q: count %d err %d, true %d", it.Key, it.Count, it.Error, c)
		}
	}
}

// Window.Merge is exact for every metric while the tables have room and
// the stats' sums are exact in float64 (integers): the halves merged give
// the whole's Summary and checkpoint bytes. Distinct counts cross their
// exact threshold in the whole but not in either half.
func TestWindowMergeExactAcrossThreshold(t *testing.T) {
	s := Schema{Category: "c", Counters: []string{"n"}, Tops: []TopSpec{{Name: "t", K: 200}},
		Distincts: []DistinctSpec{{Name: "d", Exact: 300}}, Stats: []string{"v"}}
	add := func(w *Window, i int) {
		w.Lines++
		w.Counters[0]++
		w.Tops[0].Add([]byte("k"+strconv.Itoa(i%500)), 1)
		w.Distincts[0].Add([]byte("d" + strconv.Itoa(i%400)))
		w.Stats[0].Add(float64(i % 1000))
	}
	whole := NewWindow(s)
	parts := []*Window{NewWindow(s), NewWindow(s), NewWindow(s)}
	for i := range 30000 {
		add(whole, i)
		add(parts[(i%400)/134], i) // each part sees at most 134 of the 400 distinct keys
	}
	for _, p := range parts {
		if _, exact := p.Distincts[0].Count(); !exact {
			t.Fatal("a part already left exact counting: the test needs the merge to cross the threshold")
		}
	}
	merged := NewWindow(s)
	for _, p := range []*Window{parts[2], parts[0], parts[1]} {
		if err := merged.Merge(p); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := mustMarshal(t, merged), mustMarshal(t, whole); !bytes.Equal(got, want) {
		t.Errorf("merged window differs from the whole:\n%+v\n%+v", merged.Summary(t0, false), whole.Summary(t0, false))
	}
}

// entryList.sort (multikey quicksort of ties) gives the order of a plain
// comparison sort: count descending, then key, keys that are prefixes of
// others and empty keys included.
func TestSortEntries(t *testing.T) {
	type kc struct {
		key   []byte
		count uint64
	}
	r := rand.New(rand.NewPCG(8, 8))
	for n := range 300 {
		var l entryList
		var want []kc
		for range n * 7 {
			key := make([]byte, r.IntN(6))
			for j := range key {
				key[j] = "ab\x00\xff"[r.IntN(4)]
			}
			c := uint64(r.IntN(3))
			l.add(key, c, 0)
			want = append(want, kc{key, c})
		}
		slices.SortStableFunc(want, func(a, b kc) int {
			if c := cmp.Compare(b.count, a.count); c != 0 {
				return c
			}
			return bytes.Compare(a.key, b.key)
		})
		l.sort()
		for i := range l.es {
			if got := l.key(&l.es[i]); l.es[i].count != want[i].count || !bytes.Equal(got, want[i].key) {
				t.Fatalf("n=%d: entry %d is %q/%d, want %q/%d", n, i, got, l.es[i].count, want[i].key, want[i].count)
			}
		}
	}
}
