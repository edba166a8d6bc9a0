package exactcount

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

// TestCounts checks the counter against a plain map, with 1 to 3
// workers, two sections and several inputs per section, read as blocks
// and as mapped files: same lines, same counts, ranked by count, then
// section, then first appearance; and each section's keys in the order of
// their first lines (Each, what aireport's Build reads).
func TestCounts(t *testing.T) {
	var ins [3]bytes.Buffer
	for i := range ins {
		if err := corpus.Generate(&ins[i], corpus.Config{Lines: 30000, Templates: 200, Seed: uint64(7 + i), Nasty: true}); err != nil {
			t.Fatal(err)
		}
	}
	sections := []string{"b", "a", "b"}
	type ent struct {
		key      string
		n, first int
	}
	want := map[string]map[string]*ent{}
	order := map[string][]*ent{} // by first appearance
	seq := 0
	for i := range ins {
		m := want[sections[i]]
		if m == nil {
			m = map[string]*ent{}
			want[sections[i]] = m
		}
		for _, l := range bytes.SplitAfter(ins[i].Bytes(), []byte{'\n'}) {
			if len(l) == 0 {
				continue
			}
			l = bytes.TrimSuffix(l, []byte{'\n'})
			if len(l) <= 16 {
				l = l[:0]
			} else {
				l = l[16:]
			}
			key, _ := MaskArticle(nil, l)
			k := string(key)
			if e := m[k]; e != nil {
				e.n++
			} else {
				m[k] = &ent{k, 1, seq}
				order[sections[i]] = append(order[sections[i]], m[k])
			}
			seq++
		}
	}
	type row struct {
		sec    string
		key    string
		n, seq int
	}
	var rows []row
	for s, m := range want {
		for k, e := range m {
			rows = append(rows, row{s, k, e.n, e.first})
		}
	}
	slices.SortFunc(rows, func(x, y row) int {
		return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.sec, y.sec), cmp.Compare(x.seq, y.seq))
	})
	var exp bytes.Buffer
	for _, r := range rows {
		fmt.Fprintf(&exp, "%7d %s\n", r.n, r.key)
	}
	dir := t.TempDir()
	var paths [3]string
	for i := range ins {
		paths[i] = filepath.Join(dir, fmt.Sprint(i, ".log"))
		if err := os.WriteFile(paths[i], ins[i].Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range []int{1, 2, 3} {
		for _, files := range []bool{false, true} {
			t.Run(fmt.Sprint(workers, files), func(t *testing.T) {
				c := New(Config{Cut: true, Workers: workers})
				for i := range ins {
					if files {
						countFile(t, c, sections[i], paths[i])
					} else {
						countBlocks(c, sections[i], ins[i].Bytes(), 64<<10)
					}
				}
				var got bytes.Buffer
				if err := c.Rank().Write(&got, appendUniq); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), exp.Bytes()) {
					t.Fatalf("Write differs: got %d bytes, want %d", got.Len(), exp.Len())
				}
				for sec, ents := range order {
					k := 0
					c.Each(sec, func(key []byte, n int64) {
						if k >= len(ents) || string(key) != ents[k].key || n != int64(ents[k].n) {
							t.Fatalf("section %s, key %d: %q %d, want the %d keys in first-line order", sec, k, key, n, len(ents))
						}
						k++
					})
					if k != len(ents) {
						t.Fatalf("section %s: %d keys, want %d", sec, k, len(ents))
					}
				}
			})
		}
	}
}

func TestRadixSortItems(t *testing.T) {
	items := make([]shardItem, 5000)
	for i := range items {
		items[i] = shardItem{key: uint64(i*7919) % 4099 << 20, ref: uint64(i)}
	}
	want := slices.Clone(items)
	slices.SortStableFunc(want, func(x, y shardItem) int { return cmp.Compare(x.key, y.key) })
	if got := radixSortItems(items, 33); !slices.Equal(got, want) {
		t.Fatal("radix sort differs from a stable sort")
	}
}

// TestMergeRuns checks that formatting segments of a report from sorted
// runs (splitRuns, then mergeRuns) gives the runs' merged order, whatever
// the segment boundaries.
func TestMergeRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		runs := make([][]shardItem, 1+r.IntN(5))
		var all []shardItem
		for k := range runs {
			for range r.IntN(300) {
				it := shardItem{key: r.Uint64() >> r.IntN(64), ref: uint64(k)}
				if !slices.ContainsFunc(all, func(x shardItem) bool { return x.key == it.key }) {
					runs[k] = append(runs[k], it)
					all = append(all, it)
				}
			}
			slices.SortFunc(runs[k], func(x, y shardItem) int { return cmp.Compare(x.key, y.key) })
		}
		slices.SortFunc(all, func(x, y shardItem) int { return cmp.Compare(x.key, y.key) })
		var got []shardItem
		for lo, step := 0, 1+r.IntN(40); lo < len(all)+step; lo += step {
			mergeRuns(runs, splitRuns(runs, lo), splitRuns(runs, lo+step), func(it *shardItem) { got = append(got, *it) })
		}
		if !slices.Equal(got, all) {
			t.Fatalf("round %d: merged %d items, want %d in key order", round, len(got), len(all))
		}
	}
}

// failAfter is a writer that fails once n bytes are written.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestWriteError checks that a failing output ends the ranking's Write
// with the error, early, and without leaving its formatting goroutines
// behind.
func TestWriteError(t *testing.T) {
	var in bytes.Buffer
	if err := corpus.Generate(&in, corpus.Config{Lines: 50000, Templates: 500, Seed: 3, Values: 100}); err != nil {
		t.Fatal(err)
	}
	c := New(Config{Cut: true})
	countBlocks(c, "", in.Bytes(), BlockSize)
	r := c.Rank()
	before := runtime.NumGoroutine()
	if err := r.Write(&failAfter{n: 100 << 10}, appendUniq); err == nil || err.Error() != "disk full" {
		t.Fatalf("Write to a failing writer: %v, want disk full", err)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines left running, %d before", runtime.NumGoroutine(), before)
}

// TestRankWideKeys checks the ranking's fallback for sort keys wider than
// 64 bits (a comparison sort of the records) against the radix path.
func TestRankWideKeys(t *testing.T) {
	var in bytes.Buffer
	if err := corpus.Generate(&in, corpus.Config{Lines: 20000, Templates: 300, Seed: 5, Values: 100}); err != nil {
		t.Fatal(err)
	}
	report := func(wide bool) string {
		c := New(Config{Cut: true})
		countBlocks(c, "", in.Bytes(), BlockSize)
		if wide {
			for _, tabs := range c.sections {
				tabs[0].maxSeq = math.MaxInt64 // a bound only: the real positions stay small
			}
		}
		var out bytes.Buffer
		if err := c.Rank().Write(&out, appendUniq); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if narrow, wide := report(false), report(true); wide != narrow {
		t.Fatalf("the comparison sort ranks differently from the radix sort (%d and %d bytes)", len(wide), len(narrow))
	}
}
