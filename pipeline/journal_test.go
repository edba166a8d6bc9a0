package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// killable runs an engine in lockstep with confirmations over a pipe; kill
// abandons it the way SIGKILL does: no exit checkpoint, no spool
// completion, its goroutine left blocked on the pipe (only the files it
// wrote remain; the page cache is the files).
type killable struct {
	w     *io.PipeWriter
	mu    sync.Mutex
	acked int
	spool *outputs.Spool
}

func startKillable(t *testing.T, set *rules.Set, clk *clock, path, spoolDir string, cfg ...Config) *killable {
	t.Helper()
	k := &killable{}
	var err error
	if k.spool, err = outputs.NewSpool(outputs.SpoolConfig{Dir: spoolDir, Now: clk.Now}); err != nil {
		t.Fatal(err)
	}
	c := Config{Rules: set, Now: clk.Now, Location: time.UTC, Spool: k.spool}
	if len(cfg) > 0 {
		c.EventClock, c.Grace, c.Outputs = cfg[0].EventClock, cfg[0].Grace, cfg[0].Outputs
	}
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	k.w = w
	ready := make(chan struct{})
	go e.Run(context.Background(), r, nil, RunOptions{
		Ticks: make(chan time.Time), Checkpoint: path, CheckpointEvery: time.Hour, Journal: true, Lockstep: true,
		Ready: func() error { close(ready); return nil },
		Ack: func(n int) error {
			k.mu.Lock()
			k.acked += n
			k.mu.Unlock()
			return nil
		},
	})
	<-ready
	return k
}

func (k *killable) send(t *testing.T, lines []string) {
	t.Helper()
	k.mu.Lock()
	want := k.acked + len(lines)
	k.mu.Unlock()
	for _, l := range lines {
		if _, err := io.WriteString(k.w, l+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		k.mu.Lock()
		n := k.acked
		k.mu.Unlock()
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("acked %d of %d", n, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// spooled reads every complete spool file under dir, line by line.
func spooled(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".log.zst") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := zstd.NewReader(f)
		if err != nil {
			return err
		}
		defer zr.Close()
		b, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return lines
}

// TestJournalKill: every confirmed line survives a kill — counted by the
// next start from the journal, spooled exactly once — whether the kill
// comes before or after a checkpoint, and with a torn record at the end.
func TestJournalKill(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint")
	spoolDir := filepath.Join(dir, "spool")
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: m0.Add(10 * time.Second)}
	known := strings.Split(strings.TrimSuffix(sshdLines(30), "\n"), "\n")
	var unknown []string
	for i := range 20 {
		unknown = append(unknown, fmt.Sprintf("2026-11-22T10:00:00+00:00 h cron[1]: job %d", i))
	}

	a := startKillable(t, set, clk, path, spoolDir)
	a.send(t, known[:10])
	a.send(t, unknown[:10])
	a.spool.Abandon() // kill 1, before any checkpoint but the start's
	b := startKillable(t, set, clk, path, spoolDir)
	if st, err := b.spool.Recover(); err != nil || st.Lines != 10 {
		t.Fatalf("spool recovery: %+v, %v", st, err)
	}
	b.send(t, known[10:30])
	b.send(t, unknown[10:20])
	b.spool.Abandon() // kill 2, with half a record torn off at the end of the journal
	gens, _ := filepath.Glob(JournalPath(path) + ".*")
	if len(gens) == 0 {
		t.Fatal("no journal file")
	}
	f, err := os.OpenFile(gens[len(gens)-1], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{40, 0, 0, 0, 1, 2})
	f.Close()

	// The last start, two minutes later: the minute ended meanwhile.
	clk.Set(m0.Add(2*time.Minute + 5*time.Second))
	sp, err := outputs.NewSpool(outputs.SpoolConfig{Dir: spoolDir, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := sp.Recover(); err != nil || st.Lines != 10 {
		t.Fatalf("spool recovery: %+v, %v", st, err)
	}
	out := &collect{}
	e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}, Spool: sp})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), strings.NewReader(""), nil, RunOptions{Ticks: make(chan time.Time), Checkpoint: path, Journal: true}); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if got := out.lines("sshd")[m0]; got != 30 {
		t.Errorf("sshd lines in %v: %d, want 30", m0, got)
	}
	if got := out.lines(SelfCategory)[m0]; got != 50 {
		t.Errorf("lines in %v: %d, want 50", m0, got)
	}
	if got, want := spooled(t, spoolDir), slices.Sorted(slices.Values(unknown)); !slices.Equal(got, want) {
		t.Errorf("spool holds\n%q\nwant\n%q", got, want)
	}
	// The clean exit emptied the journal.
	if gens, _ := filepath.Glob(JournalPath(path) + ".*"); len(gens) != 0 {
		t.Errorf("journal files left after a clean exit: %v", gens)
	}
}

// TestJournalWithoutCheckpoint: a journal that no checkpoint covers (the
// checkpoint was removed after a failed save) is discarded, not replayed.
func TestJournalWithoutCheckpoint(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint")
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: m0.Add(10 * time.Second)}
	a := startKillable(t, set, clk, path, filepath.Join(dir, "spool"))
	a.send(t, strings.Split(strings.TrimSuffix(sshdLines(5), "\n"), "\n"))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	clk.Set(m0.Add(2 * time.Minute))
	out := &collect{}
	e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), strings.NewReader(""), nil, RunOptions{Ticks: make(chan time.Time), Checkpoint: path, Journal: true}); err != nil {
		t.Fatal(err)
	}
	if got := out.lines("sshd"); len(got) != 0 {
		t.Errorf("emitted %v from a journal without checkpoint", got)
	}
	if gens, _ := filepath.Glob(JournalPath(path) + ".*"); len(gens) != 0 {
		t.Errorf("journal files left: %v", gens)
	}
}

// TestJournalEventClock: on the event clock the replay closes minutes as
// the lines did before the kill; those minutes go out once, after the
// checkpoint that covers the replay, and not again at the next start.
func TestJournalEventClock(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint")
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)} // the wall clock is behind: only events move minutes
	cfg := Config{EventClock: true, Grace: 5 * time.Second}
	first := &collect{}
	cfg.Outputs = []Output{first}
	a := startKillable(t, set, clk, path, filepath.Join(dir, "spool"), cfg)
	lines := strings.Split(strings.TrimSuffix(failedAt(m0, 20)+failedAt(m0.Add(time.Minute+10*time.Second), 5), "\n"), "\n")
	a.send(t, lines)
	// Before the kill the first minute went out once, the second is open.
	if got := first.lines("sshd"); got[m0] != 20 || len(got) != 1 {
		t.Fatalf("before the kill: %v", got)
	}
	a.spool.Abandon() // kill
	for i := range 2 {
		out := &collect{}
		e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, EventClock: true, Grace: 5 * time.Second, Outputs: []Output{out}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// The first restart "crashes" right after the restore.
			cp := &checkpointer{path: path}
			e.openJournal(path, false)
			cp.release = e.jr.j.Release
			e.restoreCheckpoint(cp, clk.Now())
			cp.stop()
		} else if err := e.Run(context.Background(), strings.NewReader(""), nil, RunOptions{Ticks: make(chan time.Time), Checkpoint: path, Journal: true}); err != nil {
			t.Fatal(err)
		}
		if got := out.lines("sshd"); len(got) != 0 {
			t.Errorf("start %d emitted %v: the first minute was already out", i, got)
		}
		// The second minute's 5 lines wait in the checkpoint, counted once.
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		state, err := CheckpointState(data)
		if err != nil {
			t.Fatal(err)
		}
		agg := tally.NewAggregator(e.schemas(), tally.Options{EventClock: true})
		if _, err := agg.Restore(state, time.Time{}); err != nil {
			t.Fatal(err)
		}
		var open uint64
		for _, r := range agg.Snapshot() {
			if r.Category == "sshd" {
				open += r.Lines
			}
		}
		if open != 5 {
			t.Errorf("start %d: the checkpoint holds %d sshd lines, want 5", i, open)
		}
	}
}
