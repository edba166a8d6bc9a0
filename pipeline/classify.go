package pipeline

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// Counting a line has a read-only half — parse, categorize, match, expand
// and hash keys — and a half that updates the minute's counters. The first
// runs on any number of workers, one classifier each; the second on the
// engine's goroutine, in input order, so that minutes, the spool and
// confirmations see lines in the order they came — except the top-N keys,
// which that goroutine hands to the key counters (keycount.go).

// Line flags.
const (
	lineMalformed = 1 << iota
	lineTooLong
	lineEmpty
	lineFuture // event clock: counted at the clock, not at its timestamp far ahead
)

// lineResult is what a classifier learned about one line.
type lineResult struct {
	start, end int32 // the line within the batch's chunk
	at         int64 // unix nanoseconds the line counts at; 0: the newest event time
	cat        int32 // category index, -1 when no category claimed it
	rulesEnd   int32 // matched rules are batch.rules[previous line's rulesEnd:rulesEnd]
	flags      uint8
}

// batch is a classified chunk: per line its result, the matched rules, and
// the keys and numbers their actions need, in the order apply consumes them.
type batch struct {
	chunk     chunk
	set       *rules.Set // the rules it was classified with
	lines     []lineResult
	rules     []int32
	keys      []byte
	keyEnds   []int32
	keyHashes []uint64  // tally.Hash64 of each key, computed where the key is extracted
	nums      []float64 // stats values; NaN when the capture is not a number

	// Filled while the batch is counted (keycount.go): the top-N keys
	// left to the key counters, and how many of them still read the batch.
	ops  []keyOp
	refs batchRefs
}

func (b *batch) reset(c chunk, set *rules.Set) {
	b.chunk, b.set = c, set
	b.lines, b.rules, b.keys, b.keyEnds, b.keyHashes, b.nums = b.lines[:0], b.rules[:0], b.keys[:0], b.keyEnds[:0], b.keyHashes[:0], b.nums[:0]
	b.ops = b.ops[:0]
}

// classifier owns the per-goroutine scratch of the read-only half.
type classifier struct {
	parser     *parsers.Parser
	set        *rules.Set
	matcher    *rules.Matcher
	eventClock bool
	maxLine    int
	rec        parsers.Record
	num        []byte
}

func newClassifier(set *rules.Set, now func() time.Time, loc *time.Location, eventClock bool, maxLine int) *classifier {
	return &classifier{parser: parsers.New(now, loc), set: set, matcher: set.NewMatcher(), eventClock: eventClock, maxLine: maxLine}
}

// classify fills b from c.
func (k *classifier) classify(b *batch, c chunk) {
	b.reset(c, k.set)
	if c.truncated {
		k.line(b, 0, int32(len(c.data)), true)
		return
	}
	data := c.data
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := 0
		if end < 0 {
			end, next = len(data), len(data)
		} else {
			end += off
			next = end + 1
		}
		tooLong := end-off > k.maxLine
		if tooLong {
			k.line(b, int32(off), int32(off+k.maxLine), true)
		} else {
			k.line(b, int32(off), int32(end), false)
		}
		off = next
	}
}

func (k *classifier) line(b *batch, start, end int32, tooLong bool) {
	r := lineResult{start: start, end: end, cat: -1, at: b.chunk.arrived.UnixNano()}
	if tooLong {
		r.flags |= lineTooLong | lineMalformed
	}
	line := b.chunk.data[start:end]
	if len(line) == 0 {
		r.flags |= lineEmpty | lineMalformed
		if k.eventClock {
			r.at = 0
		}
		r.rulesEnd = int32(len(b.rules))
		b.lines = append(b.lines, r)
		return
	}
	if k.parser.Parse(line, &k.rec) != nil {
		r.flags |= lineMalformed
	}
	if k.eventClock {
		r.at = 0
		if !k.rec.Time.IsZero() {
			r.at = k.rec.Time.UnixNano()
		}
	}
	r.cat = int32(k.matcher.Categorize(&k.rec))
	if r.cat >= 0 {
		k.match(b, int(r.cat))
	}
	r.rulesEnd = int32(len(b.rules))
	b.lines = append(b.lines, r)
}

// match records every rule that claims the line (the first, then those
// after a rule with continue) and expands their keys.
func (k *classifier) match(b *batch, cat int) {
	category := k.set.Categories[cat]
	for ri := k.matcher.Match(cat, &k.rec, 0); ri >= 0; ri = k.matcher.Match(cat, &k.rec, ri+1) {
		b.rules = append(b.rules, int32(ri))
		r := category.Rules[ri]
		for _, a := range r.Tops {
			b.addKey(k.matcher.AppendKey(b.keys, a.Key))
		}
		for _, a := range r.Distincts {
			b.addKey(k.matcher.AppendKey(b.keys, a.Key))
		}
		for _, a := range r.Stats {
			k.num = k.matcher.AppendKey(k.num[:0], a.Key)
			v, ok := parseNumber(k.num)
			if !ok {
				v = math.NaN()
			}
			b.nums = append(b.nums, v)
		}
		if !r.Continue {
			break
		}
	}
}

// addKey takes keys, b.keys with one more key appended, and records the
// key's end and hash (hashing here runs on the workers, in parallel).
func (b *batch) addKey(keys []byte) {
	start := len(b.keys)
	b.keys = keys
	b.keyEnds = append(b.keyEnds, int32(len(keys)))
	b.keyHashes = append(b.keyHashes, tally.Hash64(keys[start:]))
}

// parseNumber reads a decimal number (an integer fast path, then floats);
// a capture that is not a number is skipped by the caller.
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
	return v, err == nil && !math.IsNaN(v)
}
