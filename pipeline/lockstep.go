package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// runLockstep is Run for omprog with confirmations (RunOptions.Lockstep).
// rsyslog then sends one line and waits for its reply, so throughput is one
// round trip per line and every hand-off between goroutines adds to it.
// Here the reading goroutine parses, counts and confirms each chunk itself;
// Run's goroutine keeps the clock, the controls and the checkpoints. The
// two share the engine under mu.
//
// Once Run has decided to stop, the reading goroutine neither counts nor
// confirms anything more: an unconfirmed line is re-sent by rsyslog to the
// next summarize, a line counted after the final checkpoint would be lost.
func (e *Engine) runLockstep(ctx context.Context, in io.Reader, controls <-chan Control, opt RunOptions,
	ticks, saves <-chan time.Time, cp *checkpointer, size int) error {
	var (
		mu      sync.Mutex
		stopped bool
		ackErr  error
	)
	failed := make(chan struct{})
	reader := &lineReader{in: in, maxLine: e.cfg.MaxLine, bufSize: size, now: e.cfg.Now, free: make(chan []byte, 4)}
	reader.sink = func(c chunk) {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ackErr != nil {
			return
		}
		// Count, commit (spool write and journal append), then reply,
		// inside one critical section. A stop waits for the lock, so a
		// confirmed line is always counted before the final checkpoint or
		// flush, and a crash finds it in the journal. A reply that fails
		// (rsyslog gone) leaves a counted line unconfirmed: rsyslog re-sends
		// it, and it is counted twice, like the line in flight at a kill.
		e.inline.classify(&e.scratch, c)
		e.applyBatch(&e.scratch)
		e.commit(c)
		if cp != nil {
			cp.dirty = true
		}
		if opt.Ack != nil {
			if err := opt.Ack(lineCount(c)); err != nil {
				ackErr = fmt.Errorf("pipeline: confirm: %w", err)
				close(failed)
				return
			}
		}
	}
	readErr := make(chan error, 1)
	go func() { readErr <- reader.run() }()

	var err error
loop:
	for {
		select {
		case rerr := <-readErr:
			if rerr != nil {
				err = fmt.Errorf("pipeline: read: %w", rerr)
			}
			break loop
		case <-failed:
			break loop
		case now := <-ticks:
			if opt.Ticks == nil {
				now = e.cfg.Now() // the injected clock rules, not the ticker's
			}
			mu.Lock()
			e.Tick(now)
			mu.Unlock()
		case <-saves:
			e.savePeriodic(cp, &mu)
		case c := <-controls:
			mu.Lock()
			cerr := e.control(c)
			mu.Unlock()
			if c.Done != nil {
				c.Done <- cerr
			}
			if c.Kind == Stop {
				break loop
			}
		case <-ctx.Done():
			break loop
		}
	}
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	if ackErr != nil && err == nil {
		err = ackErr
	}
	if cp != nil {
		e.saveAtExit(cp, e.cfg.Now())
	} else {
		e.Flush(e.cfg.Now())
	}
	// Unless it hit EOF, the reader may be blocked in Read on a stdin that
	// never closes; it is abandoned on purpose (the process is about to exit).
	return err
}

// lineCount is how many lines classify will find in c.
func lineCount(c chunk) int {
	if c.truncated {
		return 1
	}
	n := bytes.Count(c.data, []byte{'\n'})
	if len(c.data) > 0 && c.data[len(c.data)-1] != '\n' {
		n++ // the last line at EOF has no newline
	}
	return n
}
