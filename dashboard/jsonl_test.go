package dashboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func appendFile(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func pollLines(t *testing.T, tf *tailFile) []string {
	t.Helper()
	var got []string
	if _, err := tf.poll(func(line []byte) { got = append(got, string(line)) }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTailFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	tf := &tailFile{path: path}
	if got := pollLines(t, tf); got != nil {
		t.Fatalf("missing file: %q", got)
	}
	appendFile(t, path, "one\ntw")
	if got := pollLines(t, tf); len(got) != 1 || got[0] != "one" {
		t.Fatalf("first poll: %q (a partial line must wait)", got)
	}
	appendFile(t, path, "o\nthree\n")
	if got := pollLines(t, tf); strings.Join(got, ",") != "two,three" {
		t.Fatalf("second poll: %q", got)
	}
	if got := pollLines(t, tf); got != nil {
		t.Fatalf("nothing new: %q", got)
	}
	// A line longer than the reader's buffer is assembled whole.
	long := strings.Repeat("x", 700<<10)
	appendFile(t, path, long+"\nafter\n")
	if got := pollLines(t, tf); len(got) != 2 || got[0] != long || got[1] != "after" {
		t.Fatalf("long line: %d lines", len(got))
	}
	// logrotate: the file is replaced by a new, shorter one.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "new\n")
	if got := pollLines(t, tf); strings.Join(got, ",") != "new" {
		t.Fatalf("after rotation: %q", got)
	}
	// copytruncate: the same file shrinks.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "again\n")
	if got := pollLines(t, tf); strings.Join(got, ",") != "again" {
		t.Fatalf("after truncation: %q", got)
	}
}

func summaryLine(cat string, minute time.Time, lines int) string {
	return fmt.Sprintf(`{"category":%q,"minute":%q,"partial":false,"lines":%d,"matched":0,"ignored":0,"unknown":0,"late":0,"counters":{"zeta":1,"alpha":2},"top":{"k":{"items":[{"key":"a","count":%d,"error":0}],"other":0,"total":%d}},"stats":{"s":{"count":1,"sum":1,"min":1,"max":1,"mean":1,"p50":1,"p95":1,"p99":null}}}`+"\n",
		cat, minute.Format(time.RFC3339), lines, lines, lines)
}

func TestSummaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := range 600 { // ten hours of one category
		b.WriteString(summaryLine("web", t0.Add(time.Duration(i)*time.Minute), i))
	}
	b.WriteString(`{"type":"aberration","state":"on","category":"web","counter":"zeta","minute":"2026-11-22T10:05:00Z","observed":5,"predicted":null,"lower":null,"upper":null}` + "\n")
	b.WriteString("not json\n{\"category\":\"x\"}\n")
	appendFile(t, path, b.String())
	s := newSummaries([]string{path}, 2*time.Hour)
	if err := s.poll(); err != nil {
		t.Fatal(err)
	}
	c := s.categories["web"]
	if c == nil || c.latest.Lines != 599 {
		t.Fatalf("latest: %+v", c)
	}
	if got := strings.Join(c.latest.Order, ","); got != "zeta,alpha" {
		t.Errorf("counter order %q, want the file's", got)
	}
	if len(c.recent) != 60 || c.recent[0].Lines != 540 {
		t.Errorf("last hour: %d minutes from %d", len(c.recent), c.recent[0].Lines)
	}
	if len(c.stats) != 121 {
		t.Errorf("stats history: %d minutes, want 121 (2h)", len(c.stats))
	}
	if len(s.alerts) != 1 || s.alerts[0].State != "on" {
		t.Errorf("alerts: %+v", s.alerts)
	}
	if s.bad != 2 {
		t.Errorf("bad lines: %d, want 2", s.bad)
	}
	// The same minute again (a partial minute continued after a restart)
	// replaces the earlier record.
	appendFile(t, path, summaryLine("web", t0.Add(599*time.Minute), 1000))
	if err := s.poll(); err != nil {
		t.Fatal(err)
	}
	if c.latest.Lines != 1000 || len(c.recent) != 60 {
		t.Errorf("replaced minute: latest %d, %d recent", c.latest.Lines, len(c.recent))
	}
	want := uint64(1000)
	for i := 540; i < 599; i++ {
		want += uint64(i)
	}
	if top := sumTop("k", c.recent, 10); top.Total != want || len(top.Items) != 1 || top.Items[0].Count != want {
		t.Errorf("last hour's top: %+v, want total %d", top, want)
	}
}

// FuzzSummaries feeds arbitrary bytes as a JSON-lines file: never a panic,
// and the reader keeps its place across polls.
func FuzzSummaries(f *testing.F) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	f.Add([]byte(summaryLine("a", t0, 3)), []byte(summaryLine("a", t0.Add(time.Minute), 4)))
	f.Add([]byte(`{"type":"aberration","state":"on","category":"w","counter":"c","minute":"2026-11-21T14:06:00Z"}`+"\n"), []byte("\n\n{"))
	f.Add([]byte(`{"category":"a","minute":"2026-11-22T10:00:00Z","counters":{"x":1e400}}`), []byte("\n"))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		path := filepath.Join(t.TempDir(), "s.jsonl")
		appendFile(t, path, string(first))
		s := newSummaries([]string{path}, time.Hour)
		if err := s.poll(); err != nil {
			t.Fatal(err)
		}
		appendFile(t, path, string(second))
		if err := s.poll(); err != nil {
			t.Fatal(err)
		}
		for _, c := range s.categories {
			if c.latest == nil {
				t.Fatal("category without a latest minute")
			}
			_ = sumTop("k", c.recent, 5)
		}
	})
}
