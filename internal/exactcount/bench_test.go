package exactcount

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

func benchInput(b *testing.B, lines int) []byte {
	var buf bytes.Buffer
	if err := corpus.Generate(&buf, corpus.Config{Lines: lines, Templates: 1000, Seed: 1, Nasty: true}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkArticleFast is the whole --masks article fast path (count,
// rank, format) on 45 % distinct lines, the hardest case for `make bench`:
// a mapped file, as aireport reads one. (aireport's BenchmarkArticleFast
// measures the same through aireport's Collect and WriteUniq.)
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
		c := New(Config{Cut: true, MaxLine: 16 << 20, LongLine: 64 << 10})
		countFile(b, c, "", path)
		if err := c.Rank().Write(io.Discard, appendUniq); err != nil {
			b.Fatal(err)
		}
	}
}
