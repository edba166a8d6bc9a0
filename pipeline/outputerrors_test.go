package pipeline

import (
	"errors"
	"testing"
	"time"

	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

type failingOutput struct{ writes int }

func (f *failingOutput) Write([]tally.Summary) error { f.writes++; return errors.New("disk full") }
func (f *failingOutput) Close() error                { return nil }

// Every failed write is counted once in a later logtally row: pending
// failures go into the open minute at a tick, into the next row written
// when several rows go out at once (the exit flush), never into a SIGUSR1
// snapshot (its minute is written again, whole). Only the very last write
// has no row left to be counted in.
func TestOutputErrorsCountedOnce(t *testing.T) {
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	out, bad := &collect{}, &failingOutput{}
	e, err := New(Config{Rules: set, Now: func() time.Time { return m0 }, Location: time.UTC, Outputs: []Output{out, bad}})
	if err != nil {
		t.Fatal(err)
	}
	e.Line([]byte("Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2"), m0.Add(time.Second))
	e.Tick(m0.Add(time.Minute + 5*time.Second)) // 10:00 closes: 1 failure
	e.Line([]byte("Nov 22 10:01:06 h sshd[1]: Accepted password for bob from 10.0.0.1 port 1 ssh2"), m0.Add(time.Minute+6*time.Second))
	e.emit(e.agg.Snapshot()) // SIGUSR1 at 10:01: 2 failures
	e.Tick(m0.Add(2*time.Minute + 5*time.Second))
	e.Flush(m0.Add(2*time.Minute + 30*time.Second)) // exit: 10:02 partial, the last write
	var counted uint64
	for _, r := range out.rows {
		if r.Category != SelfCategory {
			continue
		}
		v := r.Counters[selfOutputErrors].Value
		if r.Partial && r.Minute.Equal(m0.Add(time.Minute)) && v != 0 {
			t.Errorf("the SIGUSR1 snapshot of 10:01 counts %d output errors; its whole row comes later", v)
		}
		if !(r.Partial && r.Minute.Equal(m0.Add(time.Minute))) {
			counted += v
		}
	}
	if bad.writes != 4 || counted != 3 {
		t.Errorf("%d failed writes, %d counted in the rows; want 4 and 3 (all but the last)", bad.writes, counted)
	}
}
