package aireport

import (
	"github.com/logtally/logtally/internal/syncbuf"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var ctr Counters
	ctr.Lines.Store(12345)
	ctr.Bytes.Store(5e6)
	var out syncbuf.Buffer
	stop, done := make(chan struct{}), make(chan struct{})
	go Progress(&out, &ctr, 3, 0, time.Millisecond, stop, done)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "12345 lines") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
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
