package rrd

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/holtwinters"
	"github.com/logtally/logtally/tally"
	librrd "github.com/ziutek/rrd"
)

var rrdT0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday

func rrdParams(period int) func(string) holtwinters.Params {
	return func(string) holtwinters.Params {
		p := holtwinters.DefaultParams(period)
		p.Alpha, p.Beta, p.Gamma, p.GammaDev = 0.2, 0.01, 0.2, 0.2
		return p
	}
}

// rrdCount is a seasonal event count with an incident.
func rrdCount(i, period int) uint64 {
	v := 100 + 60*math.Sin(2*math.Pi*float64(i%period)/float64(period)) + float64((i*7919)%13)
	if i >= 9*period && i < 9*period+15 {
		v *= 4
	}
	if i%97 == 5 {
		v = 0 // a zero-event minute is 0, not unknown
	}
	return uint64(v)
}

func rrdMinute(i int, counters ...tally.Value) []tally.Summary {
	return []tally.Summary{{Category: "web app", Minute: rrdT0.Add(time.Duration(i) * time.Minute), Counters: counters, Lines: 10, Unknown: 1}}
}

func fetchOne(t *testing.T, path, cf string, ts time.Time) float64 {
	t.Helper()
	res, err := librrd.Fetch(path, cf, ts.Add(-time.Minute), ts, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer res.FreeValues()
	// ValueAt(ds, i) is the value at Start+(i+1)·Step.
	for i := 0; i < res.RowCnt; i++ {
		if res.Start.Add(time.Duration(i+1) * res.Step).Equal(ts) {
			return res.ValueAt(0, i)
		}
	}
	t.Fatalf("%s %s: no row for %v", path, cf, ts)
	return 0
}

func TestRRDSeriesAlertsAndRestart(t *testing.T) {
	const P = 60
	dir := t.TempDir()
	var alerts []Alert
	cfg := Config{Dir: dir, Forecast: rrdParams(P), Alert: func(a Alert) { alerts = append(alerts, a) }, Builtins: true}
	out, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := 12 * P
	for i := 0; i < n/2; i++ {
		if err := out.Write(rrdMinute(i, tally.Value{Name: "hits", Value: rrdCount(i, P)})); err != nil {
			t.Fatal(err)
		}
	}
	path := out.Path("web app", "hits")
	if filepath.Base(filepath.Dir(path)) != "web_app" {
		t.Fatalf("path %s", path)
	}
	// Restart: a new output re-reads the detector from the file.
	before := out.Detector("web app", "hits")
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	out, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// summarize was down for 5 minutes: they become unknown.
	gapStart := n / 2
	for i := gapStart + 5; i < n; i++ {
		if err := out.Write(rrdMinute(i, tally.Value{Name: "hits", Value: rrdCount(i, P)})); err != nil {
			t.Fatal(err)
		}
		if i == gapStart+5 {
			// After the restart and the 5 unknown gap minutes, the detector
			// continues from the state it had before.
			if before == nil || before.Steps() == 0 {
				t.Fatal("no detector before restart")
			}
		}
	}
	st := out.Stats()
	if st.GapFills != 5*3 { // hits, _lines, _unknown
		t.Errorf("gap fills %d, want 15", st.GapFills)
	}
	// The in-process detector is bit-identical to the file.
	fileModel, last, err := holtwinters.FromRRDFile(path, "value")
	if err != nil {
		t.Fatal(err)
	}
	if !out.Detector("web app", "hits").SameState(fileModel) {
		t.Fatal("in-process detector differs from the RRD file")
	}
	if want := rrdT0.Add(time.Duration(n) * time.Minute).Unix(); last != want {
		t.Fatalf("last update %d, want %d", last, want)
	}
	// Stored values: counts, zero minutes as 0, the gap as unknown.
	for _, i := range []int{3, 5 + 97*2, gapStart + 2, n - 1} {
		end := rrdT0.Add(time.Duration(i+1) * time.Minute)
		got := fetchOne(t, path, "AVERAGE", end)
		want := float64(rrdCount(i, P))
		if i >= gapStart && i < gapStart+5 {
			want = math.NaN()
		}
		if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("minute %d: stored %v, want %v", i, got, want)
		}
	}
	// Alerts: the incident turns failure on, then off; the file agrees.
	var on, off int
	for _, a := range alerts {
		t.Logf("alert: %s", a)
		if a.Category != "web app" || a.Counter != "hits" {
			continue
		}
		f := fetchOne(t, path, "FAILURES", a.Minute.Add(time.Minute))
		if (f == 1) != a.On {
			t.Errorf("alert %v but FAILURES row is %v", a, f)
		}
		if a.On {
			on++
			if !(a.Observed > a.Upper || a.Observed < a.Lower) && !math.IsNaN(a.Upper) {
				t.Logf("note: failure turned on with an in-band observation (window)")
			}
		} else {
			off++
		}
	}
	if on == 0 || off == 0 {
		t.Errorf("want failure on and off alerts, got %d on, %d off", on, off)
	}
	if _, err := os.Stat(out.Path("web app", "_lines")); err != nil {
		t.Errorf("builtin series: %v", err)
	}
	js, _ := alerts[0].MarshalJSON()
	if !strings.Contains(string(js), `"type":"aberration"`) || !strings.Contains(alerts[0].String(), `category="web app"`) {
		t.Errorf("alert formats: %s / %s", js, alerts[0])
	}
}

func TestRRDBadInput(t *testing.T) {
	dir := t.TempDir()
	out, err := New(Config{Dir: dir, Forecast: rrdParams(60)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := out.Write(rrdMinute(i, tally.Value{Name: "hits", Value: 5})); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("clock backwards", func(t *testing.T) {
		for _, i := range []int{1, 2} {
			if err := out.Write(rrdMinute(i, tally.Value{Name: "hits", Value: 99})); err != nil {
				t.Fatal(err)
			}
		}
		if got := out.Stats().ClockBackwards; got != 2 {
			t.Fatalf("clock-backwards count %d, want 2", got)
		}
		if v := fetchOne(t, out.Path("web app", "hits"), "AVERAGE", rrdT0.Add(2*time.Minute)); v != 5 {
			t.Fatalf("value overwritten: %v", v)
		}
	})
	t.Run("layout mismatch", func(t *testing.T) {
		other, err := New(Config{Dir: dir, Forecast: rrdParams(120)})
		if err != nil {
			t.Fatal(err)
		}
		err = other.Write(rrdMinute(3, tally.Value{Name: "hits", Value: 1}, tally.Value{Name: "fresh", Value: 2}))
		if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), out.Path("web app", "hits")) || !strings.Contains(err.Error(), "rows") {
			t.Fatalf("want layout error naming the file and difference, got %v", err)
		}
		t.Log(err)
		if _, err := os.Stat(other.Path("web app", "fresh")); err != nil {
			t.Fatalf("other counters must continue: %v", err)
		}
		if other.Stats().LayoutErrors != 1 {
			t.Fatalf("layout errors %d", other.Stats().LayoutErrors)
		}
	})
	t.Run("name collision", func(t *testing.T) {
		err := out.Write(rrdMinute(4, tally.Value{Name: "a b", Value: 1}, tally.Value{Name: "a/b", Value: 2}))
		if err == nil || !strings.Contains(err.Error(), "both map to") {
			t.Fatalf("want collision error, got %v", err)
		}
	})
	t.Run("unwritable dir", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "plain")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Config{Dir: filepath.Join(file, "rrd")}); err == nil {
			t.Fatal("want error for unwritable directory")
		}
	})
}

// BenchmarkRRDWrite1000 updates 1,000 counters' RRD files (10 categories
// × 100 counters) per iteration, i.e. one minute of summarize.
func BenchmarkRRDWrite1000(b *testing.B) {
	dir := b.TempDir()
	out, err := New(Config{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	minute := func(i int) []tally.Summary {
		var s []tally.Summary
		for c := 0; c < 10; c++ {
			sum := tally.Summary{Category: fmt.Sprintf("cat%d", c), Minute: rrdT0.Add(time.Duration(i) * time.Minute)}
			for k := 0; k < 100; k++ {
				sum.Counters = append(sum.Counters, tally.Value{Name: fmt.Sprintf("counter%03d", k), Value: uint64(100 + (i*k)%37)})
			}
			s = append(s, sum)
		}
		return s
	}
	if err := out.Write(minute(0)); err != nil { // creates the files
		b.Fatal(err)
	}
	i := 1
	for b.Loop() {
		if err := out.Write(minute(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/minute")
}
