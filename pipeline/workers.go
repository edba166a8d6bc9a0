package pipeline

import (
	"slices"

	"github.com/logtally/logtally/rules"
)

// workerPool classifies chunks on several goroutines and returns them in
// the order they were submitted: chunk i goes to worker i mod n, and
// results are taken from the workers in the same rotation.
//
// A nil *workerPool is valid and means "no workers": it is never full,
// always idle, and its results channel is nil.
type workerPool struct {
	workers  []*worker
	next     int // worker of the next submission
	head     int // worker whose result comes next
	inflight int
	limit    int
	free     []*batch
}

type worker struct {
	in  chan job
	out chan *batch
}

type job struct {
	c   chunk
	set *rules.Set
	b   *batch
}

// newWorkerPool starts n workers, or returns nil for n <= 1.
func newWorkerPool(e *Engine, n int) *workerPool {
	if n <= 1 {
		return nil
	}
	p := &workerPool{limit: 2 * n}
	for i := 0; i < n; i++ {
		w := &worker{in: make(chan job, 2), out: make(chan *batch, 2)}
		p.workers = append(p.workers, w)
		k := e.classifierFor(e.set)
		go func() {
			defer close(w.out)
			for j := range w.in {
				if j.set != k.set { // the rules were reloaded
					k = e.classifierFor(j.set)
				}
				k.classify(j.b, j.c)
				w.out <- j.b
			}
		}()
	}
	return p
}

func (p *workerPool) full() bool { return p != nil && p.inflight >= p.limit }
func (p *workerPool) idle() bool { return p == nil || p.inflight == 0 }

// results is the channel the next in-order result arrives on; nil when
// nothing is in flight, so a select skips it.
func (p *workerPool) results() <-chan *batch {
	if p == nil || p.inflight == 0 {
		return nil
	}
	return p.workers[p.head].out
}

// submit hands c to the next worker. The caller checked !full().
func (p *workerPool) submit(c chunk, set *rules.Set) {
	var b *batch
	for i, fb := range p.free { // oldest first: the likeliest to be done with
		if fb.refs.Load() == 0 { // no key counter reads it any more
			b = fb
			p.free = slices.Delete(p.free, i, i+1)
			break
		}
	}
	if b == nil {
		b = &batch{} // bounded: key counters hold at most their queues' worth
	}
	p.workers[p.next].in <- job{c: c, set: set, b: b}
	p.next = (p.next + 1) % len(p.workers)
	p.inflight++
}

// release takes back a result the caller received from results().
func (p *workerPool) release(b *batch) {
	p.head = (p.head + 1) % len(p.workers)
	p.inflight--
	p.free = append(p.free, b)
}

// drain waits for every batch in flight and passes each to done, in order.
func (p *workerPool) drain(done func(*batch) error) error {
	var err error
	for !p.idle() {
		b := <-p.results()
		if derr := done(b); err == nil {
			err = derr
		}
		p.release(b)
	}
	return err
}

// stop ends the workers; nothing may be in flight.
func (p *workerPool) stop() {
	if p == nil {
		return
	}
	for _, w := range p.workers {
		close(w.in)
	}
}
