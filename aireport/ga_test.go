package aireport_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/aireport/drain"
	"github.com/logtally/logtally/aireport/rulefile"
	"github.com/logtally/logtally/internal/aireport/corpus"
)

var update = flag.Bool("update", false, "regenerate testdata/aireport-ga/labelled.tsv and heldout.tsv")

const (
	gaFile      = "testdata/aireport-ga/labelled.tsv"
	gaHeldOut   = "testdata/aireport-ga/heldout.tsv"
	gaHeldLines = 3000
	gaHeldSeed  = 11
)

// gaMin is the grouping accuracy the default configuration must keep on
// the labelled (tuning) set (docs/aireport.md reports the measured value).
const gaMin = 0.92

// gaHeldOutMin is the floor on the held-out set. It was set after the
// first measurement (0.7343), at that minus 0.03 rounded down, and raised
// the same way after the Loghub work (0.8220). The masks and the Drain
// parameters were not tuned on this set (and must not be: it is there to
// give an honest number); one rule was added after looking at it (quoted
// tokens never split a cluster, see docs/aireport.md).
const gaHeldOutMin = 0.79

type labelledLine struct{ label, line string }

func loadLabelled(t testing.TB) []labelledLine {
	return loadSet(t, gaFile, func(buf *bytes.Buffer) error { return corpus.WriteLabelled(buf, 4000, 7) })
}

func loadHeldOut(t testing.TB) []labelledLine {
	return loadSet(t, gaHeldOut, func(buf *bytes.Buffer) error { return corpus.WriteHeldOut(buf, gaHeldLines, gaHeldSeed) })
}

// loadSet reads a labelled file, first regenerating it with gen under
// -update.
func loadSet(t testing.TB, file string, gen func(*bytes.Buffer) error) []labelledLine {
	if *update {
		var buf bytes.Buffer
		if err := gen(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGroupingAccuracy ./aireport -update)", err)
	}
	defer f.Close()
	var out []labelledLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		label, line, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		out = append(out, labelledLine{label, line})
	}
	return out
}

// groupingAccuracy is GA as defined by Zhu et al. ("Tools and Benchmarks
// for Automated Log Parsing", ICSE-SEIP 2019): a line counts as correct
// when the set of lines in its predicted group equals the set of lines of
// its true event.
func groupingAccuracy(pred, truth []string) (float64, map[string]int) {
	predSize, trueSize, pairSize := map[string]int{}, map[string]int{}, map[[2]string]int{}
	for i := range pred {
		predSize[pred[i]]++
		trueSize[truth[i]]++
		pairSize[[2]string{pred[i], truth[i]}]++
	}
	correct := 0
	wrong := map[string]int{}
	for i := range pred {
		n := pairSize[[2]string{pred[i], truth[i]}]
		if n == predSize[pred[i]] && n == trueSize[truth[i]] {
			correct++
		} else {
			wrong[truth[i]]++
		}
	}
	return float64(correct) / float64(len(pred)), wrong
}

func predict(t testing.TB, lines []labelledLine, opt aireport.Options) []string {
	opt.Classifier = rulefile.New(nil, func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }, time.UTC)
	agg := aireport.NewAggregator(opt)
	src := &aireport.Source{Name: "labelled"}
	refs := make([]aireport.GroupRef, len(lines))
	for i, l := range lines {
		refs[i] = agg.Add(src, []byte(l.line))
	}
	keys := make([]string, len(lines))
	for i, r := range refs {
		keys[i] = r.Key()
	}
	return keys
}

// TestGroupingAccuracy prints the grouping accuracy of the default
// configuration (built-in masks + Drain) and of the alternatives on the
// tuning set (labelled.tsv, on which the masks and the Drain parameters
// were chosen) and on the held-out set (heldout.tsv, other daemons, not
// tuned on), and fails when the default drops below gaMin or gaHeldOutMin.
//
//	go test -count=1 -run TestGroupingAccuracy -v ./aireport
func TestGroupingAccuracy(t *testing.T) {
	sets := []struct {
		name   string
		file   string
		lines  []labelledLine
		events int
		min    float64
	}{
		{"tuning set", gaFile, loadLabelled(t), corpus.LabelledTemplates(), gaMin},
		{"held-out set", gaHeldOut, loadHeldOut(t), corpus.HeldOutTemplates(), gaHeldOutMin},
	}
	configs := []struct {
		name string
		opt  aireport.Options
	}{
		{"builtin masks + Drain (default)", aireport.Options{Masker: aireport.Masker{Builtin: true}, Drain: drain.Default}},
		{"builtin masks, exact grouping", aireport.Options{Masker: aireport.Masker{Builtin: true}, Grouping: aireport.GroupExact}},
		{"article masks, exact grouping", aireport.Options{Masker: aireport.Masker{Article: true}, Grouping: aireport.GroupExact}},
		{"no masks + Drain", aireport.Options{Drain: drain.Default}},
	}
	var report strings.Builder
	for _, set := range sets {
		truth := make([]string, len(set.lines))
		for i, l := range set.lines {
			truth[i] = l.label
		}
		fmt.Fprintf(&report, "grouping accuracy on the %s, %s (%d lines, %d events):\n", set.name, filepath.Base(set.file), len(set.lines), set.events)
		var def float64
		for i, c := range configs {
			pred := predict(t, set.lines, c.opt)
			ga, wrong := groupingAccuracy(pred, truth)
			groups := map[string]bool{}
			for _, p := range pred {
				groups[p] = true
			}
			fmt.Fprintf(&report, "  GA %.4f  %5d groups  %s\n", ga, len(groups), c.name)
			if i == 0 {
				def = ga
				labels := make([]string, 0, len(wrong))
				for label := range wrong {
					labels = append(labels, label)
				}
				sort.Strings(labels)
				for _, label := range labels {
					t.Logf("%s, default config: %d lines of event %s grouped wrong", set.name, wrong[label], label)
				}
			}
		}
		fmt.Fprintf(&report, "  similarity threshold sweep (builtin masks, depth %d):", drain.Default.Depth)
		for _, st := range []float64{0.4, 0.5, 0.6, 0.7, 0.8} {
			cfg := drain.Default
			cfg.SimThreshold = st
			ga, _ := groupingAccuracy(predict(t, set.lines, aireport.Options{Masker: aireport.Masker{Builtin: true}, Drain: cfg}), truth)
			fmt.Fprintf(&report, " %.1f→%.4f", st, ga)
		}
		report.WriteString("\n")
		if def < set.min {
			t.Errorf("grouping accuracy on the %s %.4f < %.2f", set.name, def, set.min)
		}
	}
	t.Log("\n" + report.String())
}
