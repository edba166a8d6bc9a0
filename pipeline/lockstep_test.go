package pipeline

import (
	"context"
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
