package aireport

import (
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

func TestProgress(t *testing.T) {
	var ctr Counters
	ctr.Lines.Store(12345)
	ctr.Bytes.Store(5e6)
	var out syncbuf.Buffer
	changed := out.Changed()
	stop, done := make(chan struct{}), make(chan struct{})
	go Progress(&out, &ctr, 3, 0, time.Millisecond, stop, done)
	// Wait for the first progress line (each write is announced); the
	// guard only turns a hang into a failure.
	guard := time.After(30 * time.Second)
	for !strings.Contains(out.String(), "12345 lines") {
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("no progress line: %q", out.String())
		}
	}
	close(stop)
	<-done
	s := out.String()
	if !strings.Contains(s, "aireport: 12345 lines, 5 MB") || !strings.Contains(s, "file 1/3") || !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("progress output %q", s)
	}
	// a run shorter than the delay prints nothing
	var quiet syncbuf.Buffer
	stop, done = make(chan struct{}), make(chan struct{})
	go Progress(&quiet, &ctr, 1, time.Hour, time.Second, stop, done)
	close(stop)
	<-done
	if quiet.String() != "" {
		t.Errorf("short run printed %q", quiet.String())
	}
}
