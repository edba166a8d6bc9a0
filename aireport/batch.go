package aireport

import (
	"bytes"
	"hash/maphash"
)

// batchSize lines are masked and hashed before their table slots are
// looked up, so that the cache misses of a batch overlap instead of
// queueing one after the other.
const batchSize = 32

// fastExact reports whether addBlock may take the batched path: exact
// grouping of cut or whole lines, no classifier, nothing but the counts
// needed (the uniq output).
func (a *Aggregator) fastExact() bool {
	o := &a.opt
	return o.Grouping == GroupExact && o.Classifier == nil && !o.TrackTimes && o.SkipOddities &&
		o.Header != HeaderAuto && o.Since.IsZero() && o.Until.IsZero() && o.Masker.Article
}

// addBlock counts every line of block (each ending in "\n").
func (a *Aggregator) addBlock(src *Source, block []byte) {
	if !a.fastExact() {
		for len(block) > 0 {
			j := bytes.IndexByte(block, '\n')
			a.Add(src, block[:j])
			block = block[j+1:]
		}
		return
	}
	c := a.category(src.Category)
	t := c.table
	var (
		keys  [batchSize][2]int // start, end in buf
		hs    [batchSize]uint64
		touch uint64
	)
	buf := a.buf[:0]
	for len(block) > 0 {
		n := 0
		buf = buf[:0]
		for n < batchSize && len(block) > 0 {
			j := bytes.IndexByte(block, '\n')
			line := block[:j]
			block = block[j+1:]
			if len(line) > LongLine {
				c.longLine++
			}
			if a.opt.Header == HeaderCut {
				line = Cut17(line)
			}
			start := len(buf)
			buf = appendArticle(buf, line)
			keys[n] = [2]int{start, len(buf)}
			hs[n] = maphash.Bytes(t.seed, buf[start:])
			// load the slot now: the misses of the batch overlap
			touch += t.slots[hs[n]&uint64(len(t.slots)-1)].off
			n++
		}
		c.lines += int64(n)
		for i := 0; i < n; i++ {
			t.addHash(hs[i], buf[keys[i][0]:keys[i][1]], 0, 1)
		}
	}
	a.buf = buf
	a.touch += touch
}
