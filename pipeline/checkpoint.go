package pipeline

import (
	"errors"
	"fmt"
	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/tally"
	"io/fs"
	"os"
	"sync"
	"time"
)

// DefaultCheckpointEvery is how often the open minutes are checkpointed
// while lines arrive. With confirmations a SIGKILL loses the lines
// confirmed since the last checkpoint: at rsyslog's ~100k lines/s that is
// up to 20k lines at 200ms.
const DefaultCheckpointEvery = 200 * time.Millisecond

// checkpointer keeps the engine's open minutes in a file so that a restart
// (rsyslog restarting its omprog child, a crash, an upgrade) continues the
// minute instead of splitting or losing it.
//
// The invariant that keeps a minute from being emitted twice: the file
// never holds a minute that has been handed to the outputs. Closed minutes
// leave the aggregator before they are emitted, and the engine saves the
// checkpoint between the two (Engine.beforeEmit). A crash between the save
// and the emit loses those summaries; it never duplicates them.
//
// Owned by the engine goroutine.
type checkpointer struct {
	path    string
	every   time.Duration
	dirty   bool // lines counted since the last save (engine-owned)
	failing bool // periodic saves are failing (logged once)

	// the writer goroutine's state, under mu
	mu         sync.Mutex
	cond       *sync.Cond
	exited     chan struct{}
	pending    []byte
	pendingSeq uint64
	seq        uint64 // last submitted
	written    uint64 // last written (or superseded and skipped)
	writeErr   error  // result of the last write
	stopping   bool
}

// restoreCheckpoint continues from the checkpoint file, if there is one:
// minutes still open at now are merged into the aggregator; minutes that
// ended while summarize was not running are emitted now (complete, not
// partial: they ended), with zero rows for the minutes in between as if
// summarize had run through them. A missing file is a fresh start; an
// unreadable or corrupt one is reported and ignored.
func (e *Engine) restoreCheckpoint(cp *checkpointer, now time.Time) {
	data, err := os.ReadFile(cp.path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		e.log.Error("checkpoint not restored", "path", cp.path, "err", err)
		return
	}
	// The minutes that ended meanwhile, from a scratch aggregator holding
	// everything the checkpoint held.
	opts := tally.Options{EventClock: e.cfg.EventClock, Grace: e.cfg.Grace}
	old := tally.NewAggregator(e.schemas(), opts)
	if _, err := old.Restore(data, time.Time{}); err != nil {
		e.log.Error("checkpoint not restored", "path", cp.path, "err", err)
		return
	}
	stale := old.Advance(now)
	restored, err := e.agg.Restore(data, now)
	if err != nil { // unreachable: the same data decoded above
		e.log.Error("checkpoint not restored", "path", cp.path, "err", err)
		return
	}
	lines := uint64(0)
	for _, s := range stale {
		lines += s.Lines
	}
	e.log.Info("checkpoint restored", "path", cp.path, "current_minute", restored, "ended_rows", len(stale), "ended_lines", lines)
	// The ended minutes leave the file before they go out, as always.
	if len(stale) > 0 {
		e.saveBeforeEmit(cp)
	}
	e.emit(stale)
}

// save writes the aggregator's open minutes to the checkpoint file and
// waits until they are on disk: temp file, fsync, rename, directory fsync.
// The caller owns the engine.
func (cp *checkpointer) save(agg *tally.Aggregator) error { // the caller has settled the engine
	data, err := agg.MarshalBinary()
	if err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
	}
	cp.dirty = false
	return cp.wait(cp.submit(data))
}

// savePeriodic saves when lines were counted since the last save, without
// waiting for the disk: the state is copied (under lock: in lockstep mode
// another goroutine counts) and handed to the writer goroutine. A
// failure is logged once until a save succeeds again.
func (e *Engine) savePeriodic(cp *checkpointer, lock sync.Locker) {
	lock.Lock()
	if !cp.dirty {
		lock.Unlock()
		return
	}
	e.settle()
	data, err := e.agg.MarshalBinary()
	cp.dirty = false
	lock.Unlock()
	if err == nil {
		cp.submit(data)
		err = cp.lastError()
	}
	switch {
	case err != nil && !cp.failing:
		e.log.Error("checkpoint failed", "path", cp.path, "err", err)
		cp.failing = true
	case err == nil && cp.failing:
		e.log.Info("checkpoint written again", "path", cp.path)
		cp.failing = false
	}
}

// The writer goroutine: it writes the newest submitted state, one file at
// a time, so counting never waits for fsync. States are submitted in order
// by one goroutine and an older one is never written after a newer one.
// Started by the first submit, stopped (after its last write) by stop.

func (cp *checkpointer) submit(data []byte) uint64 {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.cond == nil {
		cp.cond = sync.NewCond(&cp.mu)
		cp.exited = make(chan struct{})
		go cp.writer()
	}
	cp.seq++
	cp.pending, cp.pendingSeq = data, cp.seq
	cp.cond.Broadcast()
	return cp.seq
}

func (cp *checkpointer) writer() {
	defer close(cp.exited)
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for {
		for cp.pending == nil && !cp.stopping {
			cp.cond.Wait()
		}
		if cp.pending == nil {
			return
		}
		data, seq := cp.pending, cp.pendingSeq
		cp.pending = nil
		cp.mu.Unlock()
		err := atomicfile.Write(cp.path, data, 0o600)
		if err != nil {
			err = fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
		}
		cp.mu.Lock()
		cp.written, cp.writeErr = seq, err
		cp.cond.Broadcast()
	}
}

// wait returns once the state submitted as seq (or a newer one) is written,
// with that write's error.
func (cp *checkpointer) wait(seq uint64) error {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for cp.written < seq {
		cp.cond.Wait()
	}
	return cp.writeErr
}

// lastError is the result of the newest completed write.
func (cp *checkpointer) lastError() error {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.writeErr
}

// stop lets the writer finish and waits for it.
func (cp *checkpointer) stop() {
	cp.mu.Lock()
	if cp.cond == nil {
		cp.mu.Unlock()
		return
	}
	cp.stopping = true
	cp.cond.Broadcast()
	cp.mu.Unlock()
	<-cp.exited
}

// saveBeforeEmit runs between closing minutes and emitting them. When the
// checkpoint cannot be written, the stale file is removed instead: it
// holds the minutes about to be emitted, which a restart would emit again.
func (e *Engine) saveBeforeEmit(cp *checkpointer) {
	err := cp.save(e.agg)
	if err == nil {
		return
	}
	if rerr := os.Remove(cp.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		e.log.Error("checkpoint failed and could not be removed: after a restart, the minutes now emitted may be emitted again",
			"path", cp.path, "err", err, "remove_err", rerr)
		return
	}
	e.log.Error("checkpoint failed; removed the previous one", "path", cp.path, "err", err)
}

// saveAtExit closes the minutes that have ended, then keeps the open ones
// in the checkpoint for the next start instead of emitting them partial.
// When the checkpoint cannot be written (or the stale one removed) the open
// minutes are emitted partial as without a checkpoint, so nothing is lost.
func (e *Engine) saveAtExit(cp *checkpointer, now time.Time) {
	defer cp.stop()
	e.settle()
	e.emit(e.agg.Advance(now))
	err := cp.save(e.agg)
	if err == nil {
		return
	}
	e.log.Error("checkpoint at exit failed; emitting the open minutes now", "path", cp.path, "err", err)
	if rerr := os.Remove(cp.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		e.log.Error("stale checkpoint could not be removed; keeping the open minutes there", "path", cp.path, "err", rerr)
		return
	}
	e.beforeEmit = nil
	e.Flush(now)
}
