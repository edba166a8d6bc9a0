package outputs

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/logtally/logtally/internal/testfs"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func decompress(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader
	if strings.HasSuffix(path, ".gz") {
		gr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gr
	} else {
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return string(b)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestSpoolRotateByAge(t *testing.T) {
	for _, tt := range []struct{ comp, ext string }{{"", ".log.zst"}, {"zstd", ".log.zst"}, {"gzip", ".log.gz"}} {
		t.Run(tt.comp, func(t *testing.T) {
			dir := t.TempDir()
			clk := &fakeClock{time.Date(2026, 11, 22, 10, 1, 30, 0, time.UTC)}
			s, err := NewSpool(SpoolConfig{Dir: dir, Compression: tt.comp, Now: clk.now, PID: 77})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range []string{"one", "two", ""} {
				if err := s.Write("asa", []byte(l)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Write("sshd", []byte("x")); err != nil {
				t.Fatal(err)
			}
			name := "unknown-20261122T100130Z-77" + tt.ext
			inProgress := "unknown-20261122T100130Z-77.log.tmp"
			if got := listDir(t, filepath.Join(dir, "asa")); !slices.Equal(got, []string{inProgress}) {
				t.Fatalf("while open: %v", got)
			}
			if err := s.Rotate(clk.t.Add(59 * time.Minute)); err != nil { // too young
				t.Fatal(err)
			}
			if got := listDir(t, filepath.Join(dir, "asa")); !slices.Equal(got, []string{inProgress}) {
				t.Fatalf("rotated too early: %v", got)
			}
			if err := s.Rotate(clk.t.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, filepath.Join(dir, "asa")); !slices.Equal(got, []string{name}) {
				t.Fatalf("after rotation: %v", got)
			}
			if got := decompress(t, filepath.Join(dir, "asa", name)); got != "one\ntwo\n\n" {
				t.Errorf("asa content %q", got)
			}
			if got := decompress(t, filepath.Join(dir, "sshd", name)); got != "x\n" {
				t.Errorf("sshd content %q", got)
			}

			// Same second again: a new name, never overwriting a complete file.
			if err := s.Write("asa", []byte("three")); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			name2 := "unknown-20261122T100130Z-77-2" + tt.ext
			if got := listDir(t, filepath.Join(dir, "asa")); !slices.Equal(got, []string{name2, name}) {
				t.Fatalf("after close: %v", got)
			}
			if got := decompress(t, filepath.Join(dir, "asa", name2)); got != "three\n" {
				t.Errorf("second file %q", got)
			}
			if s.Written() != 5 || s.Errors() != 0 {
				t.Errorf("written %d errors %d", s.Written(), s.Errors())
			}
			if err := s.Write("asa", []byte("late")); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Close: %v", err)
			}
		})
	}
}

func TestSpoolRotateBySize(t *testing.T) {
	dir := t.TempDir()
	clk := &fakeClock{time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)}
	s, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 1, MaxSize: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write("c", []byte("small")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rotate(clk.t); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, filepath.Join(dir, "c")); len(got) != 1 || !strings.HasSuffix(got[0], ".tmp") {
		t.Fatalf("small file rotated: %v", got)
	}
	// Enough lines to pass MaxSize (uncompressed).
	var want bytes.Buffer
	seed := uint64(1)
	for range 20000 {
		line := make([]byte, 40)
		for i := range line {
			seed = seed*6364136223846793005 + 1442695040888963407
			line[i] = 'a' + byte(seed>>59)
		}
		want.Write(line)
		want.WriteByte('\n')
		if err := s.Write("c", line); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Rotate(clk.t); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, filepath.Join(dir, "c"))
	if len(got) != 1 || strings.HasSuffix(got[0], ".tmp") {
		t.Fatalf("large file not rotated: %v", got)
	}
	if content := decompress(t, filepath.Join(dir, "c", got[0])); content != "small\n"+want.String() {
		t.Errorf("content differs (%d bytes, want %d)", len(content), 6+want.Len())
	}
}

func TestSpoolFailingCategory(t *testing.T) {
	dir := t.TempDir()
	// "bad" is a regular file where its directory should be: fails even for root.
	if err := os.WriteFile(filepath.Join(dir, "bad"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)}
	s, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write("bad", []byte("x"))
	if want := "outputs: spool: create " + filepath.Join(dir, "bad") + ": not a directory"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if err2 := s.Write("bad", []byte("y")); err2 != err {
		t.Errorf("second failure not the cached error: %v", err2)
	}
	if err := s.Write("good", []byte("ok")); err != nil {
		t.Fatalf("other category failed: %v", err)
	}
	if s.Errors() != 2 || s.Written() != 1 {
		t.Errorf("errors %d written %d", s.Errors(), s.Written())
	}
	// Still failing until the next rotation, even once fixed.
	if err := os.Remove(filepath.Join(dir, "bad")); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("bad", []byte("z")); err == nil {
		t.Error("retried before Rotate")
	}
	if err := s.Rotate(clk.t); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("bad", []byte("after")); err != nil {
		t.Fatalf("not retried after Rotate: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, filepath.Join(dir, "bad"))
	if len(got) != 1 || decompress(t, filepath.Join(dir, "bad", got[0])) != "after\n" {
		t.Errorf("bad dir after recovery: %v", got)
	}
}

func TestSpoolUnwritableDir(t *testing.T) {
	dir := notDir(t)
	s, err := NewSpool(SpoolConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write("asa", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "outputs: spool: create "+filepath.Join(dir, "asa")+": not a directory") {
		t.Errorf("err = %v", err)
	}
	for _, c := range []string{"", ".", "..", "a/b"} {
		if err := s.Write(c, []byte("x")); err == nil {
			t.Errorf("category %q accepted", c)
		}
	}
}

func TestSpoolConfigErrors(t *testing.T) {
	if _, err := NewSpool(SpoolConfig{}); err == nil {
		t.Error("no Dir accepted")
	}
	if _, err := NewSpool(SpoolConfig{Dir: "x", Compression: "lz4"}); err == nil {
		t.Error("lz4 accepted")
	}
}

func BenchmarkSpoolWrite(b *testing.B) {
	s, err := NewSpool(SpoolConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	line := []byte("2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: disk \"sda\" at 91% full")
	b.SetBytes(int64(len(line) + 1))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Write("asa", line); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSpoolRecover: what Flush wrote survives the death of the process and
// is completed by the next start; what was only buffered is lost; a torn
// last line is dropped and counted; a live process's file is left alone.
func TestSpoolRecover(t *testing.T) {
	dir := t.TempDir()
	clk := &fakeClock{time.Date(2026, 11, 22, 10, 1, 30, 0, time.UTC)}
	dead, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"one", "two"} {
		if err := dead.Write("asa", []byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if lost, err := dead.Flush(); lost != 0 || err != nil {
		t.Fatalf("flush: %d lost, %v", lost, err)
	}
	if err := dead.Write("asa", []byte("buffered, never flushed")); err != nil {
		t.Fatal(err)
	}
	// A write torn by the kill (a power cut, really: write(2) of a regular
	// file is not cut short by SIGKILL): half a line at the end.
	inProgress := filepath.Join(dir, "asa", "unknown-20261122T100130Z-11.log.tmp")
	f, err := os.OpenFile(inProgress, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("thr")
	f.Close()

	live, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 12})
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Write("asa", []byte("live")); err != nil {
		t.Fatal(err)
	}
	live.Flush()

	next, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 13})
	if err != nil {
		t.Fatal(err)
	}
	// While the first process lives, its file is its own.
	if st, err := next.Recover(); err != nil || st.Files != 0 {
		t.Fatalf("recovered a live file: %+v, %v", st, err)
	}
	dead.Abandon()
	st, err := next.Recover()
	if err != nil {
		t.Fatal(err)
	}
	if st != (RecoverStats{Files: 1, Lines: 2, TornBytes: 3}) {
		t.Errorf("stats %+v", st)
	}
	got := listDir(t, filepath.Join(dir, "asa"))
	want := []string{"unknown-20261122T100130Z-11.log.zst", "unknown-20261122T100130Z-12.log.tmp"}
	if !slices.Equal(got, want) {
		t.Fatalf("after recovery: %v, want %v", got, want)
	}
	if c := decompress(t, filepath.Join(dir, "asa", want[0])); c != "one\ntwo\n" {
		t.Errorf("recovered %q", c)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	// A kill between the rename of the compressed file and the removal of
	// the in-progress one: the complete file stands, the other goes.
	os.WriteFile(inProgress, []byte("one\ntwo\n"), 0o640)
	if st, err := next.Recover(); err != nil || st.Files != 0 {
		t.Fatalf("second recovery: %+v, %v", st, err)
	}
	if _, err := os.Stat(inProgress); !os.IsNotExist(err) {
		t.Errorf("in-progress file beside its complete one not removed: %v", err)
	}
}

// TestSpoolWriteFailure: a failed write (a full disk) loses and counts the
// buffered lines and leaves no empty file behind; the retry after Rotate
// works.
func TestSpoolWriteFailure(t *testing.T) {
	dir := t.TempDir()
	clk := &fakeClock{time.Date(2026, 11, 22, 10, 1, 30, 0, time.UTC)}
	s, err := NewSpool(SpoolConfig{Dir: dir, Now: clk.now, PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 3 {
		if err := s.Write("c", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	// The file becomes /dev/full.
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	sf := s.cats["c"]
	path := sf.path
	sf.f.Close()
	sf.f = full
	lost, err := s.Flush()
	if lost != 3 || err == nil {
		t.Fatalf("flush to a full disk: %d lost, %v", lost, err)
	}
	if s.Errors() != 3 || s.Written() != 0 {
		t.Errorf("errors %d, written %d", s.Errors(), s.Written())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("empty in-progress file left behind: %v", err)
	}
	if err := s.Rotate(clk.t); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("c", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestSpoolRecoverOldFormat: compressed in-progress files left by earlier
// versions (compressed while written, often empty after a kill) are
// completed with the lines that decode, or removed when empty.
func TestSpoolRecoverOldFormat(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "asa")
	if err := os.MkdirAll(cat, 0o750); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	enc.Write([]byte("one\ntwo\nthr"))
	enc.Flush() // a block on disk, the frame never closed: the process died
	os.WriteFile(filepath.Join(cat, "unknown-20261122T100130Z-9.log.zst.tmp"), buf.Bytes(), 0o640)
	os.WriteFile(filepath.Join(cat, "unknown-20261122T100130Z-8.log.zst.tmp"), nil, 0o640)
	s, err := NewSpool(SpoolConfig{Dir: dir, PID: 10})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Recover()
	if err != nil {
		t.Fatal(err)
	}
	if st != (RecoverStats{Files: 1, Lines: 2, TornBytes: 3}) {
		t.Errorf("stats %+v", st)
	}
	if got := listDir(t, cat); !slices.Equal(got, []string{"unknown-20261122T100130Z-9.log.zst"}) {
		t.Fatalf("after recovery: %v", got)
	}
	if c := decompress(t, filepath.Join(cat, "unknown-20261122T100130Z-9.log.zst")); c != "one\ntwo\n" {
		t.Errorf("recovered %q", c)
	}
}

// A full disk: every retry of a category's spool file failed and left an
// empty .tmp behind (34 in two minutes). Now a failed file that holds no
// byte is removed, and the spool completes files again once space is back.
func TestSpoolDiskFull(t *testing.T) {
	disk := testfs.Mount(t, "256k")
	clock := &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	s, err := NewSpool(SpoolConfig{Dir: disk.Dir, Compression: "gzip", Now: clock.now, PID: 7})
	if err != nil {
		t.Fatal(err)
	}
	// Lines that do not compress: a retry needs more than the buffers.
	rng := rand.New(rand.NewPCG(1, 2))
	line := func(int) []byte {
		b := make([]byte, 600)
		for j := range b {
			b[j] = "0123456789abcdef"[rng.IntN(16)]
		}
		return append([]byte("unknown line "), b...)
	}
	if err := s.Write("app", line(0)); err != nil {
		t.Fatal(err)
	}
	disk.Fill(t)
	for retry := 0; retry < 10; retry++ {
		clock.t = clock.t.Add(time.Second)
		for i := 0; i < 400 && s.Write("app", line(i)) == nil; i++ {
		}
		if err := s.Rotate(clock.t); err != nil {
			t.Logf("rotate: %v", err)
		}
	}
	if s.Errors() == 0 {
		t.Fatal("no write failed on a full disk: the test tested nothing")
	}
	var tmps []string
	for _, n := range listDir(t, filepath.Join(disk.Dir, "app")) {
		if strings.HasSuffix(n, ".tmp") {
			st, err := os.Stat(filepath.Join(disk.Dir, "app", n))
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() == 0 {
				tmps = append(tmps, n)
			}
		}
	}
	if len(tmps) > 1 {
		t.Errorf("%d empty .tmp files after 10 retries on a full disk, want at most the open one: %v", len(tmps), tmps)
	}

	disk.Free(t)
	clock.t = clock.t.Add(time.Second)
	if err := s.Rotate(clock.t); err != nil {
		t.Logf("rotate: %v", err)
	}
	if err := s.Write("app", []byte("after the disk was freed")); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range listDir(t, filepath.Join(disk.Dir, "app")) {
		if strings.HasSuffix(n, ".log.gz") && strings.Contains(decompress(t, filepath.Join(disk.Dir, "app", n)), "after the disk was freed\n") {
			found = true
		}
	}
	if !found {
		t.Errorf("no completed spool file holds the line written after space came back: %v", listDir(t, filepath.Join(disk.Dir, "app")))
	}
}
