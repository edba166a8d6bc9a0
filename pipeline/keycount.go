package pipeline

import (
	"sync"
	"sync/atomic"

	"github.com/logtally/logtally/tally"
)

// Counting top-N keys is most of the work on high-cardinality jobs (a map
// probe and, for a new key, a copy per key), so with workers it runs on
// several goroutines instead of the loop's. The loop still walks every
// classified line in input order and decides where it counts (minute,
// category, late, spool; counters, distinct counts and statistics, which
// are cheap); for each top-N key it records a keyOp instead of counting it.
// The ops of a batch go to every key counter, and counter i adds only the
// keys of the table parts it owns (tally.TopKPart(hash) mod n == i). A
// table part is fed by exactly one goroutine, in input order, so every
// table ends up byte for byte what one goroutine would have counted,
// evictions included — for any number of workers.
//
// The loop waits for the counters (settle) before anything reads or
// resets a window's top-N tables: closing a minute, EmitNow, Reload, a
// checkpoint, the final flush.

// keyOp is one top-N key to count: the batch's key i into table top.
type keyOp struct {
	top *tally.TopK
	key int32
}

// keyJob is a run of one batch's ops, or (b == nil) a fence.
type keyJob struct {
	b   *batch
	ops []keyOp
}

// keyCounters are the goroutines that count top-N keys.
type keyCounters struct {
	in      []chan keyJob
	fenced  chan struct{}
	wg      sync.WaitGroup
	pending bool // ops sent since the last fence
}

func newKeyCounters(n int) *keyCounters {
	c := &keyCounters{fenced: make(chan struct{}, n)}
	for i := range n {
		in := make(chan keyJob, 8)
		c.in = append(c.in, in)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for j := range in {
				if j.b == nil {
					c.fenced <- struct{}{}
					continue
				}
				countKeys(j, i, n)
				j.b.refs.Add(-1)
			}
		}()
	}
	return c
}

// countKeys adds the ops of j whose table part counter i of n owns.
func countKeys(j keyJob, i, n int) {
	b := j.b
	for _, op := range j.ops {
		h := b.keyHashes[op.key]
		if tally.TopKPart(h)%n == i {
			op.top.AddHashed(b.key(int(op.key)), h, 1)
		}
	}
}

// send hands ops (of b) to every counter. b must not be reused before
// b.refs is back to zero.
func (c *keyCounters) send(b *batch, ops []keyOp) {
	b.refs.Add(int32(len(c.in)))
	for _, in := range c.in {
		in <- keyJob{b: b, ops: ops}
	}
	c.pending = true
}

// fence returns once every op sent so far is counted.
func (c *keyCounters) fence() {
	if !c.pending {
		return
	}
	for _, in := range c.in {
		in <- keyJob{}
	}
	for range c.in {
		<-c.fenced
	}
	c.pending = false
}

// stop ends the counters after the ops sent so far.
func (c *keyCounters) stop() {
	for _, in := range c.in {
		close(in)
	}
	c.wg.Wait()
}

// batchRefs counts the key counters still reading a batch.
type batchRefs = atomic.Int32
