package aireport

import (
	"bytes"
	"context"
	"sync"
)

// chunkSize is the unit of work handed to a parallel worker.
const chunkSize = 1 << 20

// parallelOK reports whether lines may be counted in blocks by several
// workers (one per CPU, possibly just one) and merged afterwards: exact
// grouping (counts add up) and no Classifier (it is stateful and
// single-goroutine).
func (a *Aggregator) parallelOK() bool {
	return a.opt.Grouping == GroupExact && a.opt.Classifier == nil
}

// readParallel reads src in this goroutine and counts its lines in
// GOMAXPROCS workers, each with its own Aggregator, merged into a at the
// end. Chunk i goes to worker i mod W, so the merged first-appearance order
// (the tie-breaker of the ranking) does not depend on scheduling.
func (a *Aggregator) readParallel(ctx context.Context, src *Source, ctr *Counters) (n int64, err error) {
	if a.fastExact() {
		return a.readExact(ctx, src, ctr)
	}
	w := a.workers
	workers := make([]*Aggregator, w)
	chans := make([]chan []byte, w)
	free := make(chan []byte, 2*w+2)
	var wg sync.WaitGroup
	for i := range workers {
		opt := a.opt
		opt.Masker = Masker{Article: a.opt.Masker.Article, Builtin: a.opt.Masker.Builtin, User: a.opt.Masker.User}
		workers[i] = NewAggregator(opt)
		workers[i].hseed = a.hseed
		chans[i] = make(chan []byte, 2)
		wg.Add(1)
		go func(agg *Aggregator, in <-chan []byte) {
			defer wg.Done()
			for chunk := range in {
				agg.addBlock(src, chunk)
				select {
				case free <- chunk[:0]:
				default:
				}
			}
		}(workers[i], chans[i])
	}
	next := 0
	get := func() []byte {
		select {
		case b := <-free:
			return b
		default:
			return make([]byte, 0, chunkSize+chunkSize/2)
		}
	}
	err = ReadBlocks(ctx, *src, ctr, chunkSize, get, func(block []byte) {
		n += int64(bytes.Count(block, []byte{'\n'}))
		chans[next%w] <- block
		next++
	})
	for _, c := range chans {
		close(c)
	}
	wg.Wait()
	for _, wa := range workers {
		a.merge(wa)
	}
	return n, err
}

// merge adds the exact-grouped counts of b into a.
func (a *Aggregator) merge(b *Aggregator) {
	for name, bc := range b.cats {
		if _, ok := a.cats[name]; !ok {
			a.cats[name] = bc // first worker with this category: adopt, no rehash
			a.last = nil
			continue
		}
		c := a.category(name)
		c.lines += bc.lines
		c.outOfRange += bc.outOfRange
		c.unparsed += bc.unparsed
		c.binary += bc.binary
		c.invalidUTF8 += bc.invalidUTF8
		c.longLine += bc.longLine
		c.ignored += bc.ignored
		c.claimed += bc.claimed
		for r, n := range bc.rules {
			c.rules[r] += n
			c.ruleIgnore[r] = bc.ruleIgnore[r]
		}
		c.table.merge(bc.table, c.tableEx, bc.tableEx, a.opt.MaxExamples)
	}
}

// addBlock counts every line of block (each ending in "\n"). The article
// fast path (fastExact) never gets here: it counts in readExact.
func (a *Aggregator) addBlock(src *Source, block []byte) {
	for len(block) > 0 {
		j := bytes.IndexByte(block, '\n')
		a.Add(src, block[:j])
		block = block[j+1:]
	}
}
