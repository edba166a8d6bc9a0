package pipeline

import (
	"bytes"
	"context"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/logtally/logtally/internal/corpus"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// mixedRules merges the categories of every daemon example.
func mixedRules(t testing.TB) *rules.Set {
	t.Helper()
	var b strings.Builder
	b.WriteString("categories:\n")
	for _, d := range []string{"asa", "sshd", "postfix", "cron", "kernel", "nginx"} {
		data, err := readFile("../examples/" + d + "/rules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(data, "categories:\n")
		if !ok {
			t.Fatalf("examples/%s/rules.yaml has no categories", d)
		}
		b.WriteString(rest)
	}
	set, err := rules.Parse("mixed.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func corpusText(n int, f corpus.Format) []byte {
	g := corpus.New(corpus.Config{Seed: 5, LinesPerMin: n / 3, Format: f})
	var buf []byte
	for i := 0; i < n; i++ {
		buf, _ = g.Next(buf)
		buf = append(buf, '\n')
	}
	return buf
}

// replay runs an event-clock engine over input and returns every summary.
func replay(t testing.TB, set *rules.Set, input io.Reader, opt RunOptions) []tally.Summary {
	t.Helper()
	out := &collect{}
	e, err := New(Config{Rules: set, Location: time.UTC, EventClock: true, Grace: 5 * time.Second,
		Now: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	opt.Ticks = make(chan time.Time)
	if err := e.Run(context.Background(), input, nil, opt); err != nil {
		t.Fatal(err)
	}
	return out.rows
}

// Parallel classification must not change a single number: the same input
// gives the same summaries with 1 and 4 workers, whatever the chunking.
func TestWorkersGiveIdenticalSummaries(t *testing.T) {
	set := mixedRules(t)
	input := corpusText(30000, corpus.Traditional)
	want := replay(t, set, bytes.NewReader(input), RunOptions{Workers: 1})
	if len(want) == 0 {
		t.Fatal("no summaries")
	}
	var total uint64
	for _, s := range want {
		if s.Category == SelfCategory {
			total += s.Lines
		}
	}
	if total != 30000 {
		t.Fatalf("self lines = %d, want 30000", total)
	}
	for _, tc := range []struct {
		name string
		in   io.Reader
		opt  RunOptions
	}{
		{"4 workers", bytes.NewReader(input), RunOptions{Workers: 4}},
		{"4 workers, small buffers", bytes.NewReader(input), RunOptions{Workers: 4, BufSize: 4096}},
		{"2 workers, one byte at a time", iotest.OneByteReader(bytes.NewReader(input)), RunOptions{Workers: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := replay(t, set, tc.in, tc.opt)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("summaries differ from the single-worker run (%d vs %d rows)", len(got), len(want))
			}
		})
	}
}

// The reader cuts lines right wherever the reads end, truncates lines over
// the limit (counting them), and keeps a last line without a newline.
func TestReaderEdges(t *testing.T) {
	long := strings.Repeat("x", 5000)
	input := "a\n\n" + long + "\nb\n" + long + long + "\nlast-without-newline"
	for _, bufSize := range []int{0, 4097} {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(input)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			out := &collect{}
			e, err := New(Config{Rules: mixedRules(t), MaxLine: 4096, Outputs: []Output{out},
				Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC) }})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Run(context.Background(), r, nil, RunOptions{BufSize: bufSize, Ticks: make(chan time.Time)}); err != nil {
				t.Fatal(err)
			}
			self := selfRow(t, out.rows)
			// a, "", long, b, long+long, last: 6 lines, 2 of them too
			// long; none has a syslog header, so all are malformed.
			if self.Lines != 6 || counter(self, "too_long") != 2 || counter(self, "malformed") != 6 {
				t.Errorf("buf %d oneByte %v: lines=%d too_long=%d malformed=%d, want 6, 2, 6",
					bufSize, oneByte, self.Lines, counter(self, "too_long"), counter(self, "malformed"))
			}
		}
	}
}

func selfRow(t *testing.T, rows []tally.Summary) tally.Summary {
	t.Helper()
	var sum tally.Summary
	for _, r := range rows {
		if r.Category == SelfCategory {
			sum.Lines += r.Lines
			for _, c := range r.Counters {
				found := false
				for i := range sum.Counters {
					if sum.Counters[i].Name == c.Name {
						sum.Counters[i].Value += c.Value
						found = true
					}
				}
				if !found {
					sum.Counters = append(sum.Counters, c)
				}
			}
		}
	}
	return sum
}

func counter(s tally.Summary, name string) uint64 {
	for _, c := range s.Counters {
		if c.Name == name {
			return c.Value
		}
	}
	return 0
}

// SIGHUP: new rules take over and the counts of the open minute survive;
// SIGUSR1: the open minute is shown (partial) and later emitted whole.
func TestReloadAndEmitNow(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 5, 0, time.UTC)}
	out := &collect{}
	oldSet, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Rules: oldSet, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	controls := make(chan Control)
	ticks := make(chan time.Time)
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background(), pr, controls, RunOptions{Ticks: ticks, Workers: 2}) }()

	send := func(c Control) error {
		c.Done = make(chan error, 1)
		controls <- c
		return <-c.Done
	}
	io.WriteString(pw, "Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2\n")
	// A control is handled after every line already read, so the emitted
	// snapshot includes the line above once the reader has passed it on.
	waitFor(t, func() bool {
		if err := send(Control{Kind: EmitNow}); err != nil {
			t.Fatal(err)
		}
		return accepted(out.last("sshd")) == 1
	})
	if !out.last("sshd").Partial {
		t.Fatal("SIGUSR1 snapshot not marked partial")
	}
	newSet, err := rules.Parse("new.yaml", []byte(`
categories:
  - name: sshd
    match: {program: sshd}
    rules:
      - name: accepted
        pattern: 'Accepted \w+ for (?P<user>\S+)'
        count: accepted
      - name: closed
        substring: "session closed"
        count: closed
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := send(Control{Kind: Reload, Rules: newSet}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(pw, "Nov 22 10:00:02 h sshd[1]: Accepted password for bob from 10.0.0.2 port 1 ssh2\n")
	io.WriteString(pw, "Nov 22 10:00:03 h sshd[1]: pam_unix(sshd:session): session closed for user bob\n")
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	final := out.last("sshd")
	if accepted(final) != 2 || counter(final, "closed") != 1 || final.Lines != 3 {
		t.Fatalf("after reload: %+v, want accepted=2 (kept across the reload), closed=1, lines=3", final)
	}
}

func accepted(s tally.Summary) uint64 { return counter(s, "accepted") }

func (c *collect) last(category string) tally.Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.rows) - 1; i >= 0; i-- {
		if c.rows[i].Category == category {
			return c.rows[i]
		}
	}
	return tally.Summary{}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkPipeline measures the whole per-line path — read, parse,
// categorize, match, count — on the mixed corpus with every example's rules.
func BenchmarkPipeline(b *testing.B) {
	set := mixedRules(b)
	input := corpusText(200000, corpus.Traditional)
	for _, workers := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+workers)), func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for range b.N {
				replay(b, set, bytes.NewReader(input), RunOptions{Workers: workers})
			}
			b.ReportMetric(float64(200000*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// Arrival clock: a minute closes on the tick after its end even when no
// line arrives, and idle minutes get rows of zeros.
func TestIdleMinutesGiveZeroRows(t *testing.T) {
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: m0.Add(10 * time.Second)}
	out := &collect{}
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	ticks := make(chan time.Time)
	controls := make(chan Control)
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background(), pr, controls, RunOptions{Ticks: ticks}) }()
	io.WriteString(pw, "Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2\n")
	// Wait until the line is counted (a snapshot shows it), then forget
	// the snapshot rows.
	waitFor(t, func() bool {
		c := Control{Kind: EmitNow, Done: make(chan error, 1)}
		controls <- c
		<-c.Done
		return accepted(out.last("sshd")) == 1
	})
	out.mu.Lock()
	out.rows = nil
	out.mu.Unlock()
	// Three minutes pass with no input.
	// The tick channel is unbuffered: the second send returns once the
	// first tick has been handled (the second closes nothing new).
	ticks <- m0.Add(3*time.Minute + time.Second)
	ticks <- m0.Add(3*time.Minute + time.Second)
	got := out.lines("sshd")
	want := map[time.Time]uint64{m0: 1, m0.Add(time.Minute): 0, m0.Add(2 * time.Minute): 0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for _, r := range out.rows {
		if r.Partial {
			t.Fatalf("closed minute %v marked partial", r.Minute)
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
