package pipeline

import (
	"context"
	"errors"
	"fmt"
	"github.com/logtally/logtally/rules"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// TestLockstep plays rsyslog with confirmations: one line, wait for its
// acknowledgement, next line; meanwhile ticks, snapshots and a reload
// arrive. Every line is acknowledged once, after it was counted.
func TestLockstep(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := &collect{}
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 10, 0, time.UTC)}
	e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	acks := make(chan int, 1)
	var acked atomic.Int64
	ticks := make(chan time.Time)
	controls := make(chan Control)
	done := make(chan error, 1)
	go func() {
		done <- e.Run(context.Background(), pr, controls, RunOptions{
			Lockstep: true, Ticks: ticks, Checkpoint: t.TempDir() + "/cp",
			Ack: func(n int) error { acked.Add(int64(n)); acks <- n; return nil },
		})
	}()
	const n = 500
	for i := range n {
		if _, err := fmt.Fprintf(pw, "2026-11-22T10:00:00+00:00 h sshd[1]: Failed password for u%d from 10.0.0.1 port 22 ssh2\n", i%3); err != nil {
			t.Fatal(err)
		}
		<-acks
		switch i {
		case 100:
			ticks <- clk.Now()
		case 200:
			c := Control{Kind: EmitNow, Done: make(chan error, 1)}
			controls <- c
			<-c.Done
		case 300:
			c := Control{Kind: Reload, Rules: set, Done: make(chan error, 1)}
			controls <- c
			if err := <-c.Done; err != nil {
				t.Fatal(err)
			}
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := acked.Load(); got != n {
		t.Fatalf("acknowledged %d lines, want %d", got, n)
	}
}

// BenchmarkLockstep measures the confirmation path's round trip: write one
// line, wait for its acknowledgement, as rsyslog does with confirmations.
func BenchmarkLockstep(b *testing.B) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Config{Rules: set, Location: time.UTC, Outputs: []Output{&collect{}}})
	if err != nil {
		b.Fatal(err)
	}
	pr, pw := io.Pipe()
	acks := make(chan int, 1)
	done := make(chan error, 1)
	go func() {
		done <- e.Run(context.Background(), pr, nil, RunOptions{
			Lockstep: true, Ack: func(n int) error { acks <- n; return nil },
		})
	}()
	line := []byte("2026-11-22T10:00:00+00:00 h sshd[1]: Failed password for u1 from 10.0.0.1 port 22 ssh2\n")
	b.ResetTimer()
	for range b.N {
		if _, err := pw.Write(line); err != nil {
			b.Fatal(err)
		}
		<-acks
	}
	b.StopTimer()
	pw.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// A reply that fails ends Run with the error, under both confirmation
// policies. Both count (and journal) a chunk before its reply, so the line
// whose reply failed is already counted; rsyslog re-sends it, and it is
// counted twice, like the line in flight at a kill.
func TestConfirmFailure(t *testing.T) {
	errReply := errors.New("stdout closed")
	for _, tc := range []struct {
		name    string
		opt     RunOptions
		counted uint64
	}{
		{"lockstep", RunOptions{Lockstep: true}, 3},
		{"inline", RunOptions{}, 3},
		{"workers", RunOptions{Workers: 2}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := rules.Load("../examples/sshd/rules.yaml")
			if err != nil {
				t.Fatal(err)
			}
			out := &collect{}
			clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 10, 0, time.UTC)}
			e, err := New(Config{Rules: set, Now: clk.Now, Location: time.UTC, Outputs: []Output{out}})
			if err != nil {
				t.Fatal(err)
			}
			pr, pw := io.Pipe()
			defer pw.Close()
			acks := make(chan int, 1)
			replies := 0
			opt := tc.opt
			opt.Ticks = make(chan time.Time)
			opt.Ack = func(n int) error {
				replies++
				if replies == 3 {
					return errReply
				}
				acks <- n
				return nil
			}
			done := make(chan error, 1)
			go func() { done <- e.Run(context.Background(), pr, nil, opt) }()
			for i := range 3 {
				if _, err := fmt.Fprintf(pw, "2026-11-22T10:00:00+00:00 h sshd[1]: Failed password for u%d from 10.0.0.1 port 22 ssh2\n", i); err != nil {
					t.Fatal(err)
				}
				if i < 2 {
					<-acks
				}
			}
			if err := <-done; !errors.Is(err, errReply) {
				t.Fatalf("Run returned %v, want the reply's error", err)
			}
			var counted uint64
			for _, r := range out.rows {
				if r.Category != SelfCategory {
					counted += r.Lines
				}
			}
			if counted != tc.counted {
				t.Errorf("counted %d lines, want %d", counted, tc.counted)
			}
		})
	}
}
