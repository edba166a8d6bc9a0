package pipeline

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/logtally/logtally/internal/journal"
	"github.com/logtally/logtally/tally"
)

// The journal closes the window a checkpoint leaves open: every chunk of
// lines is appended to it (write(2), so a process kill cannot take it back)
// after it is counted and before it is confirmed, and every checkpoint
// records the journal position it covers. A start restores the checkpoint,
// replays the journal past that position, saves a checkpoint covering
// everything, and only then confirms anything: a confirmed line is never
// lost to a kill.
//
// The line in flight at the kill — appended, not yet confirmed — is counted
// twice: once by the replay, once more when rsyslog re-sends it, because
// rsyslog never saw its OK. It cannot be lost: the append comes before the
// OK. Lines of the unknown spool follow the same order (the spool is
// written before the journal, and a replay does not spool again), so the
// spool may hold that one line twice as well, never lose it.

// journalTruncated marks, in a record's tag, a chunk holding one line cut
// at MaxLine; the rest of the tag is the arrival time in unix nanoseconds.
const journalTruncated = 1 << 63

// jstate is the engine's journal and its failure state.
type jstate struct {
	j       *journal.Journal
	failing bool // appends are failing (logged once)
}

// JournalPath is the journal's base name for a checkpoint file: its
// generations are JournalPath(checkpoint).<16 hex digits>.
func JournalPath(checkpoint string) string { return checkpoint + ".journal" }

// openJournal opens the journal beside the checkpoint. Without it, the
// engine runs as before (a kill loses what was confirmed since the last
// checkpoint); the failure is logged.
func (e *Engine) openJournal(checkpoint string, sync bool) {
	j, err := journal.Open(JournalPath(checkpoint), journal.Options{Sync: sync})
	if err != nil {
		e.log.Error("journal not opened: a crash loses the lines confirmed since the last checkpoint", "err", err)
		return
	}
	e.jr = &jstate{j: j}
}

// commit makes a counted chunk survive a process kill, before it is
// confirmed: its unknown lines are written to the spool files, then the
// chunk is appended to the journal.
func (e *Engine) commit(c chunk) {
	if e.spoolPending {
		e.spoolPending = false
		lost, err := e.cfg.Spool.Flush()
		if lost > 0 {
			if e.spoolLost == 0 {
				e.log.Error("spool write failed", "err", err, "lines", lost)
			}
			e.spoolLost += uint64(lost)
		}
	}
	if e.jr == nil {
		return
	}
	tag := uint64(c.arrived.UnixNano()) &^ journalTruncated
	if c.truncated {
		tag |= journalTruncated
	}
	err := e.jr.j.Append(tag, c.data)
	switch {
	case err != nil && !e.jr.failing:
		e.log.Error("journal append failed: until it works again, a crash loses the lines confirmed since the last checkpoint", "err", err)
		e.jr.failing = true
		e.outputErrors++
	case err != nil:
		e.outputErrors++
	case e.jr.failing:
		e.log.Info("journal appends work again")
		e.jr.failing = false
	}
}

// replayJournal counts the journal's records from pos on, as they were
// counted before the crash, without writing the spool again (the dead
// process wrote their unknown lines before it appended them).
func (e *Engine) replayJournal(pos journal.Position) (journal.Stats, uint64, error) {
	e.replaying = true
	defer func() { e.replaying = false }()
	var lines uint64
	st, err := e.jr.j.Replay(pos, func(tag uint64, data []byte) error {
		c := chunk{data: data, arrived: time.Unix(0, int64(tag&^journalTruncated)), truncated: tag&journalTruncated != 0}
		e.inline.classify(&e.scratch, c)
		e.applyBatch(&e.scratch)
		lines += uint64(len(e.scratch.lines))
		return nil
	})
	return st, lines, err
}

// restoreCheckpoint continues from the checkpoint file and the journal, if
// there are any: minutes still open at now are continued; the journal's
// lines past the checkpoint are counted again; minutes that ended while
// summarize was not running are emitted now (complete, not partial: they
// ended), with zero rows for the minutes in between as if summarize had
// run through them. Then a checkpoint covering all of it is saved and the
// journal emptied, before the first line is read (and confirmed).
//
// A missing file is a fresh start; an unreadable or corrupt one is
// reported and ignored. A journal without a checkpoint saying where it
// starts (the checkpoint was removed after a failed save, or is corrupt)
// is discarded: replaying it could count emitted minutes twice.
func (e *Engine) restoreCheckpoint(cp *checkpointer, now time.Time) {
	restored, from, hasPos := false, journal.Position{}, false
	data, err := os.ReadFile(cp.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		e.log.Error("checkpoint not restored", "path", cp.path, "err", err)
	default:
		state, pos, ok, err := decodeCheckpointFile(data)
		if err == nil {
			_, err = e.agg.Restore(state, time.Time{})
		}
		if err != nil {
			e.log.Error("checkpoint not restored", "path", cp.path, "err", err)
			break
		}
		restored, from, hasPos = true, pos, ok
	}
	var held []tally.Summary
	if e.jr != nil {
		if restored && hasPos {
			e.holding = true
			st, lines, err := e.replayJournal(from)
			held, e.held, e.holding = e.held, nil, false
			if err != nil {
				e.log.Error("journal replay failed", "err", err)
			}
			if st.Records > 0 || st.Torn > 0 {
				e.log.Info("journal replayed", "records", st.Records, "lines", lines, "torn_records", st.Torn, "torn_bytes", st.TornBytes)
			}
		} else if size := e.jr.j.Size(); size > 0 {
			e.log.Error("journal discarded: no checkpoint says where it starts", "bytes", size)
		}
	}
	if !restored && e.jr == nil {
		return
	}
	var stale []tally.Summary
	if restored {
		stale = append(held, e.agg.Advance(now)...)
		lines := uint64(0)
		for _, s := range stale {
			if s.Category == SelfCategory {
				lines += s.Lines
			}
		}
		e.log.Info("checkpoint restored", "path", cp.path, "open_minutes", len(e.agg.Snapshot())/max(1, len(e.schemas())), "ended_rows", len(stale), "ended_lines", lines)
	}
	// The ended minutes leave the file before they go out, as always; the
	// save also covers the replayed lines and releases the journal.
	e.saveBeforeEmit(cp)
	e.deliver(stale)
}

// Checkpoint files: a small envelope around the aggregator's state that
// says which journal position the state covers.
var checkpointMagic = []byte("LTCKPT1\n")

func encodeCheckpointFile(state []byte, pos journal.Position) []byte {
	b := make([]byte, 0, len(checkpointMagic)+20+len(state))
	b = append(b, checkpointMagic...)
	b = binary.AppendUvarint(b, pos.Gen)
	b = binary.AppendUvarint(b, uint64(pos.Offset))
	return append(b, state...)
}

// decodeCheckpointFile splits a checkpoint file into the aggregator state
// and the journal position it covers (ok false: none recorded; files of
// earlier versions hold the bare state).
func decodeCheckpointFile(data []byte) (state []byte, pos journal.Position, ok bool, err error) {
	rest, found := bytes.CutPrefix(data, checkpointMagic)
	if !found {
		return data, pos, false, nil
	}
	gen, n := binary.Uvarint(rest)
	if n <= 0 {
		return nil, pos, false, fmt.Errorf("pipeline: checkpoint: bad journal position: %w", tally.ErrCorrupt)
	}
	rest = rest[n:]
	off, n := binary.Uvarint(rest)
	if n <= 0 || off > 1<<62 {
		return nil, pos, false, fmt.Errorf("pipeline: checkpoint: bad journal position: %w", tally.ErrCorrupt)
	}
	pos = journal.Position{Gen: gen, Offset: int64(off)}
	return rest[n:], pos, gen > 0, nil
}

// CheckpointState returns the aggregator state held by a checkpoint file
// (for tally.Aggregator.Restore), whatever the envelope.
func CheckpointState(data []byte) ([]byte, error) {
	state, _, _, err := decodeCheckpointFile(data)
	return state, err
}
