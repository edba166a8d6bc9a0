package exactcount

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestMarks checks the stops of markBlocks (AVX2 where the CPU has it)
// and of the portable markBlocksSWAR against markWord, byte by byte, and
// that marks.next visits them in order across segments.
func TestMarks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const alpha = "poi[\n]x1 "
	for round := range 200 {
		b := make([]byte, r.IntN(3*markSegment*64))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		b = append(b, '\n')
		blocks := (len(b) - 1) >> 6
		fast, swar := make([]uint64, blocks), make([]uint64, blocks)
		if blocks > 0 {
			markBlocks(fast, b[:blocks<<6+1])
			markBlocksSWAR(swar, b[:blocks<<6+1])
		}
		for w := range blocks {
			want := markWord(b, w)
			if hasAVX2 && fast[w] != want {
				t.Fatalf("round %d word %d: markBlocks %064b, want %064b", round, w, fast[w], want)
			}
			if swar[w]&want != want {
				t.Fatalf("round %d word %d: markBlocksSWAR %064b misses stops of %064b", round, w, swar[w], want)
			}
		}
		var mk marks
		mk.reset(b)
		var got []int
		for i := mk.next(0); ; i = mk.next(i + 1) {
			got = append(got, i)
			if i == len(b)-1 {
				break
			}
		}
		var want []int
		for i := range b {
			if markWord(b, i>>6)>>(i&63)&1 == 1 {
				want = append(want, i)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: next visits %d stops, want %d", round, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("round %d: stop %d at %d, want %d", round, k, got[k], want[k])
			}
		}
	}
}

// withoutAVX2 runs f with the portable marks.
func withoutAVX2(f func()) {
	defer func(v bool) { hasAVX2 = v }(hasAVX2)
	hasAVX2 = false
	f()
}

func BenchmarkMarks(b *testing.B) {
	in := benchInput(b, 20000)
	dst := make([]uint64, (len(in)-1)>>6)
	in = in[:len(dst)<<6+1]
	b.SetBytes(int64(len(in)))
	b.Run("best", func(b *testing.B) {
		for b.Loop() {
			markBlocks(dst, in)
		}
	})
	b.Run("swar", func(b *testing.B) {
		for b.Loop() {
			markBlocksSWAR(dst, in)
		}
	})
}

// TestScanLongDigits: a digit run (skipped by the masks without looking
// at the marks) that ends past the marked part of a block.
func TestScanLongDigits(t *testing.T) {
	var in []byte
	for _, n := range []int{100, 9000, 20000, 70000} {
		in = append(in, "Nov 22 00:00:00 host app["...)
		in = append(in, bytes.Repeat([]byte{'7'}, n)...)
		in = append(in, "] pid="...)
		in = append(in, bytes.Repeat([]byte{'3'}, n)...)
		in = append(in, " port "...)
		in = append(in, bytes.Repeat([]byte{'5'}, n)...)
		in = append(in, " done\n"...)
	}
	checkScan(t, in)
	withoutAVX2(func() { checkScan(t, in) })
}
