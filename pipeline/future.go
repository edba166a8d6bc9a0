package pipeline

import "time"

// The event clock follows the lines' own timestamps, so one line stamped
// years ahead (a bad clock, a typo, an attacker) would close every open
// minute and make all the lines after it late. Such a line does not move
// the clock on its own: it is held until the next lines say whether the
// jump is real. When FutureAgree lines in a row agree on it (a replayed
// file that resumes after a quiet night), the clock follows and they count
// at their own times. When a line near the clock comes first, the held
// lines count at the clock instead, as lines without a timestamp do, and
// in the self category's `future` counter.
const (
	// FutureLimit: a line stamped more than this ahead of the event clock
	// (before the first line, the wall clock) is held.
	FutureLimit = 15 * time.Minute
	// FutureAgree is how many lines in a row, none more than FutureLimit
	// older than the first held one, move the clock.
	FutureAgree = 3
)

// heldLine is a line held by the future check, copied out of its chunk.
type heldLine struct {
	data      []byte
	arrived   time.Time
	truncated bool
	at        int64
}

// holdFuture decides about a line with a timestamp on the event clock:
// it returns true when the line is held (not counted now). Held lines that
// this line confirms or refutes are counted first.
func (e *Engine) holdFuture(b *batch, l *lineResult) bool {
	limit := FutureLimit.Nanoseconds()
	if len(e.pending) > 0 {
		if l.at >= e.pending[0].at-limit {
			e.hold(b, l)
			if len(e.pending) >= FutureAgree {
				e.countHeld(false)
			}
			return true
		}
		e.countHeld(true)
	}
	ref := e.lastEvent
	if ref.IsZero() {
		ref = e.cfg.Now()
	}
	if l.at > ref.UnixNano()+limit {
		e.hold(b, l)
		return true
	}
	return false
}

func (e *Engine) hold(b *batch, l *lineResult) {
	e.pending = append(e.pending, heldLine{
		data:      append([]byte(nil), b.chunk.data[l.start:l.end]...),
		arrived:   b.chunk.arrived,
		truncated: l.flags&lineTooLong != 0,
		at:        l.at,
	})
}

// countHeld counts the held lines: at their own times (the jump is real),
// or at the clock, flagged future.
func (e *Engine) countHeld(future bool) {
	held := e.pending
	e.pending = nil
	for _, h := range held {
		e.inline.classify(&e.heldBatch, chunk{data: h.data, arrived: h.arrived, truncated: h.truncated})
		if future {
			for i := range e.heldBatch.lines {
				e.heldBatch.lines[i].at = 0 // the newest event time, as without a timestamp
				e.heldBatch.lines[i].flags |= lineFuture
			}
		}
		e.applyLines(&e.heldBatch, false)
	}
}

// releaseFuture counts the held lines at the clock (nothing confirmed the
// jump before a checkpoint or the end of the input), and writes their
// unknown lines to the spool at once: the checkpoint about to be saved
// covers their journal records.
func (e *Engine) releaseFuture() {
	if len(e.pending) == 0 {
		return
	}
	e.countHeld(true)
	if e.spoolPending && e.cfg.Spool != nil {
		e.spoolPending = false
		if lost, _ := e.cfg.Spool.Flush(); lost > 0 {
			e.spoolLost += uint64(lost)
		}
	}
}
