package pipeline

import (
	"bytes"
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
	EmitNow ControlKind = iota // SIGUSR1: emit the open minutes now, marked partial; they are emitted again, whole, when they close
	Reload                     // SIGHUP: swap rules, keep counters
	Stop                       // SIGTERM/SIGINT: flush and return
)

// RunOptions tune Run.
type RunOptions struct {
	// TickEvery is how often the clock is checked for a closed minute.
	TickEvery time.Duration
	// Ack, when set, is called after each chunk of n lines has been
	// counted: omprog's confirmations hang off it.
	Ack func(n int) error
	// Ticks, when set, replaces the wall-clock ticker (tests).
	Ticks <-chan time.Time
	// BufSize is the read buffer size; default 256 KiB.
	BufSize int
	// Checkpoint, when set, is the file the open minutes are kept in across
	// restarts: restored at start, saved every CheckpointEvery while lines
	// arrive, before closed minutes are emitted, and at exit — where the
	// open minutes are saved instead of being emitted partial.
	Checkpoint string
	// CheckpointEvery defaults to DefaultCheckpointEvery.
	CheckpointEvery time.Duration
}

// Run reads lines from in until EOF, a Stop control, or ctx ends, then
// flushes the open minutes (marked partial; with a Checkpoint they are
// saved for the next start instead) and returns. A read error is
// returned after the flush; EOF is not an error.
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
	var cpTicks <-chan time.Time
	if opt.Checkpoint != "" {
		cp = &checkpointer{path: opt.Checkpoint, every: opt.CheckpointEvery}
		if cp.every <= 0 {
			cp.every = DefaultCheckpointEvery
		}
		e.restoreCheckpoint(cp, e.cfg.Now())
		e.beforeEmit = func() { e.saveBeforeEmit(cp) }
		defer func() { e.beforeEmit = nil }()
		t := time.NewTicker(cp.every)
		defer t.Stop()
		cpTicks = t.C
	}
	chunks := make(chan chunk, 4)
	reader := &lineReader{in: in, maxLine: e.cfg.MaxLine, bufSize: size, now: e.cfg.Now, out: chunks, free: make(chan []byte, 8)}
	readErr := make(chan error, 1)
	go func() { readErr <- reader.run() }()

	var err error
loop:
	for {
		select {
		case c, ok := <-chunks:
			if !ok {
				break loop
			}
			n := e.chunk(c)
			reader.put(c.data)
			if cp != nil {
				cp.dirty = true
			}
			if opt.Ack != nil {
				if aerr := opt.Ack(n); aerr != nil {
					err = fmt.Errorf("pipeline: confirm: %w", aerr)
					break loop
				}
			}
		case now := <-ticks:
			e.Tick(now)
		case <-cpTicks:
			e.savePeriodic(cp)
		case c := <-controls:
			cerr := e.control(c)
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
	if cp != nil {
		e.saveAtExit(cp, e.cfg.Now())
	} else {
		e.Flush(e.cfg.Now())
	}
	// The reader may be blocked in Read on a stdin that never closes; it is
	// abandoned here on purpose (the process is about to exit).
	select {
	case rerr := <-readErr:
		if err == nil && rerr != nil {
			err = fmt.Errorf("pipeline: read: %w", rerr)
		}
	default:
	}
	return err
}

func (e *Engine) control(c Control) error {
	switch c.Kind {
	case EmitNow:
		e.emit(e.agg.Snapshot(e.cfg.Now()))
	case Reload:
		if c.Rules == nil {
			return errNoRules
		}
		return e.Reload(c.Rules)
	}
	return nil
}

// chunk counts every line of c and returns how many there were.
func (e *Engine) chunk(c chunk) int {
	if c.truncated {
		e.Line(c.data, c.arrived, true)
		return 1
	}
	data := c.data
	n := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if len(line) > e.cfg.MaxLine {
			e.Line(line[:e.cfg.MaxLine], c.arrived, true)
		} else {
			e.Line(line, c.arrived, false)
		}
		n++
	}
	return n
}
