package pipeline

import (
	"errors"
	"fmt"
	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/internal/journal"
	"io/fs"
	"os"
	"sync"
	"time"
)

// DefaultCheckpointEvery is how often the open minutes are checkpointed
// while lines arrive. The journal holds the lines counted since (see
// journal.go); without it a SIGKILL would lose the lines confirmed since
// the last checkpoint: at rsyslog's ~100k lines/s up to 20k at 200ms.
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
	pendingPos journal.Position // the journal position pending covers
	pendingSeq uint64
	// release, when set, gets the position of each written state: the
	// journal's older generations are no longer needed.
	release  func(journal.Position) error
	seq      uint64 // last submitted
	written  uint64 // last written (or superseded and skipped)
	writeErr error  // result of the last write
	stopping bool
}

// save writes the aggregator's open minutes to the checkpoint file and
// waits until they are on disk: temp file, fsync, rename, directory fsync.
// The caller owns the engine.
func (e *Engine) save(cp *checkpointer) error {
	data, pos, err := e.checkpointData()
	if err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
	}
	cp.dirty = false
	return cp.wait(cp.submit(data, pos))
}

// checkpointData is the checkpoint of this instant: the open minutes and
// the journal position they cover (the journal moves to a new generation,
// so that the covered ones can be deleted once the checkpoint is durable).
func (e *Engine) checkpointData() ([]byte, journal.Position, error) {
	// Held lines are in journal records the checkpoint covers: count them
	// now, or a crash after the save would lose them.
	e.releaseFuture()
	e.settle()
	state, err := e.agg.MarshalBinary()
	if err != nil {
		return nil, journal.Position{}, err
	}
	var pos journal.Position
	if e.jr != nil {
		pos = e.jr.j.Rotate()
	}
	return encodeCheckpointFile(state, pos), pos, nil
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
	data, pos, err := e.checkpointData()
	cp.dirty = false
	lock.Unlock()
	if err == nil {
		cp.submit(data, pos)
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

func (cp *checkpointer) submit(data []byte, pos journal.Position) uint64 {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.cond == nil {
		cp.cond = sync.NewCond(&cp.mu)
		cp.exited = make(chan struct{})
		go cp.writer()
	}
	cp.seq++
	cp.pending, cp.pendingPos, cp.pendingSeq = data, pos, cp.seq
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
		data, pos, seq := cp.pending, cp.pendingPos, cp.pendingSeq
		cp.pending = nil
		cp.mu.Unlock()
		err := atomicfile.Write(cp.path, data, 0o600)
		if err != nil {
			err = fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
		} else if cp.release != nil && pos.Gen > 0 {
			_ = cp.release(pos) // a file left over is deleted by a later release
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
	err := e.save(cp)
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
	e.noteDeliveryNow(now) // errors since the last tick go into the saved minute
	e.settle()
	e.emit(e.agg.Advance(now))
	err := e.save(cp)
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
