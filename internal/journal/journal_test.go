package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type rec struct {
	tag  uint64
	data string
}

func replayAll(t *testing.T, j *Journal, from Position) ([]rec, Stats) {
	t.Helper()
	var got []rec
	st, err := j.Replay(from, func(tag uint64, data []byte) error {
		got = append(got, rec{tag, string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st
}

func appendAll(t *testing.T, j *Journal, recs ...rec) {
	t.Helper()
	for _, r := range recs {
		if err := j.Append(r.tag, []byte(r.data)); err != nil {
			t.Fatal(err)
		}
	}
}

func equal(a, b []rec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A second process (a second Open) finds what the first appended, from the
// position its checkpoint recorded, across rotations.
func TestReplayFromPosition(t *testing.T) {
	base := filepath.Join(t.TempDir(), "journal")
	j, err := Open(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, j, rec{1, "a\n"}, rec{2, "b\n"})
	mid := j.Position()
	appendAll(t, j, rec{3, "c\n"})
	rot := j.Rotate()
	appendAll(t, j, rec{4, ""}, rec{5, "e\n"})
	// The process dies: no Close.

	k, err := Open(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		from Position
		want []rec
	}{
		{"start", Position{}, []rec{{1, "a\n"}, {2, "b\n"}, {3, "c\n"}, {4, ""}, {5, "e\n"}}},
		{"middle of a generation", mid, []rec{{3, "c\n"}, {4, ""}, {5, "e\n"}}},
		{"rotation", rot, []rec{{4, ""}, {5, "e\n"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, st := replayAll(t, k, tc.from)
			if !equal(got, tc.want) {
				t.Errorf("replay from %+v = %v, want %v", tc.from, got, tc.want)
			}
			if st.Records != int64(len(tc.want)) || st.Torn != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
	// Reset empties it; the next generation is new.
	if err := k.Reset(); err != nil {
		t.Fatal(err)
	}
	if got, _ := replayAll(t, k, Position{}); len(got) != 0 {
		t.Errorf("after Reset: %v", got)
	}
	appendAll(t, k, rec{6, "f"})
	if p := k.Position(); p.Gen <= rot.Gen {
		t.Errorf("generation %d reused after Reset (rotation was at %d)", p.Gen, rot.Gen)
	}
	if got, _ := replayAll(t, k, Position{}); !equal(got, []rec{{6, "f"}}) {
		t.Errorf("after Reset and Append: %v", got)
	}
}

// A record cut anywhere (the process killed inside write(2), or a damaged
// file) is dropped and counted with everything after it in its
// generation; earlier records and later generations are kept.
func TestTornTail(t *testing.T) {
	whole := AppendRecord(AppendRecord(nil, 1, []byte("first\n")), 2, []byte("second\n"))
	first := len(AppendRecord(nil, 1, []byte("first\n")))
	for cut := first + 1; cut < len(whole); cut++ {
		dir := t.TempDir()
		base := filepath.Join(dir, "j")
		if err := os.WriteFile(fmt.Sprintf("%s.%016x", base, 1), whole[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fmt.Sprintf("%s.%016x", base, 2), AppendRecord(nil, 3, []byte("third\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(base, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, st := replayAll(t, j, Position{})
		want := []rec{{1, "first\n"}, {3, "third\n"}}
		if !equal(got, want) || st.Torn != 1 || st.TornBytes != int64(cut-first) {
			t.Fatalf("cut at %d: got %v, stats %+v", cut, got, st)
		}
	}
	// A flipped bit in the middle of the data fails the checksum.
	bad := bytes.Clone(whole)
	bad[first+20] ^= 1
	got := 0
	torn, err := ReadRecords(bad, func(uint64, []byte) error { got++; return nil })
	if err != nil || got != 1 || torn != len(whole)-first {
		t.Errorf("flipped bit: %d records, torn %d, err %v", got, torn, err)
	}
}

// A failed write leaves no partial record behind: later appends are read.
func TestAppendAfterFailedWrite(t *testing.T) {
	base := filepath.Join(t.TempDir(), "j")
	j, err := Open(base, Options{MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, j, rec{1, "ok"})
	if err := j.Append(2, bytes.Repeat([]byte("x"), 200)); !errors.Is(err, ErrFull) {
		t.Fatalf("oversized append: %v, want ErrFull", err)
	}
	appendAll(t, j, rec{3, "ok again"})
	got, _ := replayAll(t, j, Position{})
	if !equal(got, []rec{{1, "ok"}, {3, "ok again"}}) {
		t.Errorf("got %v", got)
	}
	// Released generations give their room back.
	p := j.Rotate()
	for j.Append(4, []byte("0123456789")) == nil {
	}
	if err := j.Release(j.Rotate()); err != nil {
		t.Fatal(err)
	}
	if j.Size() != 0 {
		t.Errorf("size after release: %d", j.Size())
	}
	appendAll(t, j, rec{5, "room"})
	if got, _ := replayAll(t, j, p); len(got) != 1 || got[0].tag != 5 {
		t.Errorf("after release: %v", got)
	}
}

// Release keeps the generations at or after the position.
func TestRelease(t *testing.T) {
	base := filepath.Join(t.TempDir(), "j")
	j, err := Open(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, j, rec{1, "a"})
	p1 := j.Rotate()
	appendAll(t, j, rec{2, "b"})
	p2 := j.Rotate()
	appendAll(t, j, rec{3, "c"})
	if err := j.Release(p1); err != nil {
		t.Fatal(err)
	}
	if got, _ := replayAll(t, j, Position{}); !equal(got, []rec{{2, "b"}, {3, "c"}}) {
		t.Errorf("after Release(p1): %v", got)
	}
	if err := j.Release(p2); err != nil {
		t.Fatal(err)
	}
	if got, _ := replayAll(t, j, Position{}); !equal(got, []rec{{3, "c"}}) {
		t.Errorf("after Release(p2): %v", got)
	}
}

// The cost of an append with and without fdatasync (go test -bench Append
// ./internal/journal); docs/rsyslog.md quotes it.
func BenchmarkAppend(b *testing.B) {
	line := []byte("<30>Dec  4 17:00:00 host sshd[42]: Failed password for invalid user admin from 10.0.0.1 port 22 ssh2\n")
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", sync), func(b *testing.B) {
			j, err := Open(filepath.Join(b.TempDir(), "j"), Options{Sync: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				if err := j.Append(uint64(i), line); err != nil {
					b.Fatal(err)
				}
				if i%100000 == 99999 {
					j.Release(j.Rotate())
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/append")
		})
	}
}
