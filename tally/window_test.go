package tally

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"
)

var testSchema = Schema{
	Category:  "asa",
	Counters:  []string{"http", "denied"},
	Tops:      []TopSpec{{Name: "urls", K: 3}, {Name: "servers", K: 2}},
	Distincts: []DistinctSpec{{Name: "clients", Exact: 50}},
	Stats:     []string{"bytes"},
}

var t0 = time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)

// feed adds lines [lo, hi) of a deterministic stream to w.
func feed(w *Window, lo, hi int) {
	for i := lo; i < hi; i++ {
		w.Lines++
		if i%10 == 0 {
			w.Unknown++
			continue
		}
		w.Matched++
		w.Counters[0]++
		if i%7 == 0 {
			w.Counters[1]++
		}
		w.Tops[0].Add([]byte("/u"+strconv.Itoa(i%5)), 1)
		w.Tops[1].Add([]byte("s"+strconv.Itoa(i%3)), 1)
		w.Distincts[0].Add([]byte("c" + strconv.Itoa(i%40)))
		w.Stats[0].Add(float64(i % 100))
	}
}

func TestWindowSummary(t *testing.T) {
	w := NewWindow(testSchema)
	feed(w, 0, 100)
	s := w.Summary(t0.In(time.FixedZone("x", 3600)), true)
	if s.Category != "asa" || !s.Minute.Equal(t0) || s.Minute.Location() != time.UTC || !s.Partial {
		t.Errorf("header %+v", s)
	}
	if s.Lines != 100 || s.Unknown != 10 || s.Matched != 90 {
		t.Errorf("lines %d unknown %d matched %d", s.Lines, s.Unknown, s.Matched)
	}
	if want := []Value{{"http", 90}, {"denied", 13}}; !reflect.DeepEqual(s.Counters, want) {
		t.Errorf("counters %v want %v", s.Counters, want)
	}
	if want := []Distinct{{"clients", 36, true}}; !reflect.DeepEqual(s.Distincts, want) {
		t.Errorf("distincts %v", s.Distincts)
	}
	if s.Tops[0].Name != "urls" || len(s.Tops[0].Items) != 3 || s.Tops[0].Total != 90 || s.Tops[1].Name != "servers" {
		t.Errorf("tops %+v", s.Tops)
	}
	if st := s.Stats[0]; st.Name != "bytes" || st.Count != 90 || st.Min != 1 || st.Max != 99 {
		t.Errorf("stats %+v", st)
	}
	w.Reset()
	z := w.Summary(t0, false)
	if z.Lines != 0 || z.Counters[0].Value != 0 || len(z.Tops[0].Items) != 0 || z.Stats[0].Count != 0 || len(z.Counters) != 2 {
		t.Errorf("after reset %+v", z)
	}
}

func TestWindowMergeEquivalence(t *testing.T) {
	whole, a, b := NewWindow(testSchema), NewWindow(testSchema), NewWindow(testSchema)
	feed(whole, 0, 1000)
	feed(a, 0, 400)
	feed(b, 400, 1000)
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	ws, ms := whole.Summary(t0, false), a.Summary(t0, false)
	// counters, exact distincts, tops of few keys and stats are identical
	if !reflect.DeepEqual(ws, ms) {
		t.Errorf("merge of halves differs:\n%+v\n%+v", ws, ms)
	}
	other := testSchema
	other.Counters = []string{"x"}
	if err := a.Merge(NewWindow(other)); !errors.Is(err, ErrSchema) {
		t.Errorf("schema mismatch error = %v", err)
	}
}

func TestWindowMarshal(t *testing.T) {
	w := NewWindow(testSchema)
	feed(w, 0, 500)
	data, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Window
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Summary(t0, false), got.Summary(t0, false)) || !schemaEqual(got.Schema(), testSchema) {
		t.Error("round trip differs")
	}
	feed(&got, 500, 600) // restored window keeps counting
	feed(w, 500, 600)
	if !reflect.DeepEqual(w.Summary(t0, false), got.Summary(t0, false)) {
		t.Error("continued counting differs")
	}
	for i := 0; i < len(data); i += 7 {
		if err := got.UnmarshalBinary(data[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
}

func TestWindowRebind(t *testing.T) {
	w := NewWindow(testSchema)
	feed(w, 0, 100)
	before := w.Summary(t0, false)
	next := Schema{
		Category:  "asa",
		Counters:  []string{"new", "http"},                                  // denied removed, new added
		Tops:      []TopSpec{{Name: "servers", K: 2}, {Name: "urls", K: 1}}, // reordered, urls shrunk
		Distincts: []DistinctSpec{{Name: "clients", Exact: 10}},             // threshold lowered
		Stats:     nil,                                                      // bytes removed
	}
	nw := w.Rebind(next)
	s := nw.Summary(t0, false)
	if want := []Value{{"new", 0}, {"http", 90}}; !reflect.DeepEqual(s.Counters, want) {
		t.Errorf("counters %v want %v", s.Counters, want)
	}
	if !topEqual(s.Tops[0], before.Tops[1]) {
		t.Errorf("servers %+v want %+v", s.Tops[0], before.Tops[1])
	}
	if u := s.Tops[1]; u.Name != "urls" || len(u.Items) != 1 || u.Total != 90 || u.Items[0] != before.Tops[0].Items[0] {
		t.Errorf("urls %+v", u)
	}
	if d := s.Distincts[0]; d.Value < 35 || d.Value > 38 || d.Exact {
		t.Errorf("clients %+v", d)
	}
	if len(s.Stats) != 0 || s.Lines != 100 {
		t.Errorf("stats %v lines %d", s.Stats, s.Lines)
	}
	if w2 := NewWindow(testSchema); w2.Rebind(testSchema) != w2 {
		t.Error("Rebind to the same schema should return the window")
	}
}
