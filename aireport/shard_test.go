package aireport

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

// TestShardedCounts checks the article fast path (hash-partitioned tables)
// against a plain map, with 1 to 3 workers, two sections and several
// sources per section: same lines, same counts, ranked by count and then
// by first appearance (section by section), and the same through Build.
func TestShardedCounts(t *testing.T) {
	var ins [3]bytes.Buffer
	for i := range ins {
		if err := corpus.Generate(&ins[i], corpus.Config{Lines: 30000, Templates: 200, Seed: uint64(7 + i), Nasty: true}); err != nil {
			t.Fatal(err)
		}
	}
	cats := []string{"b", "a", "b"}
	type ent struct {
		n, first int
	}
	want := map[string]map[string]*ent{}
	seq := 0
	for i := range ins {
		m := want[cats[i]]
		if m == nil {
			m = map[string]*ent{}
			want[cats[i]] = m
		}
		for _, l := range bytes.SplitAfter(ins[i].Bytes(), []byte{'\n'}) {
			if len(l) == 0 {
				continue
			}
			k := string(appendArticle(nil, Cut17(bytes.TrimSuffix(l, []byte{'\n'}))))
			if e := m[k]; e != nil {
				e.n++
			} else {
				m[k] = &ent{1, seq}
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
	for _, tc := range []struct {
		procs int
		files bool // read mapped files, not streams
	}{{1, false}, {2, false}, {3, false}, {1, true}, {2, true}, {3, true}} {
		procs, files := tc.procs, tc.files
		t.Run(fmt.Sprint(procs, files), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			opt := Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true}
			run := func() *Aggregator {
				agg := NewAggregator(opt)
				if !agg.fastExact() {
					t.Fatal("not the fast path")
				}
				var srcs []Source
				for i := range ins {
					srcs = append(srcs, Source{Name: fmt.Sprint(i), Category: cats[i], Stdin: bytes.NewReader(ins[i].Bytes())})
					if files {
						srcs[i] = Source{Name: paths[i], Category: cats[i]}
					}
				}
				var ctr Counters
				if _, errs := Collect(context.Background(), srcs, agg, &ctr, 0); len(errs) > 0 {
					t.Fatal(errs)
				}
				return agg
			}
			var got bytes.Buffer
			if err := run().WriteUniq(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), exp.Bytes()) {
				t.Fatalf("WriteUniq differs: got %d bytes, want %d", got.Len(), exp.Len())
			}
			// through Build: same lines and counts (ties may differ)
			var viaBuild bytes.Buffer
			if err := WriteUniq(&viaBuild, run().Build(nil, false, time.Unix(0, 0))); err != nil {
				t.Fatal(err)
			}
			sortLines := func(b []byte) string {
				ls := bytes.Split(b, []byte{'\n'})
				slices.SortFunc(ls, bytes.Compare)
				return string(bytes.Join(ls, []byte{'\n'}))
			}
			if sortLines(viaBuild.Bytes()) != sortLines(exp.Bytes()) {
				t.Fatal("Build differs")
			}
		})
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

// TestScanEdges checks the fused line and mask scan of the fast path on
// lines made of the bytes the masks look at, short lines, a last line
// without '\n', through a mapped file and a stream, against maskArticle;
// with the SIMD marks and the portable ones.
func TestScanEdges(t *testing.T) {
	scanEdges(t)
	withoutAVX2(func() { scanEdges(t) })
}

func scanEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "port id=[]0123456789 xp\n"
	for range 40 {
		var in []byte
		for range r.IntN(3000) {
			in = append(in, alpha[r.IntN(len(alpha))])
			if r.IntN(40) == 0 {
				in = append(in, []string{"port 12 ", "pid=7", "[33]", "port  ", "[]", "pid=", "port 1", "[4"}[r.IntN(8)]...)
			}
		}
		checkScan(t, in)
	}
}

// FuzzArticleScan checks the fast path's scan against maskArticle on any
// input, as TestScanEdges does on random ones.
func FuzzArticleScan(f *testing.F) {
	f.Add([]byte("Nov 22 00:00:00 host0 sshd[18206]: reset pid=13882 port 22 x\nshort\n\nport 1 [2] pid=3"))
	f.Add([]byte("Nov 22 00:00:00 host0 app[" + strings.Repeat("7", 150) + "]: pid=" + strings.Repeat("3", 70) + " port " + strings.Repeat("5", 90) + " x\n"))
	f.Fuzz(func(t *testing.T, in []byte) { checkScan(t, in) })
}

// checkScan counts in with the fast path, as a mapped file and as a
// stream, with and without cutting headers, with marks filled 8 KiB and
// 64 bytes at a time, and compares the counts with those of maskArticle
// line by line.
func checkScan(t *testing.T, in []byte) {
	t.Helper()
	checkScanSegment(t, in)
	defer func(n int) { markSegment = n }(markSegment)
	markSegment = 1
	checkScanSegment(t, in)
}

func checkScanSegment(t *testing.T, in []byte) {
	t.Helper()
	for _, header := range []HeaderMode{HeaderCut, HeaderNone} {
		want := map[string]int64{}
		for l := range bytes.SplitSeq(in, []byte{'\n'}) {
			if len(l) > MaxLine {
				l = l[:MaxLine]
			}
			want[string(appendArticle(nil, map[bool][]byte{true: Cut17(l), false: l}[header == HeaderCut]))]++
		}
		if len(in) == 0 || in[len(in)-1] == '\n' {
			k := string(appendArticle(nil, nil))
			if want[k]--; want[k] == 0 {
				delete(want, k)
			}
		}
		path := filepath.Join(t.TempDir(), "in.log")
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, src := range []Source{{Name: path}, {Name: "-", Stdin: bytes.NewReader(in)}} {
			agg := NewAggregator(Options{Header: header, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true})
			var ctr Counters
			if _, errs := Collect(context.Background(), []Source{src}, agg, &ctr, 0); len(errs) > 0 {
				t.Fatal(errs)
			}
			var out bytes.Buffer
			if err := agg.WriteUniq(&out); err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for l := range bytes.SplitSeq(bytes.TrimSuffix(out.Bytes(), []byte{'\n'}), []byte{'\n'}) {
				if len(l) == 0 {
					continue
				}
				var n int64
				f := bytes.TrimLeft(l, " ")
				sp := bytes.IndexByte(f, ' ')
				fmt.Sscan(string(f[:sp]), &n)
				got[string(f[sp+1:])] += n
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("header %v src %s: got %v\nwant %v\nin %q", header, src.Name, got, want, in)
			}
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

// TestWriteUniqShardsError checks that a failing output ends the fast
// path's report with the error, early, and without leaving its formatting
// goroutines behind.
func TestWriteUniqShardsError(t *testing.T) {
	var in bytes.Buffer
	if err := corpus.Generate(&in, corpus.Config{Lines: 50000, Templates: 500, Seed: 3, Values: 100}); err != nil {
		t.Fatal(err)
	}
	agg := NewAggregator(Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true})
	var ctr Counters
	if _, errs := Collect(context.Background(), []Source{{Name: "-", Stdin: &in}}, agg, &ctr, 0); len(errs) > 0 {
		t.Fatal(errs)
	}
	before := runtime.NumGoroutine()
	if err := agg.WriteUniq(&failAfter{n: 100 << 10}); err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteUniq to a failing writer: %v, want disk full", err)
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
		agg := NewAggregator(Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true})
		var ctr Counters
		if _, errs := Collect(context.Background(), []Source{{Name: "-", Stdin: bytes.NewReader(in.Bytes())}}, agg, &ctr, 0); len(errs) > 0 {
			t.Fatal(errs)
		}
		if wide {
			for _, c := range agg.cats {
				c.shards[0].maxSeq = math.MaxInt64 // a bound only: the real positions stay small
			}
		}
		var out bytes.Buffer
		if err := agg.WriteUniq(&out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if narrow, wide := report(false), report(true); wide != narrow {
		t.Fatalf("the comparison sort ranks differently from the radix sort (%d and %d bytes)", len(wide), len(narrow))
	}
}

// GOMAXPROCS changed between two inputs of one aggregator (a caller, or
// the Go runtime following a cgroup's CPU quota) must not change the fast
// path's shard count: it panicked with "worker count changed".
func TestShardWorkersFixed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	opt := Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true}
	in := []string{
		"Nov 22 10:00:01 h a[1]: one\nNov 22 10:00:02 h a[2]: two\n",
		"Nov 22 10:00:03 h a[3]: two\nNov 22 10:00:04 h a[4]: three\n",
	}
	agg := NewAggregator(opt)
	if !agg.fastExact() {
		t.Fatal("not the fast path")
	}
	var ctr Counters
	for i, procs := range []int{2, 3} {
		runtime.GOMAXPROCS(procs)
		src := []Source{{Name: fmt.Sprint(i), Category: "c", Stdin: strings.NewReader(in[i])}}
		if _, errs := Collect(context.Background(), src, agg, &ctr, 0); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	var got bytes.Buffer
	if err := agg.WriteUniq(&got); err != nil {
		t.Fatal(err)
	}
	if want := "      2 h a[PID]: two\n      1 h a[PID]: one\n      1 h a[PID]: three\n"; got.String() != want {
		t.Errorf("WriteUniq = %q, want %q", got.String(), want)
	}
}
