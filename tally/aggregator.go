package tally

import (
	"slices"
	"time"
)

// MaxIdleMinutes caps the zero rows one Advance or Flush produces for
// minutes that saw no line. A quiet stretch up to a week gets a zero row
// for every minute (an RRD file stores 0 for it, not unknown, and the
// forecast sees the zeros); after a longer gap (a suspend, a stopped input,
// a jump of the event clock) only the last MaxIdleMinutes minutes before
// the clock get zero rows, as the RRD output fills longer gaps with one
// bulk unknown update anyway. Minutes that hold data are always emitted.
// Zero rows of one call share their (empty) slices.
const MaxIdleMinutes = 7 * 24 * 60

// Options configure an Aggregator.
type Options struct {
	// EventClock assigns lines to minutes by their own timestamp (replaying
	// files) instead of by arrival time (live omprog, the default).
	EventClock bool
	// Grace (event clock only) keeps a minute open this long after the event
	// clock passed its end, for late lines. Lines for a closed minute are
	// counted in Late.
	Grace time.Duration
}

// Aggregator holds the windows of all categories and decides when minutes
// close. Minutes are aligned to UTC minute boundaries.
//
// Clock. With the arrival clock, the clock is the now passed to Window and
// Advance. With the event clock, it is the larger of the now passed to
// Advance and the newest timestamp ever passed to Window (every accepted
// line advances it, however far ahead); a minute closes when the clock
// reaches its end + Grace. Replaying a file, pass time.Time{} (or the line's
// time) to Advance; live with event time, a timer passing the wall clock
// also closes idle minutes.
//
// Call Advance often: from a timer (arrival clock, e.g. every second), and
// in event-clock replays after every line (it is O(1) when nothing closes).
// Open minutes are those between the last closed one and the clock, so
// memory stays bounded by (Grace/1min + 2) minutes of windows.
//
// An Aggregator is NOT safe for concurrent use: one goroutine owns it. The
// one exception is the parts of its windows' top-N tables, which may be fed
// by other goroutines between calls (see TopK); the owner must have waited
// for them before Advance, Flush, Snapshot, Reload, Restore or
// MarshalBinary (Closes tells whether Advance would close anything).
type Aggregator struct {
	opts    Options
	schemas []Schema

	open []*minute // open minutes, ascending
	last *minute   // the minute Window last returned (fast path)

	started bool  // closed and floor are meaningful
	closed  int64 // minutes (unix minute numbers) below this are closed
	floor   int64 // no zero rows for minutes below this (before the first line or Advance)
	wm      time.Time

	free [][]*Window // per category: reset windows for reuse
	zero []*Window   // per category: an always-empty window for zero rows
}

type minute struct {
	n    int64 // unix minute number: floor(unix seconds / 60)
	wins []*Window
}

func minuteOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 59) / 60
	}
	return s / 60
}

func minuteTime(n int64) time.Time { return time.Unix(n*60, 0).UTC() }

// NewAggregator returns an aggregator counting for schemas; category index
// i in Window is schemas[i].
func NewAggregator(schemas []Schema, opts Options) *Aggregator {
	a := &Aggregator{opts: opts}
	a.setSchemas(schemas)
	return a
}

func (a *Aggregator) setSchemas(schemas []Schema) {
	a.schemas = make([]Schema, len(schemas))
	a.free = make([][]*Window, len(schemas))
	a.zero = make([]*Window, len(schemas))
	for i, s := range schemas {
		a.schemas[i] = cloneSchema(s)
		a.zero[i] = NewWindow(s)
	}
}

// Schemas returns the current schemas.
func (a *Aggregator) Schemas() []Schema {
	out := make([]Schema, len(a.schemas))
	for i, s := range a.schemas {
		out[i] = cloneSchema(s)
	}
	return out
}

// Window returns the window of category cat (0 ≤ cat < len(schemas)) for the
// minute containing t: the line's arrival time (now) with the arrival clock,
// its timestamp with the event clock.
//
// Arrival clock: a t in an already closed minute (the system clock stepped
// back) counts in the oldest open minute. Event clock: a t in an already
// closed minute (older than the clock − Grace) returns nil and increments
// Late in the category's newest open window; a t ahead advances the clock.
//
// The returned window is valid until the next call to Advance, Flush,
// Reload or Restore.
func (a *Aggregator) Window(cat int, t time.Time) *Window {
	if t.After(a.wm) {
		a.wm = t
	}
	m := minuteOf(t)
	if l := a.last; l != nil && l.n == m {
		return l.wins[cat]
	}
	if a.started && m < a.closed {
		if a.opts.EventClock {
			a.current().wins[cat].Late++
			return nil
		}
		m = a.closed
	}
	a.last = a.minute(m)
	return a.last.wins[cat]
}

// current is the newest open minute, opened if there is none.
func (a *Aggregator) current() *minute {
	if len(a.open) > 0 {
		return a.open[len(a.open)-1]
	}
	m := minuteOf(a.wm)
	if a.started {
		m = max(m, a.closed)
	}
	return a.minute(m)
}

// minute finds or opens minute n.
func (a *Aggregator) minute(n int64) *minute {
	i, found := slices.BinarySearchFunc(a.open, n, func(m *minute, n int64) int {
		switch {
		case m.n < n:
			return -1
		case m.n > n:
			return 1
		}
		return 0
	})
	if found {
		return a.open[i]
	}
	mi := &minute{n: n, wins: make([]*Window, len(a.schemas))}
	for c := range a.schemas {
		if f := a.free[c]; len(f) > 0 {
			mi.wins[c] = f[len(f)-1]
			a.free[c] = f[:len(f)-1]
		} else {
			mi.wins[c] = NewWindow(a.schemas[c])
		}
	}
	a.open = slices.Insert(a.open, i, mi)
	return mi
}

// clock is the time that decides which minutes have ended.
func (a *Aggregator) clock(now time.Time) time.Time {
	if a.opts.EventClock && a.wm.After(now) {
		return a.wm
	}
	return now
}

// closeLimit is the first minute that may not close yet at clock c.
func (a *Aggregator) closeLimit(c time.Time) int64 {
	if a.opts.EventClock {
		c = c.Add(-a.opts.Grace)
	}
	return minuteOf(c)
}

// Advance closes every minute whose end (arrival clock) or end + Grace
// (event clock) is at or before the clock, and returns their summaries:
// one per category per closed minute, zero rows for minutes without lines
// (at most MaxIdleMinutes of them per call, see there), in minute then
// category order. It returns nil when nothing closed.
//
// The first Advance (or Flush) of a fresh Aggregator starts the sequence of
// minutes: no zero rows are produced for minutes before it or before the
// first line.
func (a *Aggregator) Advance(now time.Time) []Summary {
	c := a.clock(now)
	end := a.closeLimit(c)
	a.start(end)
	if end <= a.closed {
		return nil
	}
	return a.closeUntil(nil, end, c)
}

// Closes reports whether Advance(now) would close a minute, without
// changing anything: a caller whose windows are fed elsewhere (a top-N
// table's parts on other goroutines) finishes that work first.
func (a *Aggregator) Closes(now time.Time) bool {
	end := a.closeLimit(a.clock(now))
	if !a.started {
		return len(a.open) > 0 && a.open[0].n < end
	}
	return end > a.closed
}

func (a *Aggregator) start(end int64) {
	if a.started {
		return
	}
	a.started = true
	a.closed, a.floor = end, end
	if len(a.open) > 0 {
		a.floor = a.open[0].n
		a.closed = min(end, a.floor)
	}
}

// Flush closes all open minutes (EOF, SIGTERM): first as Advance(now) does,
// then the minutes still open, marked Partial when their end is after the
// clock. Lines for flushed minutes are then treated like any line for a
// closed minute.
func (a *Aggregator) Flush(now time.Time) []Summary {
	out := a.Advance(now)
	if len(a.open) == 0 {
		return out
	}
	return a.closeUntil(out, a.open[len(a.open)-1].n+1, a.clock(now))
}

// Snapshot returns the summaries of the open minutes, all marked Partial
// and Snapshot, without closing them (SIGUSR1 "emit now"). The same minute
// is emitted again, complete, when it closes: consumers that add rows up
// skip Snapshot rows, those that store per-minute values (RRD) skip
// Partial ones.
func (a *Aggregator) Snapshot() []Summary {
	var out []Summary
	for _, mi := range a.open {
		for _, w := range mi.wins {
			s := w.Summary(minuteTime(mi.n), true)
			s.Snapshot = true
			out = append(out, s)
		}
	}
	return out
}

// closeUntil emits and closes every minute below end; rows of minutes whose
// end is after clock c are marked Partial.
func (a *Aggregator) closeUntil(out []Summary, end int64, c time.Time) []Summary {
	cm := minuteOf(c) // minutes below cm have ended at c
	zeroFrom := max(a.closed, end-MaxIdleMinutes)
	var zeros []Summary // one zero row per category, copied per minute
	i := 0
	emit := func(mi *minute) {
		for _, w := range mi.wins {
			out = append(out, w.Summary(minuteTime(mi.n), mi.n >= cm))
		}
		for cat, w := range mi.wins {
			w.Reset()
			a.free[cat] = append(a.free[cat], w)
		}
		i++
	}
	for i < len(a.open) && a.open[i].n < zeroFrom {
		emit(a.open[i])
	}
	for m := zeroFrom; m < end; m++ {
		if i < len(a.open) && a.open[i].n == m {
			emit(a.open[i])
			continue
		}
		if m < a.floor {
			continue
		}
		if zeros == nil {
			zeros = make([]Summary, len(a.zero))
			for c, w := range a.zero {
				zeros[c] = w.Summary(minuteTime(m), false)
			}
		}
		for _, z := range zeros {
			z.Minute, z.Partial = minuteTime(m), m >= cm
			out = append(out, z)
		}
	}
	clear(a.open[:i])
	a.open = slices.Delete(a.open, 0, i)
	a.closed = end
	a.last = nil
	return out
}

// Reload swaps the schemas (SIGHUP), keeping the counts of the open minutes:
// categories are matched by name, then each window is re-shaped with
// Window.Rebind (metrics matched by name). Open counts of a category that no
// longer exists are dropped. Category indices for Window change to those of
// schemas.
func (a *Aggregator) Reload(schemas []Schema) {
	old := a.schemas
	a.setSchemas(schemas)
	for _, mi := range a.open {
		wins := make([]*Window, len(schemas))
		for i, s := range a.schemas {
			if j := slices.IndexFunc(old, func(o Schema) bool { return o.Category == s.Category }); j >= 0 {
				wins[i] = mi.wins[j].Rebind(s)
			} else {
				wins[i] = NewWindow(s)
			}
		}
		mi.wins = wins
	}
	a.last = nil
}
