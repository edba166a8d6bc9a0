package aireport

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

func benchInput(b *testing.B, lines int) []byte {
	var buf bytes.Buffer
	if err := corpus.Generate(&buf, corpus.Config{Lines: lines, Templates: 1000, Seed: 1, Nasty: true}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func runReport(b *testing.B, in []byte, opt Options) {
	agg := NewAggregator(opt)
	var ctr Counters
	Collect(context.Background(), []Source{{Name: "-", Stdin: bytes.NewReader(in)}}, agg, &ctr, 0)
	r := agg.Build(nil, false, time.Unix(0, 0))
	if err := WriteUniq(io.Discard, r); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkArticle(b *testing.B) {
	in := benchInput(b, 200000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		runReport(b, in, Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}})
	}
}

func BenchmarkTemplates(b *testing.B) {
	in := benchInput(b, 200000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		runReport(b, in, Options{Header: HeaderNone, Grouping: GroupTemplates, Masker: Masker{Builtin: true}})
	}
}

// BenchmarkArticleFast is the whole --masks article fast path (count,
// rank, format) on 45 % distinct lines, the hardest case for `make bench`:
// a mapped file, as aireport reads one.
func BenchmarkArticleFast(b *testing.B) {
	var buf bytes.Buffer
	if err := corpus.Generate(&buf, corpus.Config{Lines: 300000, Templates: 1000, Seed: 1, Values: 100}); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "in.log")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		agg := NewAggregator(Options{Header: HeaderCut, Grouping: GroupExact, Masker: Masker{Article: true}, SkipOddities: true})
		var ctr Counters
		if _, errs := Collect(context.Background(), []Source{{Name: path}}, agg, &ctr, 0); len(errs) > 0 {
			b.Fatal(errs)
		}
		if err := agg.WriteUniq(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
