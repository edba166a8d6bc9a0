package tally

import (
	"fmt"
	"slices"
	"time"
)

// Window is one category's state for one minute, shaped by a Schema: the
// per-line path addresses metrics by their index in the Schema's slices
// (w.Counters[i]++, w.Tops[i].Add(key, 1), …), never by name.
//
// Not safe for concurrent use, except that a top-N table's parts may be fed
// by different goroutines (see TopK). Windows from several sources are
// combined with Merge.
type Window struct {
	Lines, Matched, Ignored, Unknown, Late uint64

	Counters  []uint64          // indexed like Schema.Counters
	Tops      []*TopK           // indexed like Schema.Tops
	Distincts []*DistinctSketch // indexed like Schema.Distincts
	Stats     []*Quantiles      // indexed like Schema.Stats

	schema Schema
}

// NewWindow returns an empty window for s.
func NewWindow(s Schema) *Window {
	s = cloneSchema(s)
	w := &Window{
		schema:    s,
		Counters:  make([]uint64, len(s.Counters)),
		Tops:      make([]*TopK, len(s.Tops)),
		Distincts: make([]*DistinctSketch, len(s.Distincts)),
		Stats:     make([]*Quantiles, len(s.Stats)),
	}
	for i, t := range s.Tops {
		w.Tops[i] = NewTopK(t.K)
	}
	for i, d := range s.Distincts {
		w.Distincts[i] = NewDistinctSketch(d.Exact)
	}
	for i := range s.Stats {
		w.Stats[i] = NewQuantiles()
	}
	return w
}

func cloneSchema(s Schema) Schema {
	s.Counters = slices.Clone(s.Counters)
	s.Tops = slices.Clone(s.Tops)
	s.Distincts = slices.Clone(s.Distincts)
	s.Stats = slices.Clone(s.Stats)
	return s
}

func schemaEqual(a, b Schema) bool {
	return a.Category == b.Category &&
		slices.Equal(a.Counters, b.Counters) &&
		slices.Equal(a.Tops, b.Tops) &&
		slices.Equal(a.Distincts, b.Distincts) &&
		slices.Equal(a.Stats, b.Stats)
}

// Schema returns (a copy of) the schema the window was built from.
func (w *Window) Schema() Schema { return cloneSchema(w.schema) }

// Summary returns the window's content as the Summary of minute (stored as
// UTC). Every metric of the schema is present, zeros included, in schema
// order. The Summary shares nothing mutable with the window.
func (w *Window) Summary(minute time.Time, partial bool) Summary {
	s := Summary{
		Category: w.schema.Category,
		Minute:   minute.UTC(),
		Partial:  partial,
		Lines:    w.Lines, Matched: w.Matched, Ignored: w.Ignored, Unknown: w.Unknown, Late: w.Late,
		Counters:  make([]Value, len(w.Counters)),
		Distincts: make([]Distinct, len(w.Distincts)),
		Tops:      make([]Top, len(w.Tops)),
		Stats:     make([]Stat, len(w.Stats)),
	}
	for i, v := range w.Counters {
		s.Counters[i] = Value{Name: w.schema.Counters[i], Value: v}
	}
	for i, d := range w.Distincts {
		n, exact := d.Count()
		s.Distincts[i] = Distinct{Name: w.schema.Distincts[i].Name, Value: n, Exact: exact}
	}
	for i, t := range w.Tops {
		s.Tops[i] = t.Summary()
		s.Tops[i].Name = w.schema.Tops[i].Name
	}
	for i, q := range w.Stats {
		s.Stats[i] = q.Stat()
		s.Stats[i].Name = w.schema.Stats[i]
	}
	return s
}

// Reset zeroes the window, keeping its memory for the next minute.
func (w *Window) Reset() {
	w.Lines, w.Matched, w.Ignored, w.Unknown, w.Late = 0, 0, 0, 0, 0
	clear(w.Counters)
	for _, t := range w.Tops {
		t.Reset()
	}
	for _, d := range w.Distincts {
		d.Reset()
	}
	for _, q := range w.Stats {
		q.Reset()
	}
}

// Merge adds o into w: the one merge of per-minute state, for windows of
// the same minute from several sources (another process's serialized
// window, a checkpoint, a re-shaped window after a reload). Both must have
// the same schema (ErrSchema otherwise; w is then unchanged). o is not
// modified. Per metric:
//   - line totals and counters add (exact);
//   - top-N tables merge part by part (TopK.Merge): exact, equal to one
//     table fed both streams, while no part of either table ever filled;
//     beyond, the mergeable space-saving bounds (Error) hold;
//   - distinct counts are a set union (DistinctSketch.Merge): exact while
//     the union fits the exact threshold, else HyperLogLog registers take
//     the register-wise max — the same state one sketch fed both streams
//     reaches, in any order;
//   - statistics merge bin-wise (Quantiles.Merge): count, min, max and the
//     quantile bins exactly; the float64 sum is exact when the values are
//     integers (or otherwise exactly representable partial sums), and may
//     differ in the last bits from one stream's sum otherwise.
func (w *Window) Merge(o *Window) error {
	if !schemaEqual(w.schema, o.schema) {
		return fmt.Errorf("tally: merge window of %q into %q: %w", o.schema.Category, w.schema.Category, ErrSchema)
	}
	w.Lines += o.Lines
	w.Matched += o.Matched
	w.Ignored += o.Ignored
	w.Unknown += o.Unknown
	w.Late += o.Late
	for i, v := range o.Counters {
		w.Counters[i] += v
	}
	for i, t := range o.Tops {
		w.Tops[i].Merge(t)
	}
	for i, d := range o.Distincts {
		w.Distincts[i].Merge(d)
	}
	for i, q := range o.Stats {
		w.Stats[i].Merge(q)
	}
	return nil
}

// Rebind returns the window re-shaped for next, the same category's schema
// after a rules reload: metrics whose name exists in both schemas (per kind:
// counter, top, distinct, stat) keep their values, new ones start at zero,
// removed ones are dropped. A top or distinct whose K or Exact changed is
// re-built by merging into a sketch of the new size. Line totals (Lines,
// Matched, …) are kept. The result may share sketches with w: do not use w
// afterwards. When next equals w's schema, w itself is returned.
func (w *Window) Rebind(next Schema) *Window {
	if schemaEqual(w.schema, next) {
		return w
	}
	nw := NewWindow(next)
	nw.Lines, nw.Matched, nw.Ignored, nw.Unknown, nw.Late = w.Lines, w.Matched, w.Ignored, w.Unknown, w.Late
	for i, name := range next.Counters {
		if j := slices.Index(w.schema.Counters, name); j >= 0 {
			nw.Counters[i] = w.Counters[j]
		}
	}
	for i, spec := range next.Tops {
		j := slices.IndexFunc(w.schema.Tops, func(t TopSpec) bool { return t.Name == spec.Name })
		switch {
		case j < 0:
		case w.Tops[j].K() == nw.Tops[i].K():
			nw.Tops[i] = w.Tops[j]
		default:
			nw.Tops[i].Merge(w.Tops[j])
		}
	}
	for i, spec := range next.Distincts {
		j := slices.IndexFunc(w.schema.Distincts, func(d DistinctSpec) bool { return d.Name == spec.Name })
		switch {
		case j < 0:
		case w.Distincts[j].Threshold() == nw.Distincts[i].Threshold():
			nw.Distincts[i] = w.Distincts[j]
		default:
			nw.Distincts[i].Merge(w.Distincts[j])
		}
	}
	for i, name := range next.Stats {
		if j := slices.Index(w.schema.Stats, name); j >= 0 {
			nw.Stats[i] = w.Stats[j]
		}
	}
	return nw
}

// MarshalBinary encodes the window with its schema (versioned), for
// checkpoints.
func (w *Window) MarshalBinary() ([]byte, error) {
	var e encoder
	w.encode(&e)
	return e.b, nil
}

func (w *Window) encode(e *encoder) {
	e.header(magicWindow)
	s := &w.schema
	e.str(s.Category)
	e.u(uint64(len(s.Counters)))
	for _, n := range s.Counters {
		e.str(n)
	}
	e.u(uint64(len(s.Tops)))
	for _, t := range s.Tops {
		e.str(t.Name)
		e.i(int64(t.K))
	}
	e.u(uint64(len(s.Distincts)))
	for _, d := range s.Distincts {
		e.str(d.Name)
		e.i(int64(d.Exact))
	}
	e.u(uint64(len(s.Stats)))
	for _, n := range s.Stats {
		e.str(n)
	}
	for _, v := range []uint64{w.Lines, w.Matched, w.Ignored, w.Unknown, w.Late} {
		e.u(v)
	}
	for _, v := range w.Counters {
		e.u(v)
	}
	for _, t := range w.Tops {
		t.encode(e)
	}
	for _, d := range w.Distincts {
		d.encode(e)
	}
	for _, q := range w.Stats {
		q.encode(e)
	}
}

// UnmarshalBinary replaces w with the decoded window, schema included.
// Corrupt input returns an error wrapping ErrCorrupt (or ErrVersion) and
// leaves w unchanged.
func (w *Window) UnmarshalBinary(data []byte) error {
	d := decoder{what: "window", b: data}
	n, err := decodeWindow(&d)
	if err == nil {
		err = d.done()
	}
	if err != nil {
		return err
	}
	*w = *n
	return nil
}

// maxSchemaItems bounds each schema list in decoded data.
const maxSchemaItems = 1 << 16

func decodeWindow(d *decoder) (*Window, error) {
	d.header(magicWindow)
	var s Schema
	s.Category = d.str()
	s.Counters = make([]string, d.n(1, maxSchemaItems))
	for i := range s.Counters {
		s.Counters[i] = d.str()
	}
	s.Tops = make([]TopSpec, d.n(2, maxSchemaItems))
	for i := range s.Tops {
		s.Tops[i] = TopSpec{Name: d.str(), K: int(d.i())}
	}
	s.Distincts = make([]DistinctSpec, d.n(2, maxSchemaItems))
	for i := range s.Distincts {
		s.Distincts[i] = DistinctSpec{Name: d.str(), Exact: int(d.i())}
	}
	s.Stats = make([]string, d.n(1, maxSchemaItems))
	for i := range s.Stats {
		s.Stats[i] = d.str()
	}
	if d.err != nil {
		return nil, d.err
	}
	w := &Window{
		schema:    s,
		Counters:  make([]uint64, len(s.Counters)),
		Tops:      make([]*TopK, len(s.Tops)),
		Distincts: make([]*DistinctSketch, len(s.Distincts)),
		Stats:     make([]*Quantiles, len(s.Stats)),
	}
	w.Lines, w.Matched, w.Ignored, w.Unknown, w.Late = d.u(), d.u(), d.u(), d.u(), d.u()
	for i := range w.Counters {
		w.Counters[i] = d.u()
	}
	var err error
	for i := range w.Tops {
		if w.Tops[i], err = decodeTopK(d); err != nil {
			return nil, err
		}
	}
	for i := range w.Distincts {
		if w.Distincts[i], err = decodeDistinct(d); err != nil {
			return nil, err
		}
	}
	for i := range w.Stats {
		if w.Stats[i], err = decodeQuantiles(d); err != nil {
			return nil, err
		}
	}
	return w, d.err
}
