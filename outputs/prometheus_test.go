package outputs

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/logtally/logtally/internal/testenv"
	"github.com/logtally/logtally/tally"
)

// parseExposition parses a textfile with the Prometheus project's own
// parser, the one node_exporter's textfile collector uses.
func parseExposition(t *testing.T, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("expfmt rejects the file: %v\n%s", err, b)
	}
	return fams
}

// sampleValue returns the value of family name's sample whose labels
// include want (name, value pairs).
func sampleValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				continue next
			}
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		}
		t.Fatalf("%s: unexpected type %v", name, f.GetType())
	}
	t.Fatalf("%s has no sample %v", name, want)
	return 0
}

// promMinute is a summary of category at minute m with the given counts.
func promMinute(category string, m time.Time, partial bool, lines, http uint64) tally.Summary {
	return tally.Summary{Category: category, Minute: m, Partial: partial, Lines: lines, Matched: http,
		Counters: []tally.Value{{Name: "http_connections", Value: http}}}
}

// The counters count every minute once: a SIGUSR1 snapshot (partial) and
// the whole minute after it add up to the whole minute, not to both.
func TestPrometheusCountersCountEachMinuteOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logtally.prom")
	p, err := NewPrometheus(PrometheusConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		minute     []tally.Summary
		lines, web float64 // asa's totals after the step
	}{
		{[]tally.Summary{promMinute("asa", m0, false, 100, 40)}, 100, 40},
		{[]tally.Summary{promMinute("asa", m0.Add(time.Minute), true, 10, 4)}, 110, 44},  // SIGUSR1 snapshot
		{[]tally.Summary{promMinute("asa", m0.Add(time.Minute), false, 30, 9)}, 130, 49}, // the same minute, whole
		{[]tally.Summary{promMinute("asa", m0.Add(2*time.Minute), false, 0, 0), promMinute("web", m0.Add(2*time.Minute), false, 7, 7)}, 130, 49},
		{[]tally.Summary{promMinute("asa", m0.Add(3*time.Minute), true, 5, 1)}, 135, 50}, // EOF: partial, final
	}
	for i, st := range steps {
		if err := p.Write(st.minute); err != nil {
			t.Fatal(err)
		}
		fams := parseExposition(t, readFile(t, path))
		lines := sampleValue(t, fams, "logtally_lines_total", "category", "asa")
		web := sampleValue(t, fams, "logtally_events_total", "category", "asa", "name", "http_connections")
		if lines != st.lines || web != st.web {
			t.Errorf("step %d: lines_total %v events_total %v, want %v %v", i, lines, web, st.lines, st.web)
		}
		if got, want := sampleValue(t, fams, "logtally_lines", "category", "asa"), float64(st.minute[0].Lines); got != want {
			t.Errorf("step %d: gauge logtally_lines %v, want the minute's %v", i, got, want)
		}
		if i >= 3 && sampleValue(t, fams, "logtally_lines_total", "category", "web") != 7 {
			t.Errorf("step %d: web's lines_total is not 7", i)
		}
	}
}

// promtool (Debian's prometheus package) lints the file as Prometheus
// users would: names, types, suffixes, HELP. It must report nothing.
func TestPrometheusPromtoolClean(t *testing.T) {
	promtool := testenv.RequireBinary(t, "promtool")
	path := filepath.Join(t.TempDir(), "logtally.prom")
	p, err := NewPrometheus(PrometheusConfig{Path: path, TopItems: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range [][]tally.Summary{fixture(), fixture()} {
		if err := p.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	b := readFile(t, path)
	fams := parseExposition(t, b)
	for name, f := range fams {
		if strings.HasSuffix(name, "_total") != (f.GetType() == dto.MetricType_COUNTER) {
			t.Errorf("%s is a %v", name, f.GetType())
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
