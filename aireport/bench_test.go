package aireport

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/logtally/logtally/aireport/corpus"
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
