// Package pipeline is summarize's engine: it reads lines, parses them, sorts
// them into categories by the rules, counts them into per-minute windows and
// hands every closed minute to the outputs. Lines that no rule claims go to
// the unknown spool.
//
// One goroutine owns the Engine (Run's); only the line reader runs beside
// it. Everything else talks to Run through its control channel.
package pipeline

import (
	"bytes"
	"log/slog"
	"strconv"
	"time"

	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// SelfCategory is the name of the category summarize reports about itself:
// every line read, malformed lines, lines no category claimed, delivery
// problems. It is reserved: a rule file may not use it.
const SelfCategory = "logtally"

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
	numSelfCounters
)

var selfSchema = tally.Schema{
	Category: SelfCategory,
	Counters: []string{"malformed", "too_long", "uncategorized", "spool_errors", "output_errors", "dropped"},
}

// UnknownSink receives lines that no rule claimed. Both methods are called
// from the engine goroutine only. Write must be cheap (buffered) and must
// not retain line; Rotate is called on every tick so that files are closed
// (and become visible to readers) by size or age.
type UnknownSink interface {
	Write(category string, line []byte) error
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
	Outputs    []outputs.Output
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
	parser  *parsers.Parser
	set     *rules.Set
	matcher *rules.Matcher
	agg     *tally.Aggregator
	selfIdx int

	rec    parsers.Record
	parsed parseState // whether rec already holds the current line
	keyBuf []byte

	// eventMinute is the newest minute (unix seconds) seen on the event
	// clock; lastEvent is the time lines without a timestamp are counted at.
	eventMinute int64
	lastEvent   time.Time

	dropsSeen []uint64 // per output, drops already reported
	pending   tally.Summary

	// beforeEmit, when set, runs after minutes have closed and before
	// they are emitted (the checkpoint is saved there; see checkpointer).
	beforeEmit func()
}

// parseState says whether the event clock already parsed the current line.
type parseState uint8

const (
	notParsed parseState = iota
	parsedOK
	parsedMalformed
)

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
		parser:    parsers.New(cfg.Now, cfg.Location),
		dropsSeen: make([]uint64, len(cfg.Outputs)),
	}
	e.bind(cfg.Rules)
	e.agg = tally.NewAggregator(e.schemas(), tally.Options{EventClock: cfg.EventClock, Grace: cfg.Grace})
	return e, nil
}

func (e *Engine) bind(set *rules.Set) {
	e.set = set
	e.matcher = set.NewMatcher()
	e.selfIdx = len(set.Categories)
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
	e.bind(set)
	e.agg.Reload(e.schemas())
	return nil
}

// Line counts one line (without its newline) that arrived at arrived.
// truncated marks a line cut at MaxLine.
func (e *Engine) Line(line []byte, arrived time.Time, truncated bool) {
	if !e.cfg.EventClock {
		e.count(line, arrived, truncated)
		return
	}
	e.count(line, e.eventTime(line, arrived), truncated)
	// Close the minutes the event clock has moved past only once the line
	// is counted: windows are valid until the next Advance.
	if m := e.lastEvent.Unix() / 60; m > e.eventMinute {
		e.eventMinute = m
		e.emit(e.agg.Advance(e.lastEvent))
	}
}

// count counts one line in the minute of at.
func (e *Engine) count(line []byte, at time.Time, truncated bool) {
	self := e.self(at)
	if self == nil { // late on the event clock; the aggregator counted it
		return
	}
	self.Lines++
	if len(line) == 0 {
		self.Counters[selfMalformed]++
		return
	}
	malformed := e.parsed != parsedOK
	if e.parsed == notParsed {
		malformed = e.parser.Parse(line, &e.rec) != nil
	}
	e.parsed = notParsed
	if truncated {
		self.Counters[selfTooLong]++
		malformed = true
	}
	if malformed {
		self.Counters[selfMalformed]++
	}

	cat := e.matcher.Categorize(&e.rec)
	if cat < 0 {
		self.Counters[selfUncategorized]++
		e.spool(UncategorizedSpool, line, self)
		return
	}
	w := e.agg.Window(cat, at)
	w.Lines++
	category := e.set.Categories[cat]
	ri := e.matcher.Match(cat, &e.rec, 0)
	if ri < 0 {
		w.Unknown++
		self.Unknown++
		if category.Unknown == rules.UnknownSpool {
			e.spool(category.Name, line, self)
		}
		return
	}
	if category.Rules[ri].Ignore {
		w.Ignored++
		self.Ignored++
	} else {
		w.Matched++
		self.Matched++
	}
	for ri >= 0 {
		r := category.Rules[ri]
		e.apply(w, r)
		if !r.Continue {
			break
		}
		ri = e.matcher.Match(cat, &e.rec, ri+1)
	}
}

// apply performs one matched rule's actions on the window.
func (e *Engine) apply(w *tally.Window, r *rules.Rule) {
	for _, i := range r.Counters {
		w.Counters[i]++
	}
	for _, a := range r.Tops {
		e.keyBuf = e.matcher.AppendKey(e.keyBuf[:0], a.Key)
		w.Tops[a.Index].Add(e.keyBuf, 1)
	}
	for _, a := range r.Distincts {
		e.keyBuf = e.matcher.AppendKey(e.keyBuf[:0], a.Key)
		w.Distincts[a.Index].Add(e.keyBuf)
	}
	for _, a := range r.Stats {
		e.keyBuf = e.matcher.AppendKey(e.keyBuf[:0], a.Key)
		if v, ok := parseNumber(e.keyBuf); ok {
			w.Stats[a.Index].Add(v)
		}
	}
}

// eventTime parses line to learn its timestamp: the time it counts at on
// the event clock. A line without one counts at the newest event time seen
// (or its arrival, before any).
func (e *Engine) eventTime(line []byte, arrived time.Time) time.Time {
	if len(line) == 0 {
		e.parsed = notParsed
	} else if e.parser.Parse(line, &e.rec) != nil {
		e.parsed = parsedMalformed
	} else {
		e.parsed = parsedOK
	}
	if t := e.rec.Time; len(line) > 0 && !t.IsZero() {
		if t.After(e.lastEvent) {
			e.lastEvent = t
		}
		return t
	}
	if e.lastEvent.IsZero() {
		e.lastEvent = arrived
	}
	return e.lastEvent
}

func (e *Engine) self(at time.Time) *tally.Window { return e.agg.Window(e.selfIdx, at) }

func (e *Engine) spool(category string, line []byte, self *tally.Window) {
	if e.cfg.Spool == nil {
		return
	}
	if err := e.cfg.Spool.Write(category, line); err != nil {
		self.Counters[selfSpoolErrors]++
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
		return
	}
	e.emit(e.agg.Advance(now))
}

// Flush emits every open minute now, marked partial where it has not ended.
func (e *Engine) Flush(now time.Time) {
	if e.cfg.EventClock && !e.lastEvent.IsZero() {
		// Replaying a file: "now" is the newest event, not the wall clock.
		now = e.lastEvent
	}
	e.emit(e.agg.Flush(now))
}

// emit hands closed minutes to every output, grouped by minute. Output
// errors are logged and counted; one failing output never stops another.
func (e *Engine) emit(summaries []tally.Summary) {
	if len(summaries) > 0 && e.beforeEmit != nil {
		e.beforeEmit()
	}
	for len(summaries) > 0 {
		n := 1
		for n < len(summaries) && summaries[n].Minute.Equal(summaries[0].Minute) {
			n++
		}
		minute := summaries[:n]
		summaries = summaries[n:]
		e.addDrops(minute)
		for _, o := range e.cfg.Outputs {
			if err := o.Write(minute); err != nil {
				e.log.Error("output failed", "err", err)
				if self := e.selfSummary(minute); self != nil {
					self.Counters[selfOutputErrors].Value++
				}
			}
		}
	}
}

// addDrops reports, in the self category of this minute, the summaries the
// outputs dropped since the previous minute.
func (e *Engine) addDrops(minute []tally.Summary) {
	self := e.selfSummary(minute)
	if self == nil {
		return
	}
	for i, o := range e.cfg.Outputs {
		if dc, ok := o.(dropCounter); ok {
			d := dc.Dropped()
			self.Counters[selfDropped].Value += d - e.dropsSeen[i]
			e.dropsSeen[i] = d
		}
	}
}

func (e *Engine) selfSummary(minute []tally.Summary) *tally.Summary {
	for i := range minute {
		if minute[i].Category == SelfCategory && len(minute[i].Counters) == numSelfCounters {
			return &minute[i]
		}
	}
	return nil
}

// parseNumber reads a decimal number (an integer fast path, then floats);
// non-numeric captures are skipped.
func parseNumber(b []byte) (float64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && i < 18; i++ {
		n = n*10 + uint64(b[i]-'0')
	}
	if i == len(b) {
		return float64(n), true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}
