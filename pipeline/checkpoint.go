package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/logtally/logtally/tally"
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
	dirty   bool // lines counted since the last save
	failing bool // the last periodic save failed (logged once)
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

// save writes the aggregator's open minutes to the checkpoint file:
// temp file, fsync, rename, directory fsync.
func (cp *checkpointer) save(agg *tally.Aggregator) error {
	data, err := agg.MarshalBinary()
	if err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
	}
	if err := writeFileAtomic(cp.path, data); err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", cp.path, err)
	}
	cp.dirty = false
	return nil
}

// savePeriodic saves when lines were counted since the last save. With a
// lock (lockstep mode, where another goroutine counts), the state is
// copied under the lock and written and fsynced outside it, so counting
// goes on meanwhile; every save still happens on Run's goroutine, in order.
// A failure is logged once until a save succeeds again.
func (e *Engine) savePeriodic(cp *checkpointer, lock sync.Locker) {
	if lock == nil {
		lock = noLock{}
	}
	lock.Lock()
	if !cp.dirty {
		lock.Unlock()
		return
	}
	data, err := e.agg.MarshalBinary()
	cp.dirty = false
	lock.Unlock()
	if err == nil {
		err = writeFileAtomic(cp.path, data)
	}
	if err != nil {
		lock.Lock()
		cp.dirty = true
		lock.Unlock()
		if !cp.failing {
			e.log.Error("checkpoint failed", "path", cp.path, "err", err)
		}
		cp.failing = true
		return
	}
	if cp.failing {
		e.log.Info("checkpoint written again", "path", cp.path)
	}
	cp.failing = false
}

type noLock struct{}

func (noLock) Lock()   {}
func (noLock) Unlock() {}

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

// writeFileAtomic writes data so that a reader (the next start) sees the
// old file or the complete new one, never a mix.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
