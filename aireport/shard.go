package aireport

import (
	"cmp"
	"context"
	"encoding/binary"
	"hash/maphash"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// The article fast path (fastExact) counts with hash-partitioned tables:
// worker w owns the keys whose hash falls in shard w, so every key is
// stored once and nothing is merged at the end. Any worker takes the next
// block read; a line of another worker's shard is copied (hash, position,
// key) into an outbox that goes to its owner when full. Ties are ranked
// by the position of a key's first line, which does not depend on the
// scheduling.

const (
	outboxSize = 256 << 10
	inboxLen   = 4
)

type seqBlock struct {
	b   []byte
	seq int64 // position of b[0] over the run
}

type shardWorker struct {
	id     int
	w      int
	seed   maphash.Seed
	tab    *keyTable
	inbox  chan []byte
	peers  []chan []byte
	out    [][]byte
	free   chan []byte
	scr    []byte
	marks  marks
	cut    bool
	lines  int64
	long   int64
	keys   [batchSize][]byte
	hs     [batchSize]uint64
	seqs   [batchSize]int64
	nbatch int
}

func shardOf(h uint64, w int) int { return int(uint64(uint32(h)) * uint64(w) >> 32) }

func (a *Aggregator) shardTables(c *category, w int) []*keyTable {
	if len(c.shards) != w {
		if len(c.shards) != 0 {
			panic("aireport: worker count changed between inputs")
		}
		for range w {
			c.shards = append(c.shards, newKeyTable(12, w))
		}
	}
	return c.shards
}

// readSharded is readParallel for the fast path.
func (a *Aggregator) readSharded(ctx context.Context, src *Source, ctr *Counters) (int64, error) {
	w := a.workers
	c := a.category(src.Category)
	tabs := a.shardTables(c, w)
	blocks := make(chan seqBlock, w)
	free := make(chan []byte, 2*w+2)
	outFree := make(chan []byte, w*(w+inboxLen))
	inboxes := make([]chan []byte, w)
	for i := range inboxes {
		inboxes[i] = make(chan []byte, inboxLen)
	}
	data, unmap, mapped := mapFile(src)
	var mj *mapJobs
	if mapped {
		mj = newMapJobs(data, a.seqBase)
	}
	allSent := make(chan struct{})
	var sent, done sync.WaitGroup
	workers := make([]*shardWorker, w)
	for i := range workers {
		sw := &shardWorker{id: i, w: w, seed: a.hseed, tab: tabs[i], inbox: inboxes[i], peers: inboxes,
			out: make([][]byte, w), free: outFree, cut: a.opt.Header == HeaderCut}
		workers[i] = sw
		sent.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			if mapped {
				sw.mapped(ctx, mj, ctr)
			} else {
				for blk := range blocks {
					sw.block(blk)
					select {
					case free <- blk.b[:0]:
					default:
					}
				}
			}
			for s, o := range sw.out {
				if len(o) > 0 {
					sw.send(s)
				}
			}
			sent.Done()
			for {
				select {
				case m := <-sw.inbox:
					sw.records(m)
				case <-allSent:
					for {
						select {
						case m := <-sw.inbox:
							sw.records(m)
						default:
							return
						}
					}
				}
			}
		}()
	}
	go func() { sent.Wait(); close(allSent) }()
	get := func() []byte {
		select {
		case b := <-free:
			return b
		default:
			return make([]byte, 0, chunkSize+chunkSize/2)
		}
	}
	var err error
	if mapped {
		done.Wait()
		unmap()
		a.seqBase += mj.size
		err = mj.firstErr(src.Name)
	} else {
		err = ReadBlocks(ctx, *src, ctr, chunkSize, get, func(block []byte) {
			blocks <- seqBlock{block, a.seqBase}
			a.seqBase += int64(len(block))
		})
		close(blocks)
		done.Wait()
	}
	var n int64
	for _, sw := range workers {
		n += sw.lines
		c.longLine += sw.long
	}
	c.lines += n
	return n, err
}

// block counts the lines of one block (ending in '\n'): its own shard's
// in batches (slot loads first, so their cache misses overlap), the
// others' into outboxes. The scan jumps between the bytes the article's
// masks and the line ends start with (see marks), and masks as it goes,
// byte for byte like maskArticle.
func (sw *shardWorker) block(blk seqBlock) {
	b := blk.b
	seq := blk.seq
	scr := sw.scr[:0]
	skip := 0
	if sw.cut {
		skip = 16
	}
	mk := &sw.marks
	mk.reset(b)
	n := len(b)
	ls := 0
	for ls < n {
		i := ls + skip
		e := -1 // end of a line of fewer than skip bytes
		for j := mk.next(ls); j < i; j = mk.next(j + 1) {
			if b[j] == '\n' {
				e = j
				break
			}
		}
		var key []byte
		if e >= 0 {
			key = b[e:e]
		} else {
			lit, st := i, len(scr)
			for {
				// mk.next(i), by hand: the inliner finds it too big
				if j := mk.inWord(i); j >= 0 {
					i = j
				} else if j := mk.inWord((i | 63) + 1); j >= 0 {
					i = j
				} else {
					i = mk.nextSlow(i)
				}
				c := b[i]
				if c == '\n' {
					break
				}
				if c == '[' {
					j := digitsEnd(b, i+1)
					if b[j] == ']' {
						scr = append(append(scr, b[lit:i]...), "[PID]"...)
						i, lit = j+1, j+1
						continue
					}
				} else if c == 'p' {
					// b ends in '\n', so the checks stop inside b
					if b[i+1] == 'o' {
						if b[i+2] == 'r' && b[i+3] == 't' && b[i+4] == ' ' {
							if j := digitsEnd(b, i+5); b[j] == ' ' {
								scr = append(append(scr, b[lit:i]...), "port PORT "...)
								i, lit = j+1, j+1
								continue
							}
						}
					} else if b[i+1] == 'i' && b[i+2] == 'd' && b[i+3] == '=' {
						j := digitsEnd(b, i+4)
						scr = append(append(scr, b[lit:i]...), "pid=PID"...)
						i, lit = j, j
						continue
					}
				}
				i++
			}
			e = i
			switch {
			case e-ls > MaxLine: // cut there, as ReadBlocks does
				key, scr = maskArticle(scr[:st], sw.cutLine(b[ls:ls+MaxLine]))
			case lit == ls+skip:
				key = b[lit:e]
			default:
				scr = append(scr, b[lit:e]...)
				key = scr[st:]
			}
		}
		lseq := seq + int64(ls)
		if min(e-ls, MaxLine) > LongLine {
			sw.long++
		}
		ls = e + 1
		sw.lines++
		h := maphash.Bytes(sw.seed, key)
		if s := shardOf(h, sw.w); s != sw.id {
			o := sw.out[s]
			if o == nil {
				o = binary.LittleEndian.AppendUint32(sw.getOut(), uint32(sw.id)) // the origin
			}
			o = binary.LittleEndian.AppendUint64(o, h)
			o = binary.LittleEndian.AppendUint64(o, uint64(lseq))
			o = binary.LittleEndian.AppendUint32(o, uint32(len(key)))
			sw.out[s] = append(o, key...)
			if len(sw.out[s]) >= outboxSize {
				sw.send(s)
			}
			continue
		}
		k := sw.nbatch
		sw.keys[k], sw.hs[k], sw.seqs[k] = key, h, lseq
		sw.tab.prefetchSlot(h)
		sw.nbatch++
		if sw.nbatch == batchSize {
			sw.flush()
			scr = scr[:0]
			// count what peers sent after every batch, not only while
			// sending: a peer whose outbox finds this inbox full waits
			select {
			case m := <-sw.inbox:
				sw.records(m)
			default:
			}
		}
	}
	sw.flush()
	sw.scr = scr
}

// digitsEnd returns the first position from j on that is not an ASCII
// digit; b ends in '\n', so there is one.
func digitsEnd(b []byte, j int) int {
	for b[j]-'0' < 10 {
		j++
	}
	return j
}

func (sw *shardWorker) cutLine(line []byte) []byte {
	if sw.cut {
		return Cut17(line)
	}
	return line
}

const (
	lo8     = 0x0101010101010101
	hi8     = 0x8080808080808080
	nlBytes = lo8 * '\n'
	pBytes  = lo8 * 'p'
	brBytes = lo8 * '['
)

// zeroBytes has the high bit of each zero byte of x set; the lowest set
// bit is exact (higher ones may be false, above a zero byte).
func zeroBytes(x uint64) uint64 { return (x - lo8) &^ x & hi8 }

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func (sw *shardWorker) flush() {
	for i := range sw.nbatch {
		sw.tab.prefetchRecord(sw.hs[i])
	}
	for i := range sw.nbatch {
		sw.tab.insert(sw.hs[i], sw.keys[i], sw.seqs[i], uint32(sw.id))
		sw.keys[i] = nil
	}
	sw.nbatch = 0
}

func (sw *shardWorker) getOut() []byte {
	select {
	case o := <-sw.free:
		return o
	default:
		return make([]byte, 0, outboxSize+outboxSize/4)
	}
}

// send hands outbox s to its owner, counting what arrives meanwhile (two
// workers sending to each other never wait for each other).
func (sw *shardWorker) send(s int) {
	o := sw.out[s]
	sw.out[s] = nil
	for {
		select {
		case sw.peers[s] <- o:
			return
		case m := <-sw.inbox:
			sw.records(m)
		}
	}
}

// records counts the records of an outbox another worker sent: its
// worker id, then hash, position, length and key of each line.
func (sw *shardWorker) records(m []byte) {
	t := sw.tab
	buf := m
	origin := binary.LittleEndian.Uint32(m)
	m = m[4:]
	var (
		keys [batchSize][]byte
		hs   [batchSize]uint64
		seqs [batchSize]int64
	)
	for len(m) > 0 {
		n := 0
		for n < batchSize && len(m) > 0 {
			h := binary.LittleEndian.Uint64(m)
			seq := int64(binary.LittleEndian.Uint64(m[8:]))
			ln := int(binary.LittleEndian.Uint32(m[16:]))
			keys[n], hs[n], seqs[n] = m[20:20+ln], h, seq
			t.prefetchSlot(h)
			m = m[20+ln:]
			n++
		}
		for i := range n {
			t.prefetchRecord(hs[i])
		}
		for i := range n {
			t.insert(hs[i], keys[i], seqs[i], origin)
		}
	}
	select {
	case sw.free <- buf[:0]:
	default:
	}
}

// shardItem is one key of the ranking: key orders it (count descending,
// then section, then first line), ref is its table and record position.
type shardItem struct {
	key uint64
	ref uint64
}

// hasShards reports whether the counts are in fast-path shard tables only.
func (a *Aggregator) hasShards() bool {
	any := false
	for _, c := range a.cats {
		if len(c.table.ents) > 0 {
			return false
		}
		any = any || len(c.shards) > 0
	}
	return any
}

// rankShards returns the keys of every shard table in ranking order, as
// runs sorted by key (keys distinct: they hold the first line's position)
// to be merged while the report is written (see mergeRuns), or as a
// single run when the sort key does not fit in 64 bits; and the tables
// the items point into.
func (a *Aggregator) rankShards() ([][]shardItem, []*keyTable) {
	names := make([]string, 0, len(a.cats))
	total := 0
	for n, c := range a.cats {
		names = append(names, n)
		for _, t := range c.shards {
			total += t.n
		}
	}
	slices.Sort(names)
	var tabs []*keyTable
	var secs, offs []int
	var maxSeq, maxCount int64
	off := 0
	for k, n := range names {
		for _, t := range a.cats[n].shards {
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

// writeUniqShards is WriteUniq for the fast path.
func (a *Aggregator) writeUniqShards(w io.Writer) error {
	runs, tabs := a.rankShards()
	total := 0
	for _, run := range runs {
		total += len(run)
	}
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
					r, key := tabs[it.ref>>32].rec(uint32(it.ref))
					b = appendCount(b, r.count)
					b = append(b, key...)
					b = append(b, '\n')
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

// settleShards moves the fast path's shard tables into the categories'
// lineTables (in first-appearance order), for Build.
func (a *Aggregator) settleShards() {
	for _, c := range a.cats {
		if len(c.shards) == 0 {
			continue
		}
		var items []shardItem
		for ti, t := range c.shards {
			t.each(func(pos uint32, r *recHdr, _ []byte) {
				items = append(items, shardItem{key: uint64(r.seq), ref: uint64(ti)<<32 | uint64(pos)})
			})
		}
		slices.SortFunc(items, func(x, y shardItem) int { return cmp.Compare(x.key, y.key) })
		for _, it := range items {
			r, key := c.shards[it.ref>>32].rec(uint32(it.ref))
			c.table.add(key, 0, r.count)
		}
		c.shards = nil
	}
}
