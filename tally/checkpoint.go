package tally

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// maxCheckpointMinutes bounds the open minutes a checkpoint may hold.
const maxCheckpointMinutes = 1 << 12

// MarshalBinary encodes the open minutes and the clock state (versioned), a
// checkpoint from which Restore continues after a restart. Write it with
// temp file + fsync + rename, after every Advance that returned rows (so
// that a checkpoint never holds a minute already emitted) and periodically.
func (a *Aggregator) MarshalBinary() ([]byte, error) {
	var e encoder
	e.header(magicAggregator)
	e.bool(a.opts.EventClock)
	e.bool(a.started)
	e.i(a.closed)
	e.i(a.floor)
	e.bool(!a.wm.IsZero())
	e.i(a.wm.Unix())
	e.u(uint64(a.wm.Nanosecond()))
	e.u(uint64(len(a.open)))
	for _, mi := range a.open {
		e.i(mi.n)
		e.u(uint64(len(mi.wins)))
		for _, w := range mi.wins {
			var we encoder
			w.encode(&we)
			e.bytes(we.b)
		}
	}
	return e.b, nil
}

type checkpoint struct {
	event, started bool
	closed, floor  int64
	wm             time.Time
	minutes        []*minute // windows carry their own (checkpoint-time) schemas
}

func decodeCheckpoint(data []byte) (*checkpoint, error) {
	d := decoder{what: "checkpoint", b: data}
	d.header(magicAggregator)
	cp := &checkpoint{event: d.bool(), started: d.bool(), closed: d.i(), floor: d.i()}
	hasWM, sec, nsec := d.bool(), d.i(), d.u()
	if hasWM {
		if nsec >= 1e9 {
			d.fail("bad clock")
		}
		cp.wm = time.Unix(sec, int64(nsec)).UTC()
	}
	n := d.n(2, maxCheckpointMinutes)
	for range n {
		mi := &minute{n: d.i()}
		if d.err == nil && (mi.n <= math.MinInt64/120 || mi.n >= math.MaxInt64/120) {
			d.fail("minute out of range")
		}
		if last := len(cp.minutes); last > 0 && mi.n <= cp.minutes[last-1].n {
			d.fail("minutes out of order")
		}
		if cp.started && mi.n < cp.closed {
			d.fail("open minute before closed ones")
		}
		mi.wins = make([]*Window, d.n(3, maxSchemaItems))
		for c := range mi.wins {
			wd := decoder{what: "checkpoint window", b: d.bytes()}
			if d.err != nil {
				return nil, d.err
			}
			w, err := decodeWindow(&wd)
			if err == nil {
				err = wd.done()
			}
			if err != nil {
				return nil, err
			}
			mi.wins[c] = w
		}
		cp.minutes = append(cp.minutes, mi)
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return cp, nil
}

// Restore continues from a checkpoint written by MarshalBinary, normally on
// a fresh Aggregator before the first line. Minutes of the checkpoint that
// are still open at now (same rule as Advance: end, or end + Grace with the
// event clock, after the clock) are merged into this aggregator, each
// window re-shaped to the current schemas as Reload does; minutes already
// closed relative to now are ignored, so a minute is never emitted twice.
// restored reports whether anything was restored: false with a nil error
// means the checkpoint was stale (worth a log line). Corrupt data returns an
// error wrapping ErrCorrupt or ErrVersion and changes nothing.
func (a *Aggregator) Restore(data []byte, now time.Time) (restored bool, err error) {
	cp, err := decodeCheckpoint(data)
	if err != nil {
		return false, fmt.Errorf("tally: restore: %w", err)
	}
	c := now
	if a.opts.EventClock {
		if a.wm.After(c) {
			c = a.wm
		}
		if cp.wm.After(c) {
			c = cp.wm
		}
	}
	end := a.closeLimit(c)
	if a.started {
		end = max(end, a.closed)
	}
	for _, cm := range cp.minutes {
		if cm.n < end {
			continue
		}
		mi := a.minute(cm.n)
		for _, w := range cm.wins {
			cat := slices.IndexFunc(a.schemas, func(s Schema) bool { return s.Category == w.schema.Category })
			if cat < 0 {
				continue
			}
			if err := mi.wins[cat].Merge(w.Rebind(a.schemas[cat])); err != nil {
				return restored, fmt.Errorf("tally: restore: %w", err) // unreachable: Rebind made the schemas equal
			}
		}
		restored = true
	}
	if !restored {
		return false, nil
	}
	if a.opts.EventClock && cp.wm.After(a.wm) {
		a.wm = cp.wm
	}
	if cp.started {
		closed := min(max(cp.closed, end), a.open[0].n)
		switch {
		case !a.started:
			a.started, a.closed, a.floor = true, closed, min(cp.floor, closed)
		case closed > a.closed:
			a.closed = closed
		}
	}
	a.last = nil
	return true, nil
}
