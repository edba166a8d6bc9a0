package tally

import (
	"errors"
	"testing"
	"time"
)

var aggSchemas = []Schema{
	{Category: "asa", Counters: []string{"http"}, Tops: []TopSpec{{Name: "urls", K: 2}}},
	{Category: "sshd", Counters: []string{"fail"}, Distincts: []DistinctSpec{{Name: "users", Exact: 10}}},
}

// row is the part of a Summary the aggregator tests look at.
type row struct {
	cat     string
	minute  time.Duration // since t0
	partial bool
	lines   uint64
	late    uint64
}

func rows(ss []Summary) []row {
	out := make([]row, len(ss))
	for i, s := range ss {
		out[i] = row{s.Category, s.Minute.Sub(t0), s.Partial, s.Lines, s.Late}
	}
	return out
}

func checkRows(t *testing.T, step string, got []Summary, want []row) {
	t.Helper()
	g := rows(got)
	if len(g) != len(want) {
		t.Fatalf("%s: got %d rows %+v, want %d %+v", step, len(g), g, len(want), want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("%s: row %d = %+v, want %+v", step, i, g[i], want[i])
		}
	}
}

// line counts one line of category cat at time t (arrival: now).
func line(a *Aggregator, cat int, at time.Duration) bool {
	w := a.Window(cat, t0.Add(at))
	if w == nil {
		return false
	}
	w.Lines++
	return true
}

const m = time.Minute
const s = time.Second

func TestAggregatorArrival(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{})
	line(a, 0, 10*s)
	line(a, 0, 20*s)
	line(a, 1, 59*s)
	checkRows(t, "before end", a.Advance(t0.Add(59*s)), nil)
	checkRows(t, "minute end", a.Advance(t0.Add(60*s)), []row{
		{"asa", 0, false, 2, 0}, {"sshd", 0, false, 1, 0},
	})
	checkRows(t, "again", a.Advance(t0.Add(61*s)), nil)
	// clock stepped back: the line counts in the first open minute
	line(a, 1, 30*s)
	// idle minutes produce zero rows
	checkRows(t, "idle", a.Advance(t0.Add(3*m+5*s)), []row{
		{"asa", m, false, 0, 0}, {"sshd", m, false, 1, 0},
		{"asa", 2 * m, false, 0, 0}, {"sshd", 2 * m, false, 0, 0},
	})
	// five quiet hours: a zero row for every minute, however long the
	// stretch (an RRD stores 0 for them, not unknown)
	line(a, 0, 3*m+10*s)
	got := a.Advance(t0.Add(5 * time.Hour))
	if len(got) != 2*(5*60-3) {
		t.Fatalf("after five quiet hours: %d rows", len(got))
	}
	checkRows(t, "quiet first", got[:4], []row{
		{"asa", 3 * m, false, 1, 0}, {"sshd", 3 * m, false, 0, 0},
		{"asa", 4 * m, false, 0, 0}, {"sshd", 4 * m, false, 0, 0},
	})
	checkRows(t, "quiet last", got[len(got)-2:], []row{
		{"asa", 5*time.Hour - m, false, 0, 0}, {"sshd", 5*time.Hour - m, false, 0, 0},
	})
	// a suspend longer than MaxIdleMinutes: zero rows for the latest
	// MaxIdleMinutes minutes only
	long := 5*time.Hour + (MaxIdleMinutes+100)*m
	line(a, 0, 5*time.Hour+10*s)
	got = a.Advance(t0.Add(long))
	if len(got) != 2*(MaxIdleMinutes+1) {
		t.Fatalf("after suspend: %d rows", len(got))
	}
	checkRows(t, "suspend first", got[:4], []row{
		{"asa", 5 * time.Hour, false, 1, 0}, {"sshd", 5 * time.Hour, false, 0, 0},
		{"asa", long - MaxIdleMinutes*m, false, 0, 0}, {"sshd", long - MaxIdleMinutes*m, false, 0, 0},
	})
}

func TestAggregatorFirstAdvanceStarts(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{})
	checkRows(t, "first", a.Advance(t0.Add(30*s)), nil)
	checkRows(t, "second", a.Advance(t0.Add(2*m)), []row{
		{"asa", 0, false, 0, 0}, {"sshd", 0, false, 0, 0},
		{"asa", m, false, 0, 0}, {"sshd", m, false, 0, 0},
	})
}

func TestAggregatorEventClock(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{EventClock: true, Grace: 30 * s})
	var zero time.Time
	steps := []struct {
		name   string
		cat    int
		at     time.Duration
		accept bool
		want   []row
	}{
		{"first", 0, 10 * s, true, nil},
		{"next minute", 0, m + 20*s, true, nil},
		{"late but in grace", 0, 55 * s, true, nil},
		{"clock passes end+grace", 1, m + 31*s, true, []row{{"asa", 0, false, 2, 0}, {"sshd", 0, false, 0, 0}}},
		{"beyond grace: late", 0, 59 * s, false, nil},
		{"far future advances the clock", 1, 10 * m, true, []row{
			{"asa", m, false, 1, 1}, {"sshd", m, false, 1, 0},
			{"asa", 2 * m, false, 0, 0}, {"sshd", 2 * m, false, 0, 0},
			{"asa", 3 * m, false, 0, 0}, {"sshd", 3 * m, false, 0, 0},
			{"asa", 4 * m, false, 0, 0}, {"sshd", 4 * m, false, 0, 0},
			{"asa", 5 * m, false, 0, 0}, {"sshd", 5 * m, false, 0, 0},
			{"asa", 6 * m, false, 0, 0}, {"sshd", 6 * m, false, 0, 0},
			{"asa", 7 * m, false, 0, 0}, {"sshd", 7 * m, false, 0, 0},
			{"asa", 8 * m, false, 0, 0}, {"sshd", 8 * m, false, 0, 0},
		}},
		{"minute 9 still in grace", 0, 9*m + 40*s, true, nil},
	}
	for _, st := range steps {
		if got := line(a, st.cat, st.at); got != st.accept {
			t.Errorf("%s: accepted %v, want %v", st.name, got, st.accept)
		}
		checkRows(t, st.name, a.Advance(zero), st.want)
	}
	// Flush at the event clock (10:00 + 10m): minute 9 ended (not partial), minute 10 did not.
	checkRows(t, "flush", a.Flush(zero), []row{
		{"asa", 9 * m, false, 1, 0}, {"sshd", 9 * m, false, 0, 0},
		{"asa", 10 * m, true, 0, 0}, {"sshd", 10 * m, true, 1, 0},
	})
	if line(a, 0, 10*m+30*s) {
		t.Error("line for a flushed minute accepted")
	}
}

func TestAggregatorFlushSnapshot(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{})
	line(a, 0, 10*s)
	checkRows(t, "snapshot", a.Snapshot(), []row{{"asa", 0, true, 1, 0}, {"sshd", 0, true, 0, 0}})
	line(a, 0, 25*s)
	checkRows(t, "flush", a.Flush(t0.Add(30*s)), []row{{"asa", 0, true, 2, 0}, {"sshd", 0, true, 0, 0}})
	checkRows(t, "nothing left", a.Flush(t0.Add(40*s)), nil)
	checkRows(t, "empty flush", NewAggregator(aggSchemas, Options{}).Flush(t0), nil)
}

func TestAggregatorReload(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{})
	a.Window(0, t0.Add(5*s)).Counters[0] += 7
	a.Window(1, t0.Add(6*s)).Counters[0] += 3
	next := []Schema{
		{Category: "new", Counters: []string{"x"}},
		{Category: "asa", Counters: []string{"https", "http"}},
	}
	a.Reload(next)
	a.Window(1, t0.Add(7*s)).Counters[1]++
	got := a.Advance(t0.Add(m))
	if len(got) != 2 || got[0].Category != "new" || got[1].Category != "asa" {
		t.Fatalf("rows %+v", got)
	}
	if c := got[1].Counters; c[0].Value != 0 || c[1].Name != "http" || c[1].Value != 8 {
		t.Errorf("asa counters %+v", c)
	}
}

func TestAggregatorRestore(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		now      time.Duration // restart time
		restored bool
		want     []row // Flush at 1m+59s after restart
	}{
		{"arrival same minute", Options{}, 50 * s, true, []row{{"asa", 0, false, 3, 0}, {"sshd", 0, false, 1, 0}}},
		{"arrival stale", Options{}, m + 1*s, false, []row{{"asa", m, true, 1, 0}, {"sshd", m, true, 0, 0}}},
		{"event within grace", Options{EventClock: true, Grace: 30 * s}, m + 20*s, true, []row{{"asa", 0, false, 2, 0}, {"sshd", 0, false, 1, 0}, {"asa", m, true, 1, 0}, {"sshd", m, true, 0, 0}}},
		{"event stale", Options{EventClock: true, Grace: 30 * s}, m + 40*s, false, []row{{"asa", m, true, 1, 0}, {"sshd", m, true, 0, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAggregator(aggSchemas, tc.opts)
			line(a, 0, 10*s)
			line(a, 0, 20*s)
			line(a, 1, 30*s)
			a.Advance(t0.Add(40 * s))
			cp, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			b := NewAggregator(aggSchemas, tc.opts)
			restored, err := b.Restore(cp, t0.Add(tc.now))
			if err != nil || restored != tc.restored {
				t.Fatalf("Restore = %v, %v; want %v", restored, err, tc.restored)
			}
			line(b, 0, tc.now+time.Second)
			checkRows(t, "flush", b.Flush(t0.Add(m+59*s)), tc.want)
		})
	}
}

func TestAggregatorRestoreSchemaChangeAndCorrupt(t *testing.T) {
	a := NewAggregator(aggSchemas, Options{})
	a.Window(0, t0).Counters[0] = 5
	cp, _ := a.MarshalBinary()
	b := NewAggregator([]Schema{{Category: "asa", Counters: []string{"other", "http"}}}, Options{})
	if ok, err := b.Restore(cp, t0.Add(s)); !ok || err != nil {
		t.Fatalf("Restore = %v, %v", ok, err)
	}
	got := b.Flush(t0.Add(m))
	if len(got) != 1 || got[0].Counters[1].Value != 5 {
		t.Fatalf("rows %+v", got)
	}
	c := NewAggregator(aggSchemas, Options{})
	for _, bad := range [][]byte{nil, {'A'}, cp[:len(cp)-3], append(cp[:len(cp):len(cp)], 1)} {
		if ok, err := c.Restore(bad, t0); ok || !errors.Is(err, ErrCorrupt) {
			t.Errorf("Restore(corrupt %d bytes) = %v, %v", len(bad), ok, err)
		}
	}
	if len(c.open) != 0 || c.started {
		t.Error("failed Restore changed state")
	}
}
