package aireport

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

// TestShardedCounts checks the article fast path as aireport uses it
// (Collect, then WriteUniq, counted by internal/exactcount) against a
// plain map, with 1 to 3 workers, two sections and several sources per
// section, read as streams (ReadBlocks) and as mapped files: same lines,
// same counts, ranked by count and then by first appearance (section by
// section), and the same through Build.
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
