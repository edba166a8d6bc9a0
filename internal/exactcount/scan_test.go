package exactcount

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests of this package count with a Counter directly, as aireport
// does: blocks of whole lines (Count) or a mapped file (CountFile), then
// the ranking written as `uniq -c` lines. aireport's TestShardedCounts and
// TestArticleMatchesShellPipeline check the same through aireport's
// reader and against the real shell pipeline.

// appendUniq formats a ranking line like `uniq -c` ("%7d %s\n"), the
// usual counts as one 8-byte field, as aireport does.
func appendUniq(b []byte, n int64, key []byte) []byte {
	if n >= 0 && n < 1e7 {
		f := [8]byte{' ', ' ', ' ', ' ', ' ', ' ', '0', ' '}
		for i := 6; n > 0; i-- {
			f[i] = byte('0' + n%10)
			n /= 10
		}
		b = append(b, f[:]...)
	} else {
		b = fmt.Appendf(b, "%7d ", n)
	}
	return append(append(b, key...), '\n')
}

// countBlocks counts in with Count, in blocks of about size bytes of
// whole lines, a final line without '\n' given one (as aireport's reader
// delivers them).
func countBlocks(c *Counter, section string, in []byte, size int) Stats {
	st, err := c.Count(section, func(get func() []byte, put func([]byte)) error {
		for len(in) > 0 {
			end := min(size, len(in))
			if k := bytes.IndexByte(in[end-1:], '\n'); k >= 0 {
				end += k
			} else {
				end = len(in)
			}
			b := append(get()[:0], in[:end]...)
			if b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			put(b)
			in = in[end:]
		}
		return nil
	})
	if err != nil {
		panic(err) // the reader above never fails
	}
	return st
}

// countFile counts the file at path with CountFile; an empty file is not
// mapped and counts nothing.
func countFile(t testing.TB, c *Counter, section, path string) Stats {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, mapped, err := c.CountFile(context.Background(), section, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := f.Stat(); mapped != (fi.Size() > 0) {
		t.Fatalf("%s (%d bytes): mapped %v", path, fi.Size(), mapped)
	}
	return st
}

// TestScanEdges checks the fused line and mask scan of the fast path on
// lines made of the bytes the masks look at, short lines, a last line
// without '\n', through a mapped file and a stream, against MaskArticle;
// with the SIMD marks and the portable ones.
func TestScanEdges(t *testing.T) {
	scanEdges(t)
	withoutAVX2(func() { scanEdges(t) })
}

func scanEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "port id=[]0123456789 xp\n"
	for range 40 {
		var in []byte
		for range r.IntN(3000) {
			in = append(in, alpha[r.IntN(len(alpha))])
			if r.IntN(40) == 0 {
				in = append(in, []string{"port 12 ", "pid=7", "[33]", "port  ", "[]", "pid=", "port 1", "[4"}[r.IntN(8)]...)
			}
		}
		checkScan(t, in)
	}
}

// FuzzArticleScan checks the fast path's scan against MaskArticle on any
// input, as TestScanEdges does on random ones.
func FuzzArticleScan(f *testing.F) {
	f.Add([]byte("Nov 22 00:00:00 host0 sshd[18206]: reset pid=13882 port 22 x\nshort\n\nport 1 [2] pid=3"))
	f.Add([]byte("Nov 22 00:00:00 host0 app[" + strings.Repeat("7", 150) + "]: pid=" + strings.Repeat("3", 70) + " port " + strings.Repeat("5", 90) + " x\n"))
	f.Fuzz(func(t *testing.T, in []byte) { checkScan(t, in) })
}

// checkScan counts in with the fast path, as a mapped file and as a
// stream, with and without cutting headers, with marks filled 8 KiB and
// 64 bytes at a time, with aireport's line limits and with small ones
// (lines cut at 50 bytes, long above 30), and compares the counts with
// those of MaskArticle line by line.
func checkScan(t *testing.T, in []byte) {
	t.Helper()
	checkScanSegment(t, in)
	defer func(n int) { markSegment = n }(markSegment)
	markSegment = 1
	checkScanSegment(t, in)
}

func checkScanSegment(t *testing.T, in []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.log")
	if err := os.WriteFile(path, in, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lim := range []struct{ maxLine, longLine int }{{16 << 20, 64 << 10}, {50, 30}} {
		for _, cut := range []bool{true, false} {
			want := map[string]int64{}
			var lines, long int64
			for l := range bytes.SplitSeq(in, []byte{'\n'}) {
				lines++
				if len(l) > lim.maxLine {
					l = l[:lim.maxLine]
				}
				if len(l) > lim.longLine {
					long++
				}
				if cut {
					if len(l) <= 16 {
						l = l[:0]
					} else {
						l = l[16:]
					}
				}
				key, _ := MaskArticle(nil, l)
				want[string(key)]++
			}
			if len(in) == 0 || in[len(in)-1] == '\n' {
				lines--
				k := ""
				if want[k]--; want[k] == 0 {
					delete(want, k)
				}
			}
			for _, file := range []bool{true, false} {
				c := New(Config{Cut: cut, MaxLine: lim.maxLine, LongLine: lim.longLine})
				var st Stats
				if file {
					st = countFile(t, c, "", path)
				} else {
					st = countBlocks(c, "", in, 1+len(in)/3)
				}
				if st != (Stats{Lines: lines, Long: long}) {
					t.Fatalf("cut %v file %v limits %v: %+v, want %d lines, %d long", cut, file, lim, st, lines, long)
				}
				var out bytes.Buffer
				if err := c.Rank().Write(&out, appendUniq); err != nil {
					t.Fatal(err)
				}
				got := map[string]int64{}
				for l := range bytes.SplitSeq(bytes.TrimSuffix(out.Bytes(), []byte{'\n'}), []byte{'\n'}) {
					if len(l) == 0 {
						continue
					}
					var n int64
					f := bytes.TrimLeft(l, " ")
					sp := bytes.IndexByte(f, ' ')
					fmt.Sscan(string(f[:sp]), &n)
					got[string(f[sp+1:])] += n
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("cut %v file %v limits %v: got %v\nwant %v\nin %q", cut, file, lim, got, want, in)
				}
			}
		}
	}
}
