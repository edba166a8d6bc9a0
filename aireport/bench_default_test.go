package aireport_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/aireport/rulefile"
	"github.com/logtally/logtally/internal/aireport/corpus"
)

// BenchmarkTemplatesDefault is what `aireport -f json FILE` does with
// default flags on the 1M-line mixed input of scripts/bench-templates.sh,
// on a fifth of it: syslog header parsed (header auto), built-in masks,
// Drain per program, times tracked, JSON report. The in-process half of
// the template-mode throughput measure (the script times the binaries).
func BenchmarkTemplatesDefault(b *testing.B) {
	var buf bytes.Buffer
	if err := corpus.Generate(&buf, corpus.Config{Lines: 200000, Templates: 1000, Seed: 1, Values: 100, Nasty: true}); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		agg := aireport.NewAggregator(aireport.Options{
			Header: aireport.HeaderAuto, Grouping: aireport.GroupTemplates,
			Masker:     aireport.Masker{Builtin: true},
			Classifier: rulefile.New(nil, func() time.Time { return now }, time.UTC),
			TrackTimes: true,
		})
		var ctr aireport.Counters
		aireport.Collect(context.Background(), []aireport.Source{{Name: "-", Stdin: bytes.NewReader(in)}}, agg, &ctr, 0)
		if err := aireport.WriteJSON(io.Discard, agg.Build(nil, false, now)); err != nil {
			b.Fatal(err)
		}
	}
}
