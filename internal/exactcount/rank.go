package exactcount

import (
	"cmp"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// shardItem is one key of the ranking: key orders it (count descending,
// then section, then first line), ref is its table and record position.
type shardItem struct {
	key uint64
	ref uint64
}

// Ranking is the counts of every section in ranking order: count
// descending, then section (by name), then the position of the key's
// first line, which does not depend on the scheduling. It is kept as
// runs sorted by that order, merged while it is written.
type Ranking struct {
	runs  [][]shardItem
	tabs  []*keyTable // the tables the items point into
	total int
}

// Rank returns the ranking of everything counted so far. The Counter must
// not count more while the Ranking is in use.
func (c *Counter) Rank() *Ranking {
	runs, tabs := c.rankShards()
	r := &Ranking{runs: runs, tabs: tabs}
	for _, run := range runs {
		r.total += len(run)
	}
	return r
}

// rankShards returns the keys of every shard table in ranking order, as
// runs sorted by key (keys distinct: they hold the first line's position)
// to be merged while the report is written (see mergeRuns), or as a
// single run when the sort key does not fit in 64 bits; and the tables
// the items point into.
func (c *Counter) rankShards() ([][]shardItem, []*keyTable) {
	names := make([]string, 0, len(c.sections))
	total := 0
	for n, tabs := range c.sections {
		names = append(names, n)
		for _, t := range tabs {
			total += t.n
		}
	}
	slices.Sort(names)
	var tabs []*keyTable
	var secs, offs []int
	var maxSeq, maxCount int64
	off := 0
	for k, n := range names {
		for _, t := range c.sections[n] {
			tabs = append(tabs, t)
			secs = append(secs, k)
			offs = append(offs, off)
			off += t.n
			maxSeq, maxCount = max(maxSeq, t.maxSeq), max(maxCount, t.maxCount)
		}
	}
	seqBits := bits.Len64(uint64(maxSeq))
	secBits := bits.Len(uint(len(names) - 1))
	cntBits := bits.Len64(uint64(maxCount))
	nbits := seqBits + secBits + cntBits
	fits := nbits <= 64
	// Each table's items are built and sorted by its own goroutine. Keys
	// seen once need no sort: a worker reads its lines in order, so in a
	// table (filled in arrival order) the single keys that one worker read
	// first come in line order. They make one run per origin, checked as
	// they are built (a run out of order is sorted; it never was in the
	// tests), and only the keys seen more than once are radix-sorted.
	items := make([]shardItem, total)
	tabRuns := make([][][]shardItem, len(tabs))
	var wg sync.WaitGroup
	for ti, t := range tabs {
		wg.Go(func() {
			sec := uint64(secs[ti])
			its := items[offs[ti] : offs[ti]+t.n]
			if !fits {
				t.each(func(pos uint32, _ *recHdr, _ []byte) {
					its[0] = shardItem{ref: uint64(ti)<<32 | uint64(pos)}
					its = its[1:]
				})
				return
			}
			// its: the keys seen more than once, then the singles of
			// each origin
			runs := make([][]shardItem, 1+len(t.singles))
			at := t.n
			for o := len(t.singles) - 1; o >= 0; o-- {
				at -= t.singles[o]
				runs[1+o] = its[at : at : at+t.singles[o]]
			}
			runs[0] = its[:0:at]
			unsorted := make([]bool, len(runs))
			t.each(func(pos uint32, r *recHdr, _ []byte) {
				it := shardItem{
					key: uint64(maxCount-r.count)<<(seqBits+secBits) | sec<<seqBits | uint64(r.seq),
					ref: uint64(ti)<<32 | uint64(pos),
				}
				k := 0
				if r.count == 1 {
					k = 1 + int(r.origin)
					if n := len(runs[k]); n > 0 && runs[k][n-1].key > it.key {
						unsorted[k] = true
					}
				}
				runs[k] = append(runs[k], it)
			})
			for k := range runs {
				if k == 0 || unsorted[k] {
					runs[k] = radixSortItems(runs[k], nbits)
				}
			}
			tabRuns[ti] = runs
		})
	}
	wg.Wait()
	if !fits {
		slices.SortFunc(items, func(x, y shardItem) int {
			tx, _ := tabs[x.ref>>32].rec(uint32(x.ref))
			ty, _ := tabs[y.ref>>32].rec(uint32(y.ref))
			return cmp.Or(cmp.Compare(ty.count, tx.count), cmp.Compare(secs[x.ref>>32], secs[y.ref>>32]), cmp.Compare(tx.seq, ty.seq))
		})
		return [][]shardItem{items}, tabs
	}
	var runs [][]shardItem
	for _, rs := range tabRuns {
		for _, r := range rs {
			if len(r) > 0 {
				runs = append(runs, r)
			}
		}
	}
	// Formatting splits and merges the runs looking at every run's head:
	// fine for a few. Many CPUs and sections make many (a table per worker
	// and section, a run per origin in each): pairs are merged, in
	// parallel, down to maxRuns.
	const maxRuns = 8
	for len(runs) > maxRuns {
		next := make([][]shardItem, (len(runs)+1)/2)
		for i := range next {
			if 2*i+1 == len(runs) {
				next[i] = runs[2*i]
				continue
			}
			wg.Go(func() { next[i] = mergeTwo(runs[2*i], runs[2*i+1]) })
		}
		wg.Wait()
		runs = next
	}
	return runs, tabs
}

// mergeTwo merges two runs sorted by key into a new one.
func mergeTwo(x, y []shardItem) []shardItem {
	out := make([]shardItem, 0, len(x)+len(y))
	for len(x) > 0 && len(y) > 0 {
		if y[0].key < x[0].key {
			out = append(out, y[0])
			y = y[1:]
		} else {
			out = append(out, x[0])
			x = x[1:]
		}
	}
	out = append(out, x...)
	return append(out, y...)
}

// splitRuns returns, for runs sorted by distinct keys, how many items of
// each run come before the r-th item of their merged order.
func splitRuns(runs [][]shardItem, r int) []int {
	at := make([]int, len(runs))
	total := 0
	for k, run := range runs {
		at[k] = len(run)
		total += len(run)
	}
	if r >= total {
		return at
	}
	if len(runs) == 1 {
		at[0] = r // the single run of keys that may not be distinct
		return at
	}
	// the smallest key v with more than r items at or below it, between
	// the smallest and the largest key
	lo, hi := uint64(math.MaxUint64), uint64(0)
	for _, run := range runs {
		if len(run) > 0 {
			lo, hi = min(lo, run[0].key), max(hi, run[len(run)-1].key)
		}
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		n := 0
		for _, run := range runs {
			n += sort.Search(len(run), func(i int) bool { return run[i].key > mid })
		}
		if n > r {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	for k, run := range runs {
		at[k] = sort.Search(len(run), func(i int) bool { return run[i].key >= lo })
	}
	return at
}

// mergeRuns calls fn for the items of runs[k][from[k]:to[k]], every k, in
// key order: a k-way merge, linear in the number of runs (at most eight,
// see rankShards).
func mergeRuns(runs [][]shardItem, from, to []int, fn func(*shardItem)) {
	heads := make([][]shardItem, 0, len(runs))
	for k, run := range runs {
		if from[k] < to[k] {
			heads = append(heads, run[from[k]:to[k]])
		}
	}
	for len(heads) > 1 {
		m := 0
		for k := 1; k < len(heads); k++ {
			if heads[k][0].key < heads[m][0].key {
				m = k
			}
		}
		fn(&heads[m][0])
		if heads[m] = heads[m][1:]; len(heads[m]) == 0 {
			heads = slices.Delete(heads, m, m+1)
		}
	}
	for _, h := range heads {
		for i := range h {
			fn(&h[i])
		}
	}
}

// radixSortItems sorts items by key, of which only the low nbits may be
// set, with an LSD radix sort on 11-bit digits (histograms that stay in
// the L1 cache).
func radixSortItems(items []shardItem, nbits int) []shardItem {
	const dbits = 11
	passes := (nbits + dbits - 1) / dbits
	if passes == 0 || len(items) < 2 {
		return items
	}
	cnt := make([][1 << dbits]int, passes)
	for i := range items {
		k := items[i].key
		for p := range cnt {
			cnt[p][k>>(p*dbits)&(1<<dbits-1)]++
		}
	}
	tmp := make([]shardItem, len(items))
	for p := range cnt {
		c := &cnt[p]
		sh := p * dbits
		if c[items[0].key>>sh&(1<<dbits-1)] == len(items) {
			continue // all alike: the pass would change nothing
		}
		sum := 0
		for i, n := range c {
			c[i] = sum
			sum += n
		}
		for _, it := range items {
			d := it.key >> sh & (1<<dbits - 1)
			tmp[c[d]] = it
			c[d]++
		}
		items, tmp = tmp, items
	}
	return items
}

// Write writes the ranking to w, a line per key made by appendLine
// (which appends it to dst and returns the result), formatted in
// parallel. It stops at the first error of w and returns it.
func (r *Ranking) Write(w io.Writer, appendLine func(dst []byte, count int64, key []byte) []byte) error {
	runs, tabs, total := r.runs, r.tabs, r.total
	// The report is cut into segments of per lines. One formatter per CPU
	// takes the next segment (merging its share of the runs) as soon as
	// it has a free buffer, and this goroutine writes the segments in
	// order, handing each buffer back: no round waits for its slowest
	// segment. A formatter holds its buffer before it takes a segment, so
	// the segment being waited for always has one.
	const per = 4 << 10
	nseg := (total + per - 1) / per
	if nseg == 0 {
		return nil
	}
	var arena int
	for _, t := range tabs {
		for _, b := range t.blocks {
			arena += len(b)
		}
	}
	// room for as many bytes as a segment's records hold on average,
	// more than its lines need
	segBytes := min(per*(arena/total+1), arena)
	nw := runtime.GOMAXPROCS(0)
	free := make(chan []byte, 2*nw)
	for range cap(free) {
		free <- make([]byte, 0, segBytes)
	}
	done := make([]chan []byte, nseg)
	for i := range done {
		done[i] = make(chan []byte, 1)
	}
	var next atomic.Int64
	stop := make(chan struct{})
	for range nw {
		go func() {
			for {
				var b []byte
				select {
				case b = <-free:
				case <-stop:
					return
				}
				select {
				case <-stop: // the writer failed
					return
				default:
				}
				i := int(next.Add(1) - 1)
				if i >= nseg {
					return
				}
				lo, hi := i*per, min((i+1)*per, total)
				mergeRuns(runs, splitRuns(runs, lo), splitRuns(runs, hi), func(it *shardItem) {
					rec, key := tabs[it.ref>>32].rec(uint32(it.ref))
					b = appendLine(b, rec.count, key)
				})
				done[i] <- b
			}
		}()
	}
	defer close(stop)
	for i := range nseg {
		b := <-done[i]
		if _, err := w.Write(b); err != nil {
			return err
		}
		free <- b[:0]
	}
	return nil
}

// Each calls fn for every key of section, in the order of their first
// lines, with its count.
func (c *Counter) Each(section string, fn func(key []byte, count int64)) {
	tabs := c.sections[section]
	var items []shardItem
	for ti, t := range tabs {
		t.each(func(pos uint32, r *recHdr, _ []byte) {
			items = append(items, shardItem{key: uint64(r.seq), ref: uint64(ti)<<32 | uint64(pos)})
		})
	}
	slices.SortFunc(items, func(x, y shardItem) int { return cmp.Compare(x.key, y.key) })
	for _, it := range items {
		r, key := tabs[it.ref>>32].rec(uint32(it.ref))
		fn(key, r.count)
	}
}
