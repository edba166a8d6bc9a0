package aireport

import "bytes"

// batchSize lines are masked and hashed before their table slots are
// looked up, so that the cache misses of a batch overlap instead of
// queueing one after the other.
const batchSize = 32

// fastExact reports whether the input may take the fast path (see
// readSharded): exact grouping of cut or whole lines, no classifier,
// nothing but the counts needed (the uniq output).
func (a *Aggregator) fastExact() bool {
	o := &a.opt
	return o.Grouping == GroupExact && o.Classifier == nil && !o.TrackTimes && o.SkipOddities &&
		o.Header != HeaderAuto && o.Since.IsZero() && o.Until.IsZero() && o.Masker.Article
}

// addBlock counts every line of block (each ending in "\n"). The article
// fast path (fastExact) never gets here: it counts in readSharded.
func (a *Aggregator) addBlock(src *Source, block []byte) {
	for len(block) > 0 {
		j := bytes.IndexByte(block, '\n')
		a.Add(src, block[:j])
		block = block[j+1:]
	}
}
