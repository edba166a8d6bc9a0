// Package pipeline is summarize's engine: it reads lines, parses them, sorts
// them into categories by the rules, counts them into per-minute windows and
// hands every closed minute to the outputs. Lines that no rule claims go to
// the unknown spool.
//
// Run's one event loop (loop.go) owns the Engine. Beside it run only the
// line reader and, with RunOptions.Workers > 1, the workers that parse and
// match (they hand classified chunks back in input order) and the key
// counters that count top-N keys into the parts of the tables they own
// (keycount.go). In lockstep mode (omprog with confirmations) the reader
// itself confirms and counts, under the loop's lock. Everything else talks
// to Run through its control channel.
package pipeline

import (
	"errors"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
	"log/slog"
	"math"
	"slices"
	"time"
)

// SelfCategory is the name of the category summarize reports about itself:
// every line read, malformed lines, lines no category claimed, delivery
// problems. It is reserved: a rule file may not use it.
const SelfCategory = rules.SelfCategory

// UncategorizedSpool is the spool category of lines that no category's
// match claimed.
const UncategorizedSpool = "_uncategorized"

// The self category's counters, in the order they appear in its summary.
const (
	selfMalformed = iota
	selfTooLong
	selfUncategorized
	selfSpoolErrors
	selfOutputErrors
	selfDropped
	selfFuture
	numSelfCounters
)

var selfSchema = tally.Schema{
	Category: SelfCategory,
	Counters: []string{"malformed", "too_long", "uncategorized", "spool_errors", "output_errors", "dropped", "future"},
}

// UnknownSink receives lines that no rule claimed. Its methods are called
// from the engine goroutine only. Write must be cheap (buffered) and must
// not retain line; Flush runs after each chunk with unknown lines, before
// the chunk is journaled and confirmed, and must leave what was written
// safe from a process kill (write(2)); it returns how many lines it could
// not store. Rotate is called on every tick so that files are closed (and
// become visible to readers) by size or age.
type UnknownSink interface {
	Write(category string, line []byte) error
	Flush() (lost int, err error)
	Rotate(now time.Time) error
}

// dropCounter is implemented by outputs that may drop summaries (a dead
// syslog target); the engine reports the drops in its own next summary.
type dropCounter interface{ Dropped() uint64 }

// Config is everything an Engine needs. Rules is required.
type Config struct {
	Rules      *rules.Set
	Now        func() time.Time // default time.Now
	Location   *time.Location   // zone of timestamps without one; default time.Local
	EventClock bool             // minutes by the lines' own timestamps instead of arrival
	Grace      time.Duration    // event clock: how long a minute stays open for late lines
	MaxLine    int              // longer lines are truncated and counted too_long; default 64 KiB
	Outputs    []Output
	Spool      UnknownSink // nil: unknown lines are only counted
	Logger     *slog.Logger
}

// DefaultMaxLine is the longest line counted whole (rsyslog's default
// maxMessageSize is 8 KiB; 64 KiB leaves room for raised limits).
const DefaultMaxLine = 64 << 10

// Engine counts lines into minutes. It is not safe for concurrent use.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	set     *rules.Set
	inline  *classifier // classifies on the engine's goroutine when there are no workers
	scratch batch
	agg     *tally.Aggregator
	selfIdx int

	// lastEvent is the newest time seen on the event clock (lines without
	// a timestamp count at it); advancedTo is the second the aggregator's
	// clock was last advanced to.
	lastEvent  time.Time
	advancedTo int64

	dropsSeen    []uint64 // per output, drops already counted
	outputErrors uint64   // output errors not yet counted in a minute
	failing      []error  // per output: the error of its last write, nil when it worked
	flushing     bool     // Flush is emitting the last rows
	spoolLost    uint64   // spool lines a Flush lost, not yet counted in a minute

	jr           *jstate // the journal, nil without one
	spoolPending bool    // the spool holds lines not flushed yet
	replaying    bool    // counting the journal's lines again: no spool writes
	holding      bool    // emit keeps summaries in held instead (replay)
	held         []tally.Summary

	// pending are lines far ahead of the event clock, held until enough
	// agree on the jump (see FutureLimit).
	pending   []heldLine
	heldBatch batch

	// beforeEmit, when set, runs after minutes have closed and before
	// they are emitted (the checkpoint is saved there; see checkpointer).
	beforeEmit func()

	// keys, when set (Run with workers), counts the top-N keys on other
	// goroutines; cur is the batch whose keys go to them and sent how many
	// of its ops were handed over already.
	keys *keyCounters
	cur  *batch
	sent int
}

// New builds an engine. It fails only on a configuration error.
func New(cfg Config) (*Engine, error) {
	if cfg.Rules == nil {
		return nil, errNoRules
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkReserved(cfg.Rules); err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:       cfg,
		log:       cfg.Logger,
		dropsSeen: make([]uint64, len(cfg.Outputs)),
		failing:   make([]error, len(cfg.Outputs)),
	}
	e.bind(cfg.Rules)
	e.agg = tally.NewAggregator(e.schemas(), tally.Options{EventClock: cfg.EventClock, Grace: cfg.Grace})
	return e, nil
}

func (e *Engine) bind(set *rules.Set) {
	e.set = set
	e.inline = e.classifierFor(set)
	e.selfIdx = len(set.Categories)
}

// classifierFor returns a classifier of set for one goroutine.
func (e *Engine) classifierFor(set *rules.Set) *classifier {
	return newClassifier(set, e.cfg.Now, e.cfg.Location, e.cfg.EventClock, e.cfg.MaxLine)
}

// Line counts one line (without its newline) that arrived at arrived, on
// the caller's goroutine. Run uses workers instead; Line serves tests and
// embedders.
func (e *Engine) Line(line []byte, arrived time.Time) {
	e.inline.classify(&e.scratch, chunk{data: line, arrived: arrived})
	e.applyBatch(&e.scratch)
}

// schemas lists every category's schema, the self category last.
func (e *Engine) schemas() []tally.Schema {
	s := make([]tally.Schema, 0, len(e.set.Categories)+1)
	for _, c := range e.set.Categories {
		s = append(s, c.Schema)
	}
	return append(s, selfSchema)
}

// Reload swaps in a new rule set, keeping every counter whose category and
// name survive. The caller has already validated set.
func (e *Engine) Reload(set *rules.Set) error {
	if err := checkReserved(set); err != nil {
		return err
	}
	e.settle()
	e.bind(set)
	e.agg.Reload(e.schemas())
	return nil
}

// applyBatch counts a classified batch into the minutes, in input order.
// With key counters, its top-N keys are counted after it returns, before
// the next settle.
func (e *Engine) applyBatch(b *batch) {
	if e.keys != nil && e.cur == nil {
		b.ops = b.ops[:0]
		e.cur, e.sent = b, 0
		defer func() {
			e.sendKeys()
			e.cur = nil // b goes back to the pool: a worker may reuse it
		}()
	}
	e.applyLines(b, e.cfg.EventClock)
}

// applyLines counts b's lines; with checkFuture, lines far ahead of the
// event clock are held instead (see FutureLimit).
func (e *Engine) applyLines(b *batch, checkFuture bool) {
	if e.keys != nil && b != e.cur {
		// Held lines counted in the middle of (or outside) a batch: their
		// keys are added here, after every key handed over before them.
		e.settle()
	}
	prevRules := int32(0)
	key, num := 0, 0 // next key and number of the batch to consume
	for i := range b.lines {
		l := &b.lines[i]
		matched := b.rules[prevRules:l.rulesEnd]
		prevRules = l.rulesEnd
		if checkFuture && l.at != 0 && e.holdFuture(b, l) {
			key, num = e.skipActions(b, l, matched, key, num)
			continue
		}
		key, num = e.countLine(b, l, matched, key, num)
		e.advanceEventClock()
	}
}

// countLine counts one classified line and returns the batch positions of
// the next line's keys and numbers.
func (e *Engine) countLine(b *batch, l *lineResult, matched []int32, key, num int) (int, int) {
	at := e.lineTime(l.at)
	self := e.self(at)
	if self == nil { // late on the event clock: the aggregator counts it
		if l.cat >= 0 {
			e.agg.Window(int(l.cat), at)
		}
		return e.skipActions(b, l, matched, key, num)
	}
	self.Lines++
	if l.flags&lineMalformed != 0 {
		self.Counters[selfMalformed]++
	}
	if l.flags&lineTooLong != 0 {
		self.Counters[selfTooLong]++
	}
	if l.flags&lineFuture != 0 {
		self.Counters[selfFuture]++
	}
	if l.flags&lineEmpty != 0 {
		return key, num
	}
	line := b.chunk.data[l.start:l.end]
	if l.cat < 0 {
		self.Counters[selfUncategorized]++
		e.spool(UncategorizedSpool, line, self)
		return key, num
	}
	w := e.agg.Window(int(l.cat), at)
	w.Lines++
	category := e.set.Categories[l.cat]
	switch {
	case len(matched) == 0:
		w.Unknown++
		self.Unknown++
		if category.Unknown == rules.UnknownSpool {
			e.spool(category.Name, line, self)
		}
	case category.Rules[matched[0]].Ignore:
		w.Ignored++
		self.Ignored++
	default:
		w.Matched++
		self.Matched++
	}
	for _, ri := range matched {
		key, num = e.apply(w, category.Rules[ri], b, key, num)
	}
	return key, num
}

// apply performs one matched rule's actions on the window, consuming the
// batch's keys and numbers from key and num.
func (e *Engine) apply(w *tally.Window, r *rules.Rule, b *batch, key, num int) (int, int) {
	for _, i := range r.Counters {
		w.Counters[i]++
	}
	for _, a := range r.Tops {
		if e.keys != nil && b == e.cur {
			b.ops = append(b.ops, keyOp{top: w.Tops[a.Index], key: int32(key)})
		} else {
			w.Tops[a.Index].AddHashed(b.key(key), b.keyHashes[key], 1)
		}
		key++
	}
	for _, a := range r.Distincts {
		w.Distincts[a.Index].AddHash(b.keyHashes[key])
		key++
	}
	for _, a := range r.Stats {
		if v := b.nums[num]; !math.IsNaN(v) {
			w.Stats[a.Index].Add(v)
		}
		num++
	}
	return key, num
}

// skipActions steps over the keys and numbers of a line that is not counted.
func (e *Engine) skipActions(b *batch, l *lineResult, matched []int32, key, num int) (int, int) {
	if l.cat < 0 {
		return key, num
	}
	for _, ri := range matched {
		r := e.set.Categories[l.cat].Rules[ri]
		key += len(r.Tops) + len(r.Distincts)
		num += len(r.Stats)
	}
	return key, num
}

// key returns the i-th expanded key of the batch.
func (b *batch) key(i int) []byte {
	start := int32(0)
	if i > 0 {
		start = b.keyEnds[i-1]
	}
	return b.keys[start:b.keyEnds[i]]
}

// lineTime is the time a line counts at: its arrival or, on the event
// clock, its timestamp (a line without one counts at the newest event time
// seen, or now before any).
func (e *Engine) lineTime(at int64) time.Time {
	if !e.cfg.EventClock {
		return time.Unix(0, at)
	}
	if at == 0 {
		if e.lastEvent.IsZero() {
			e.lastEvent = e.cfg.Now()
		}
		return e.lastEvent
	}
	t := time.Unix(0, at)
	if t.After(e.lastEvent) {
		e.lastEvent = t
	}
	return t
}

// advanceEventClock closes the minutes the event clock has moved past. It
// runs once a line is counted: windows are valid until the next Advance.
func (e *Engine) advanceEventClock() {
	if !e.cfg.EventClock {
		return
	}
	// Every new second, so that a minute closes once its grace has
	// passed, not only when the next minute begins.
	if sec := e.lastEvent.Unix(); sec > e.advancedTo {
		e.advancedTo = sec
		if e.agg.Closes(e.lastEvent) {
			e.settle()
		}
		if e.emit(e.agg.Advance(e.lastEvent)) {
			// A replayed file closes many minutes between two ticks:
			// count this emit's failures now, in the open minute.
			e.noteDelivery(e.lastEvent)
		}
	}
}

// sendKeys hands the current batch's top-N keys not yet handed over to
// the key counters.
func (e *Engine) sendKeys() {
	if b := e.cur; b != nil && len(b.ops) > e.sent {
		e.keys.send(b, b.ops[e.sent:])
		e.sent = len(b.ops)
	}
}

// settle waits until every top-N key counted so far is in its table: call
// it before anything reads, resets or re-shapes the windows (closing a
// minute, a snapshot, a reload, a checkpoint) or adds keys on this
// goroutine. Without key counters it does nothing.
func (e *Engine) settle() {
	if e.keys == nil {
		return
	}
	e.sendKeys()
	e.keys.fence()
}

func (e *Engine) self(at time.Time) *tally.Window { return e.agg.Window(e.selfIdx, at) }

func (e *Engine) spool(category string, line []byte, self *tally.Window) {
	if e.cfg.Spool == nil || e.replaying {
		return
	}
	e.spoolPending = true
	if err := e.cfg.Spool.Write(category, line); err != nil {
		if self.Counters[selfSpoolErrors] == 0 { // once a minute; the rest are counted
			e.log.Error("spool write failed", "err", err)
		}
		n := uint64(1)
		var lost interface{ LostLines() int } // a failed write lost earlier buffered lines too
		if errors.As(err, &lost) {
			n = uint64(lost.LostLines())
		}
		self.Counters[selfSpoolErrors] += n
	}
}

// Tick closes the minutes the wall clock has passed (arrival clock) and
// emits them. On the event clock minutes close only as event time advances
// (and at EOF): a replayed file has no wall-clock minutes.
func (e *Engine) Tick(now time.Time) {
	if e.cfg.Spool != nil {
		if err := e.cfg.Spool.Rotate(now); err != nil {
			e.log.Error("spool rotation failed", "err", err)
		}
	}
	if e.cfg.EventClock {
		if !e.lastEvent.IsZero() {
			e.noteDelivery(e.lastEvent)
		}
		return
	}
	e.noteDelivery(now)
	if e.agg.Closes(now) {
		e.settle()
	}
	e.emit(e.agg.Advance(now))
}

// Flush emits every open minute now, marked partial where it has not ended.
func (e *Engine) Flush(now time.Time) {
	e.releaseFuture()
	if e.cfg.EventClock && !e.lastEvent.IsZero() {
		// Replaying a file: "now" is the newest event, not the wall clock.
		now = e.lastEvent
	}
	e.flushing = true // the last rows there will be: see countPending
	e.settle()
	e.emit(e.agg.Flush(now))
	e.flushing = false
}

// emit hands closed minutes to every output, grouped by minute, and
// reports whether any write failed. Every failed write is counted
// (output_errors); an output's failure is logged when it starts and its
// recovery when it ends, not every minute. One failing output never stops
// another, and each is retried at the next minute. While a chunk is counted
// (or the journal replayed) the minutes are held instead: see emitHeld.
func (e *Engine) emit(summaries []tally.Summary) (failed bool) {
	if e.holding {
		e.held = append(e.held, summaries...)
		return false
	}
	if len(summaries) > 0 && e.beforeEmit != nil {
		e.beforeEmit()
	}
	return e.deliver(summaries)
}

// emitHeld emits the summaries held while a chunk was counted.
func (e *Engine) emitHeld() {
	if len(e.held) == 0 {
		return
	}
	held := e.held
	e.held = nil
	e.emit(held)
}

// deliver writes summaries to the outputs (emit without beforeEmit).
func (e *Engine) deliver(summaries []tally.Summary) (failed bool) {
	for len(summaries) > 0 {
		n := 1
		for n < len(summaries) && summaries[n].Minute.Equal(summaries[0].Minute) {
			n++
		}
		minute := summaries[:n]
		summaries = summaries[n:]
		e.countPending(minute)
		for i, o := range e.cfg.Outputs {
			err := o.Write(minute)
			switch {
			case err != nil:
				failed = true
				e.outputErrors++
				if e.failing[i] == nil {
					e.log.Error("output failed; counting goes on and the output is retried every minute (output_errors)", "err", err)
				} else {
					e.log.Debug("output still failing", "err", err)
				}
				e.failing[i] = err
			case e.failing[i] != nil:
				e.log.Info("output recovered", "failed_with", e.failing[i])
				e.failing[i] = nil
			}
		}
	}
	return failed
}

// countPending adds the output errors not counted yet to the self row of
// minute, about to be written, when that row is whole — or partial but
// the last there will be (Flush at exit). When several minutes close at
// once (a replayed file, an exit), the failures of one are then counted in
// the next row written instead of reaching stderr only; what remains
// uncounted is the failures of the very last write. A partial SIGUSR1 row
// is left alone: the whole minute is emitted again later.
func (e *Engine) countPending(minute []tally.Summary) {
	if e.outputErrors == 0 && e.spoolLost == 0 {
		return
	}
	for i := range minute {
		s := &minute[i]
		if s.Category != SelfCategory || (s.Partial && !e.flushing) || len(s.Counters) != numSelfCounters {
			continue
		}
		c := slices.Clone(s.Counters) // the summary may share its window's storage
		c[selfOutputErrors].Value += e.outputErrors
		c[selfSpoolErrors].Value += e.spoolLost
		s.Counters = c
		e.outputErrors, e.spoolLost = 0, 0
		return
	}
}

// noteDeliveryNow is noteDelivery at now, or at the newest event on the
// event clock (before any, there is no open minute to count in).
func (e *Engine) noteDeliveryNow(now time.Time) {
	if e.cfg.EventClock {
		if e.lastEvent.IsZero() {
			return
		}
		now = e.lastEvent
	}
	e.noteDelivery(now)
}

// noteDelivery counts, in the open minute of the self category, the output
// errors and the summaries the outputs dropped since the last call. They
// go into the minute's own counters (not into an already emitted copy), so
// a checkpoint keeps them and no consumer that skips partial rows misses
// them.
func (e *Engine) noteDelivery(at time.Time) {
	var dropped uint64
	for i, o := range e.cfg.Outputs {
		if dc, ok := o.(dropCounter); ok {
			d := dc.Dropped()
			dropped += d - e.dropsSeen[i]
			e.dropsSeen[i] = d
		}
	}
	if dropped == 0 && e.outputErrors == 0 && e.spoolLost == 0 {
		return
	}
	self := e.self(at)
	if self == nil {
		return
	}
	self.Counters[selfDropped] += dropped
	self.Counters[selfOutputErrors] += e.outputErrors
	self.Counters[selfSpoolErrors] += e.spoolLost
	e.outputErrors, e.spoolLost = 0, 0
}
