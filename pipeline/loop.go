package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/logtally/logtally/tally"
)

// loop is Run's one event loop. A reading goroutine cuts the input into
// chunks of whole lines; the loop's goroutine keeps the clock, the
// controls, the checkpoints and the end. Every control, timer and exit path
// is written once, here. Where lines are counted and confirmed is the
// confirmation policy, chosen by RunOptions.Lockstep:
//
//   - workers (default): the reader hands each chunk to the loop over a
//     channel; the loop classifies it (inline, or on the worker pool) and
//     counts, then confirms, the chunks in input order. Throughput-bound
//     input (a file, rsyslog without confirmations) keeps reading, parsing
//     and counting in parallel: with the worker pool, the top-N keys are
//     counted by as many key counters (keycount.go), each owning a fixed
//     share of every table, so the counts are those of one goroutine.
//   - lockstep: the reading goroutine classifies, counts and confirms
//     each chunk itself, under mu (see countLockstep). rsyslog with
//     confirmations sends one line and waits for its reply, so every
//     hand-off between goroutines would add to the round trip that sets the
//     pace; the reader also reuses its one buffer instead of handing it on.
//
// Either way a chunk is accepted in one place, accept, before its reply.
//
// The engine is touched under mu. In workers mode only the loop's
// goroutine touches it and mu is never contended; in lockstep mode the
// reader and the loop share it.
type loop struct {
	e      *Engine
	opt    RunOptions
	cp     *checkpointer // nil without a checkpoint file
	reader *lineReader
	chunks chan chunk  // reader → loop; in lockstep only closed at the end of input
	pool   *workerPool // nil: classify on the loop's goroutine (or the reader's, in lockstep)

	mu sync.Mutex
	// stopped, under mu: the loop has decided to stop, so nothing more is
	// counted or confirmed. An unconfirmed line is re-sent by rsyslog to the
	// next summarize; a line counted after the final checkpoint would be lost.
	stopped bool
	// confirmErr, under mu: a reply failed on the reading goroutine
	// (lockstep); failed is closed then, to end the loop.
	confirmErr error
	failed     chan struct{}
}

func newLoop(e *Engine, in io.Reader, opt RunOptions, cp *checkpointer, bufSize int) *loop {
	l := &loop{e: e, opt: opt, cp: cp, chunks: make(chan chunk, 4), failed: make(chan struct{})}
	l.reader = &lineReader{in: in, maxLine: e.cfg.MaxLine, bufSize: bufSize, now: e.cfg.Now, out: l.chunks}
	if opt.Lockstep {
		l.reader.free = make(chan []byte, 4)
		l.reader.sink = l.countLockstep
	} else {
		l.reader.free = make(chan []byte, 8+4*opt.Workers)
		l.pool = newWorkerPool(e, opt.Workers)
		if l.pool != nil {
			// More counters than table parts would have nothing to count.
			e.keys = newKeyCounters(min(opt.Workers, tally.TopKParts))
		}
	}
	return l
}

// accept is where a counted chunk of n lines becomes logtally's
// responsibility: its unknown lines are written to the spool files and the
// chunk to the journal (Engine.commit), so that a process kill cannot lose
// it, then rsyslog is told so (Ack) and will not send the lines again. It
// is the one place both policies pass through before a reply. The caller
// holds the engine (mu, or the loop's goroutine).
func (l *loop) accept(c chunk, n int) error {
	l.e.commit(c)
	// Minutes the chunk closed (event clock) go out now: the checkpoint
	// saved before them then covers the whole chunk and its journal record.
	defer l.e.emitHeld()
	if l.opt.Ack == nil {
		return nil
	}
	if err := l.opt.Ack(n); err != nil {
		return fmt.Errorf("pipeline: confirm: %w", err)
	}
	return nil
}

// count adds a classified batch to the open minutes. Minutes it closes
// are held until accept: a checkpoint saved in the middle of a chunk would
// hold part of it and point the journal past all of it.
func (l *loop) count(b *batch) {
	l.e.holding = true
	l.e.applyBatch(b)
	l.e.holding = false
	if l.cp != nil {
		l.cp.dirty = true
	}
}

// countLockstep is the lockstep reader's sink: it runs on the reading
// goroutine and must not keep c.data (the reader reuses its buffer).
func (l *loop) countLockstep(c chunk) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || l.confirmErr != nil {
		return
	}
	// Count, commit, then reply, inside one critical section. A stop waits
	// for the lock, so a confirmed line is always counted before the final
	// checkpoint or flush, and a crash finds it in the journal. (Replying
	// first would let rsyslog prepare the next line meanwhile, but the
	// journal must hold the line before its OK, and its unknown lines must
	// be in the spool before it is journaled.) A reply that fails (rsyslog
	// gone) leaves a counted line unconfirmed: rsyslog re-sends it and it is
	// counted twice, like the line in flight at a kill.
	l.e.inline.classify(&l.e.scratch, c)
	l.count(&l.e.scratch)
	if err := l.accept(c, lineCount(c)); err != nil {
		l.confirmErr = err
		close(l.failed)
	}
}

// done counts a classified batch (workers mode, loop's goroutine), accepts
// it and hands its buffer back to the reader.
func (l *loop) done(b *batch) error {
	l.count(b)
	err := l.accept(b.chunk, len(b.lines))
	l.reader.put(b.chunk.data)
	return err
}

func (l *loop) run(ctx context.Context, controls <-chan Control, ticks, saves <-chan time.Time) error {
	e := l.e
	readErr := make(chan error, 1)
	go func() { readErr <- l.reader.run() }()
	defer l.pool.stop()

	var err error
	input := (<-chan chunk)(l.chunks)
loop:
	for {
		// Stop taking input while every worker is busy.
		in := input
		if l.pool.full() {
			in = nil
		}
		select {
		case c, ok := <-in:
			if !ok { // the reader reached EOF or a read error
				input = nil
				if l.pool.idle() {
					break loop
				}
				continue
			}
			if l.pool == nil {
				e.inline.classify(&e.scratch, c)
				err = l.done(&e.scratch)
			} else {
				l.pool.submit(c, e.set)
			}
		case b := <-l.pool.results():
			err = l.done(b)
			l.pool.release(b)
			if input == nil && l.pool.idle() {
				break loop
			}
		case <-l.failed:
			break loop
		case now := <-ticks:
			if l.opt.Ticks == nil {
				now = e.cfg.Now() // the injected clock rules, not the ticker's
			}
			l.mu.Lock()
			e.Tick(now)
			l.mu.Unlock()
		case <-saves:
			e.savePeriodic(l.cp, &l.mu)
		case c := <-controls:
			err = l.pool.drain(l.done)
			l.mu.Lock()
			cerr := e.control(c)
			l.mu.Unlock()
			if c.Done != nil {
				c.Done <- cerr
			}
			if c.Kind == Stop {
				break loop
			}
		case <-ctx.Done():
			break loop
		}
		if err != nil {
			break
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	if derr := l.pool.drain(l.done); err == nil {
		err = derr
	}
	if err == nil {
		err = l.confirmErr
	}
	if l.cp != nil {
		// Keep the open minutes for the next start rather than emitting
		// them partial now.
		e.saveAtExit(l.cp, e.cfg.Now())
	} else {
		e.Flush(e.cfg.Now())
	}
	if e.keys != nil { // settled by the save or flush: nothing is left to count
		e.keys.stop()
		e.keys = nil
	}
	var rerr error
	if input == nil {
		rerr = <-readErr // the reader has ended; its result is on its way
	} else {
		// The reader may be blocked in Read on a stdin that never closes;
		// it is abandoned here on purpose (the process is about to exit).
		select {
		case rerr = <-readErr:
		default:
		}
	}
	if err == nil && rerr != nil {
		err = fmt.Errorf("pipeline: read: %w", rerr)
	}
	return err
}
