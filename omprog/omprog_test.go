package omprog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

// chunkReader returns its data in pieces of the given sizes (cycled).
type chunkReader struct {
	data  []byte
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = max(1, c.sizes[c.i%len(c.sizes)])
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// drive reads everything through p, acknowledging each line as a counting
// engine would, and returns the message stream.
func drive(t *testing.T, p *Protocol) string {
	t.Helper()
	data, err := io.ReadAll(p.Reader())
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(data, nl)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	if err := p.Ack(lines); err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestProtocol(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		in          string
		wantMsgs    string
		wantReplies string
	}{
		{"off", Config{}, "a\nb\n", "a\nb\n", ""},
		{"confirm", Config{Confirm: true}, "a\nb\n\nc", "a\nb\n\nc", "OK\nOK\nOK\nOK\nOK\n"},
		{"confirm empty", Config{Confirm: true}, "", "", "OK\n"},
		{"tx", Config{Confirm: true, Transactions: true},
			"BEGIN TRANSACTION\na\nb\nCOMMIT TRANSACTION\nBEGIN TRANSACTION\nc\nCOMMIT TRANSACTION\n",
			"a\nb\nc\n", "OK\nOK\nDEFER_COMMIT\nDEFER_COMMIT\nOK\nOK\nDEFER_COMMIT\nOK\n"},
		{"tx custom marks", Config{Confirm: true, Transactions: true, BeginMark: "<<", CommitMark: ">>"},
			"<<\nBEGIN TRANSACTION\n>>\n", "BEGIN TRANSACTION\n", "OK\nOK\nDEFER_COMMIT\nOK\n"},
		{"tx without confirm strips marks", Config{Transactions: true},
			"BEGIN TRANSACTION\na\nCOMMIT TRANSACTION\n", "a\n", ""},
		{"mark prefix is a message", Config{Confirm: true, Transactions: true},
			"BEGIN TRANSACTION now\n", "BEGIN TRANSACTION now\n", "OK\nDEFER_COMMIT\n"},
	}
	for _, tt := range tests {
		for _, sizes := range [][]int{nil, {1}, {3, 7}} {
			t.Run(tt.name, func(t *testing.T) {
				var out syncbuf.Buffer
				p := New(&chunkReader{data: []byte(tt.in), sizes: sizes}, &out, tt.cfg)
				if err := p.Start(); err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				if got := drive(t, p); got != tt.wantMsgs {
					t.Errorf("messages = %q, want %q", got, tt.wantMsgs)
				}
				if got := out.String(); got != tt.wantReplies {
					t.Errorf("replies = %q, want %q", got, tt.wantReplies)
				}
			})
		}
	}
}

// TestLockstep plays rsyslog: one line, then wait for its reply.
func TestLockstep(t *testing.T) {
	pr, pw := io.Pipe()
	repR, repW := io.Pipe()
	p := New(pr, repW, Config{Confirm: true, Transactions: true, KeepAlive: -1})
	errc := make(chan error, 1)
	go func() {
		if err := p.Start(); err != nil {
			errc <- err
			return
		}
		buf := make([]byte, 100)
		r := p.Reader()
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if aerr := p.Ack(bytes.Count(buf[:n], nl)); aerr != nil {
					errc <- aerr
					return
				}
			}
			if err != nil {
				errc <- nil
				return
			}
		}
	}()
	replies := make([]byte, 64)
	expect := func(want string) {
		t.Helper()
		n, err := repR.Read(replies)
		if err != nil || string(replies[:n]) != want {
			t.Fatalf("reply = %q, %v; want %q", replies[:n], err, want)
		}
	}
	expect("OK\n")
	for _, step := range []struct{ send, want string }{
		{"BEGIN TRANSACTION\n", "OK\n"},
		{"x\n", "DEFER_COMMIT\n"},
		{"y\n", "DEFER_COMMIT\n"},
		{"COMMIT TRANSACTION\n", "OK\n"},
	} {
		if _, err := pw.Write([]byte(step.send)); err != nil {
			t.Fatal(err)
		}
		expect(step.want)
	}
	pw.Close()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	p.Close()
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestKeepAlive(t *testing.T) {
	var out syncbuf.Buffer
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	pr, pw := io.Pipe()
	// The keep-alive check runs on ticks the test sends: when a send on the
	// unbuffered channel returns, the previous tick has been handled.
	ticks := make(chan time.Time)
	tick := func(d time.Duration) {
		clk.Add(d)
		ticks <- time.Time{}
		ticks <- time.Time{} // handled the one before; the clock has not moved
	}
	p := New(pr, &out, Config{Confirm: true, KeepAlive: 40 * time.Millisecond, Now: clk.Now, KeepAliveTicks: ticks})
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	go func() { _, _ = pw.Write([]byte("slow line\n")) }()
	buf := make([]byte, 64)
	if _, err := p.Reader().Read(buf); err != nil {
		t.Fatal(err)
	}
	// The engine is slow: time passes, dots must appear.
	tick(0) // the reply is owed from now on
	tick(20 * time.Millisecond)
	if got := out.String(); got != "OK\n" {
		t.Fatalf("out = %q after half the keep-alive time, want no dot yet", got)
	}
	tick(20 * time.Millisecond)
	if !strings.Contains(out.String(), "OK\n.") {
		t.Fatalf("no keep-alive dot after KeepAlive owed; out = %q", out.String())
	}
	if err := p.Ack(1); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "OK\n.") || !strings.HasSuffix(got, ".OK\n") || strings.Count(got, "\n") != 2 {
		t.Fatalf("out = %q, want OK, dots, then OK on the dots' line", got)
	}
	// Nothing owed: no more dots.
	before := out.String()
	for range 10 {
		tick(time.Second)
	}
	if after := out.String(); after != before {
		t.Fatalf("dots while nothing was owed: %q", after)
	}
	pw.Close()
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteError(t *testing.T) {
	p := New(strings.NewReader("a\n"), failWriter{}, Config{Confirm: true, KeepAlive: -1})
	if err := p.Start(); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Start = %v, want ErrClosedPipe", err)
	}
	if _, err := io.ReadAll(p.Reader()); err != nil {
		t.Fatal(err)
	}
	if err := p.Ack(1); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Ack = %v, want ErrClosedPipe", err)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{
		{Transactions: true, BeginMark: "X", CommitMark: "X"},
		{Transactions: true, BeginMark: "a\nb"},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	if err := (Config{Transactions: true}).Validate(); err != nil {
		t.Error(err)
	}
}

// FuzzReader: whatever rsyslog (or anything) writes and however the pipe
// cuts it, the message stream is the input minus the mark lines, and there
// is exactly one reply per line, in order.
func FuzzReader(f *testing.F) {
	f.Add([]byte("BEGIN TRANSACTION\na\nCOMMIT TRANSACTION\n"), uint8(3), true)
	f.Add([]byte("a\n\n\nb"), uint8(1), false)
	f.Add([]byte("BEGIN TRANSACTION"), uint8(0), true)
	f.Add(bytes.Repeat([]byte("x"), 5000), uint8(200), true)
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, in []byte, chunk uint8, tx bool) {
	var out bytes.Buffer
	sizes := []int{int(chunk), int(chunk)/3 + 1}
	if chunk == 0 {
		sizes = nil
	}
	p := New(&chunkReader{data: in, sizes: sizes}, &out, Config{Confirm: true, Transactions: tx, KeepAlive: -1})
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	// Ack as the data arrives, line by line, like the engine.
	var msgs []byte
	buf := make([]byte, 37)
	pendingPartial := false
	for {
		n, err := p.Reader().Read(buf)
		chunk := buf[:n]
		msgs = append(msgs, chunk...)
		if k := bytes.Count(chunk, nl); k > 0 {
			if aerr := p.Ack(k); aerr != nil {
				t.Fatal(aerr)
			}
		}
		if n > 0 {
			pendingPartial = chunk[n-1] != '\n'
		}
		if err != nil {
			break
		}
	}
	if pendingPartial {
		if err := p.Ack(1); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()

	// The model: split the input into lines.
	var wantMsgs, wantReplies []byte
	wantReplies = append(wantReplies, "OK\n"...)
	lines := bytes.SplitAfter(in, nl)
	for _, l := range lines {
		if len(l) == 0 {
			continue
		}
		body := bytes.TrimSuffix(l, nl)
		if tx && len(body) <= maxMarkLine && (string(body) == DefaultBeginMark || string(body) == DefaultCommitMark) {
			wantReplies = append(wantReplies, "OK\n"...)
			continue
		}
		wantMsgs = append(wantMsgs, l...)
		if tx {
			wantReplies = append(wantReplies, "DEFER_COMMIT\n"...)
		} else {
			wantReplies = append(wantReplies, "OK\n"...)
		}
	}
	if !bytes.Equal(msgs, wantMsgs) {
		t.Fatalf("messages = %q, want %q", msgs, wantMsgs)
	}
	if !bytes.Equal(out.Bytes(), wantReplies) {
		t.Fatalf("replies = %q, want %q", out.Bytes(), wantReplies)
	}
}
