package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/logtally/logtally/rules"
)

var errNoRules = errors.New("pipeline: no rule set")

// ErrReservedCategory is returned when a rule file names a category after
// summarize's own.
var ErrReservedCategory = errors.New("category name is reserved")

func checkReserved(set *rules.Set) error {
	for _, c := range set.Categories {
		if c.Name == SelfCategory {
			return fmt.Errorf("pipeline: %s: category %q: %w", set.Path, c.Name, ErrReservedCategory)
		}
	}
	return nil
}

// Control is a request to the running engine, sent on Run's control
// channel by signal handlers and timers.
type Control struct {
	Kind  ControlKind
	Rules *rules.Set // with Reload
	Done  chan error // optional: receives the result once handled
}

// ControlKind says what a Control asks for.
type ControlKind int

const (
	EmitNow ControlKind = iota // SIGUSR1: emit the open minutes now, marked partial and snapshot; they are emitted again, whole, when they close
	Reload                     // SIGHUP: swap rules, keep counters
	Stop                       // SIGTERM/SIGINT: flush and return
)

// RunOptions tune Run.
type RunOptions struct {
	// TickEvery is how often the clock is checked for a closed minute.
	TickEvery time.Duration
	// Ack, when set, is called once per chunk of n lines, when the chunk is
	// accepted (loop.accept): after it was counted and journaled, under
	// both policies. omprog's confirmations hang off it.
	Ack func(n int) error
	// Ticks, when set, replaces the wall-clock ticker (tests).
	Ticks <-chan time.Time
	// Workers is how many goroutines parse and match, and how many count
	// top-N keys (keycount.go); 0 or 1 does it all on Run's goroutine (the
	// right choice when rsyslog sends one line at a time, with
	// confirmations). The counts never depend on it.
	Workers int
	// BufSize is the read buffer size; default 256 KiB.
	BufSize int
	// Checkpoint, when set, is the file the open minutes are kept in across
	// restarts: restored at start, saved every CheckpointEvery while lines
	// arrive, before closed minutes are emitted, and at exit — where the
	// open minutes are saved instead of being emitted partial.
	Checkpoint string
	// CheckpointEvery defaults to DefaultCheckpointEvery.
	CheckpointEvery time.Duration
	// Lockstep reads, counts and acknowledges on one goroutine (Workers
	// ignored): for omprog with confirmations, where rsyslog waits for each
	// line's reply and hand-offs between goroutines would cost throughput.
	Lockstep bool
	// Journal (with Checkpoint) appends every counted chunk to the journal
	// beside the checkpoint (JournalPath) before it is confirmed, and
	// replays it at start: a process kill loses no confirmed line.
	// JournalSync adds an fdatasync per chunk, against power loss.
	Journal, JournalSync bool
	// Ready, when set, is called once the checkpoint and the journal are
	// restored, before the first line is read: omprog's first OK. Its
	// error ends Run (after the exit checkpoint).
	Ready func() error
}

// Run reads lines from in until EOF, a Stop control, or ctx ends, then
// flushes the open minutes (marked partial) and returns. A read error is
// returned after the flush; EOF is not an error.
//
// With Workers > 1, parsing and matching run on that many goroutines while
// this one counts the classified chunks in input order, handing top-N keys
// to as many key counters. With Lockstep, the
// reading goroutine counts and confirms each chunk itself (see loop).
func (e *Engine) Run(ctx context.Context, in io.Reader, controls <-chan Control, opt RunOptions) error {
	if opt.TickEvery <= 0 {
		opt.TickEvery = time.Second
	}
	ticks := opt.Ticks
	if ticks == nil {
		t := time.NewTicker(opt.TickEvery)
		defer t.Stop()
		ticks = t.C
	}
	size := opt.BufSize
	if size <= 0 {
		size = 256 << 10
	}
	if size <= e.cfg.MaxLine {
		size = e.cfg.MaxLine + 1
	}
	var cp *checkpointer
	var saves <-chan time.Time
	if opt.Checkpoint != "" {
		cp = &checkpointer{path: opt.Checkpoint, every: opt.CheckpointEvery}
		if cp.every <= 0 {
			cp.every = DefaultCheckpointEvery
		}
		if opt.Journal {
			e.openJournal(opt.Checkpoint, opt.JournalSync)
			if e.jr != nil {
				cp.release = e.jr.j.Release
				defer e.jr.j.Close()
			}
		}
		e.restoreCheckpoint(cp, e.cfg.Now())
		e.beforeEmit = func() { e.saveBeforeEmit(cp) }
		t := time.NewTicker(cp.every)
		defer t.Stop()
		saves = t.C
	}
	if opt.Ready != nil {
		if err := opt.Ready(); err != nil {
			if cp != nil {
				e.saveAtExit(cp, e.cfg.Now())
			} else {
				e.Flush(e.cfg.Now())
			}
			return err
		}
	}

	return newLoop(e, in, opt, cp, size).run(ctx, controls, ticks, saves)
}

func (e *Engine) control(c Control) error {
	switch c.Kind {
	case EmitNow:
		e.settle()
		e.emit(e.agg.Snapshot())
	case Reload:
		if c.Rules == nil {
			return errNoRules
		}
		return e.Reload(c.Rules)
	}
	return nil
}
