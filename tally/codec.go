package tally

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Errors returned by the UnmarshalBinary methods and Restore. Test with
// errors.Is.
var (
	// ErrCorrupt: the data is truncated, has trailing bytes, or violates an
	// invariant of the structure it claims to encode.
	ErrCorrupt = errors.New("corrupt data")
	// ErrVersion: the data was written by an unknown format version.
	ErrVersion = errors.New("unsupported format version")
	// ErrSchema: two windows with different schemas were merged.
	ErrSchema = errors.New("schema mismatch")
)

// Every serialized structure starts with a magic byte naming it and a
// format version byte.
const (
	magicTopK       = 'T'
	magicDistinct   = 'D'
	magicQuantiles  = 'Q'
	magicWindow     = 'W'
	magicAggregator = 'A'
	formatVersion   = 1
)

type encoder struct{ b []byte }

func (e *encoder) header(magic byte) { e.b = append(e.b, magic, formatVersion) }
func (e *encoder) u(v uint64)        { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) i(v int64)         { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) f(v float64)       { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) u64(v uint64)      { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) str(s string) {
	e.u(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) bytes(p []byte) {
	e.u(uint64(len(p)))
	e.b = append(e.b, p...)
}

// decoder reads what encoder wrote. The first error sticks; every read after
// it returns a zero value, so callers check d.err once at the end (or before
// acting on a value, e.g. a length used to allocate).
type decoder struct {
	what string
	b    []byte
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("tally: decode %s: %s: %w", d.what, fmt.Sprintf(format, args...), ErrCorrupt)
	}
}

func (d *decoder) header(magic byte) {
	if len(d.b) < 2 {
		d.fail("short header")
		return
	}
	if d.b[0] != magic {
		d.fail("bad magic %#x", d.b[0])
		return
	}
	if d.b[1] != formatVersion {
		d.err = fmt.Errorf("tally: decode %s: version %d: %w", d.what, d.b[1], ErrVersion)
		return
	}
	d.b = d.b[2:]
}

func (d *decoder) u() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) i() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("short fixed64")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) f() float64 { return math.Float64frombits(d.u64()) }

func (d *decoder) bool() bool {
	switch d.u() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad bool")
	return false
}

// n reads a length or count of items that take at least minSize bytes each,
// rejecting counts the remaining input cannot hold (so corrupt input never
// makes us allocate much) or above max.
func (d *decoder) n(minSize, max int) int {
	v := d.u()
	if d.err != nil {
		return 0
	}
	if v > uint64(max) || (minSize > 0 && v > uint64(len(d.b)/minSize)) {
		d.fail("count %d out of range", v)
		return 0
	}
	return int(v)
}

func (d *decoder) raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("short data")
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) bytes() []byte { return d.raw(d.n(1, math.MaxInt32)) }
func (d *decoder) str() string   { return string(d.bytes()) }

// done reports the first error, or trailing garbage.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}
