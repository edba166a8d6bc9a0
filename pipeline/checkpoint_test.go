package pipeline

import (
	"context"
	"fmt"
	"github.com/logtally/logtally/internal/journal"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// collect is an output keeping every summary it is given.
type collect struct {
	mu   sync.Mutex
	rows []tally.Summary
}

var _ Output = (*collect)(nil)

func (c *collect) Write(minute []tally.Summary) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rows = append(c.rows, minute...)
	return nil
}

func (c *collect) Close() error { return nil }

// lines sums the lines of category per minute.
func (c *collect) lines(category string) map[time.Time]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[time.Time]uint64{}
	for _, r := range c.rows {
		if r.Category == category {
			m[r.Minute] += r.Lines
		}
	}
	return m
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func sshdLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "2026-11-22T10:00:00+00:00 h sshd[1]: Failed password for u%d from 10.0.0.%d port 22 ssh2\n", i%3, i%7)
	}
	return b.String()
}

// runOnce runs an engine over input with the clock at now, checkpointing
// to path, and returns what it emitted.
func runOnce(t *testing.T, set *rules.Set, clk *clock, path, input string) *collect {
	t.Helper()
	out := &collect{}
	e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time) // no ticks: minutes close only by restore/exit
	if err := e.Run(context.Background(), strings.NewReader(input), nil, RunOptions{Ticks: ticks, Checkpoint: path}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCheckpointRestart(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint")
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: m0.Add(10 * time.Second)}

	// First run: 100 lines, stdin closes inside the minute. Nothing is
	// emitted: the open minute waits in the checkpoint.
	out := runOnce(t, set, clk, path, sshdLines(100))
	if got := out.lines("sshd"); len(got) != 0 {
		t.Fatalf("first run emitted %v, want nothing (minute kept in the checkpoint)", got)
	}
	// Second run, same minute: continues it.
	clk.Set(m0.Add(40 * time.Second))
	out = runOnce(t, set, clk, path, sshdLines(50))
	if got := out.lines("sshd"); len(got) != 0 {
		t.Fatalf("second run emitted %v, want nothing", got)
	}
	// Third run, two minutes later: the ended minute comes out whole, once,
	// with a zero row for the minute nobody ran through.
	clk.Set(m0.Add(2*time.Minute + 5*time.Second))
	out = runOnce(t, set, clk, path, sshdLines(7))
	got := out.lines("sshd")
	if got[m0] != 150 || got[m0.Add(time.Minute)] != 0 {
		t.Fatalf("third run emitted %v, want 150 lines in %v", got, m0)
	}
	for _, r := range out.rows {
		if r.Category == "sshd" && r.Minute.Equal(m0) && r.Partial {
			t.Fatalf("restored ended minute marked partial")
		}
	}
	// Fourth run, same minute as the third: only the third's 7 lines are
	// pending; the ended minute is not emitted again.
	clk.Set(m0.Add(2*time.Minute + 30*time.Second))
	out = runOnce(t, set, clk, path, "")
	if got := out.lines("sshd"); len(got) != 0 {
		t.Fatalf("fourth run emitted %v, want nothing", got)
	}
	clk.Set(m0.Add(3*time.Minute + 1*time.Second))
	out = runOnce(t, set, clk, path, "")
	if got := out.lines("sshd"); got[m0.Add(2*time.Minute)] != 7 || got[m0] != 0 {
		t.Fatalf("fifth run emitted %v, want 7 lines in minute 2 only", got)
	}
}

// A checkpoint that cannot be written: the open minute is emitted at exit
// (partial), as without a checkpoint, and counting never stopped.
func TestCheckpointUnwritable(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "missing-dir", "checkpoint")
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 10, 0, time.UTC)}
	out := runOnce(t, set, clk, path, sshdLines(42))
	var total uint64
	for _, n := range out.lines("sshd") {
		total += n
	}
	if total != 42 {
		t.Fatalf("emitted %d lines, want 42", total)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("checkpoint exists")
	}
}

// Corrupt checkpoint: reported, ignored, a fresh start.
func TestCheckpointCorrupt(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint")
	if err := os.WriteFile(path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 10, 0, time.UTC)}
	runOnce(t, set, clk, path, sshdLines(3))
	clk.Set(clk.Now().Add(time.Minute))
	out := runOnce(t, set, clk, path, "")
	var total uint64
	for _, n := range out.lines("sshd") {
		total += n
	}
	if total != 3 {
		t.Fatalf("emitted %d lines, want 3", total)
	}
}

// A crash right after a restore emitted the minutes that ended meanwhile
// must not emit them again: they left the file before they went out.
func TestCheckpointRestoreThenCrash(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint")
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: m0.Add(10 * time.Second)}
	runOnce(t, set, clk, path, sshdLines(5))
	clk.Set(m0.Add(90 * time.Second))
	for i, want := range []uint64{5, 0} {
		out := &collect{}
		e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
		if err != nil {
			t.Fatal(err)
		}
		// Restore only, then "crash" (no exit save).
		cp := &checkpointer{path: path}
		e.restoreCheckpoint(cp, clk.Now())
		cp.stop()
		if got := out.lines("sshd")[m0]; got != want {
			t.Fatalf("start %d emitted %d lines for %v, want %d", i, got, m0, want)
		}
	}
}

// The writer never writes an older state after a newer one, and wait
// returns once the state asked for (or a newer one) is on disk.
func TestCheckpointWriterOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint")
	cp := &checkpointer{path: path}
	var last uint64
	for i := range 200 {
		last = cp.submit([]byte(fmt.Sprint(i)), journal.Position{})
		if i%50 == 0 {
			if err := cp.wait(last); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(path); string(b) != fmt.Sprint(i) {
				t.Fatalf("after wait(%d): file holds %q", i, b)
			}
		}
	}
	if err := cp.wait(last); err != nil {
		t.Fatal(err)
	}
	cp.stop()
	if b, _ := os.ReadFile(path); string(b) != "199" {
		t.Fatalf("file holds %q, want the last state", b)
	}
}
