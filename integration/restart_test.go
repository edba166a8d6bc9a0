package integration

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// TestRsyslogRestart stops rsyslog while summarize is still working
// through a queued stream and starts it again: the example's disk-assisted
// queue keeps what summarize had not confirmed, summarize's checkpoint
// keeps the open minute. Nothing is lost or counted twice.
func TestRsyslogRestart(t *testing.T) {
	d := newDaemon(t, setup{})
	d.start()
	a := makeCorpus(100000, "a")
	d.sendTCP(a.lines)
	// Everything is queued (a line in received.log was handed to the
	// example's action first), so stopping loses nothing on the input side.
	waitForEvery(t, 60*time.Second, 20*time.Millisecond, "stream queued", func() (bool, string) {
		n := d.received()
		return n == len(a.lines), fmt.Sprintf("received %d", n)
	})
	// Stop while summarize is in the middle of the stream, if it still is.
	if n, all := readBytes(d.summarizePID()), streamBytes(a.lines); n >= all {
		t.Logf("summarize had read the whole stream before the stop (machine fast); restarting anyway")
	}
	before := d.counted()
	d.stop()
	t.Logf("rsyslog stopped with %d of %d lines counted (checkpoint and closed minutes), %d queued", before, len(a.lines), d.received())
	d.start()
	b := makeCorpus(5000, "b")
	d.sendTCP(b.lines)
	rows := d.drain(uint64(len(a.lines)+len(b.lines)), 120*time.Second)
	if got, want := total(rows, "sshd", "failed"), a.failed+b.failed; got != want {
		t.Errorf("failed = %d, want %d", got, want)
	}
	uniqueMinutes(t, rows)
}

// streamBytes is the size of lines as sent, newlines included.
func streamBytes(lines []string) uint64 {
	var n uint64
	for _, l := range lines {
		n += uint64(len(l)) + 1
	}
	return n
}

// TestSummarizeTerminated stops summarize gracefully (SIGTERM) in the
// middle of a stream with confirmations on: it checkpoints and exits,
// rsyslog restarts it and re-sends the unconfirmed line. Nothing is lost or
// counted twice.
func TestSummarizeTerminated(t *testing.T) {
	const n = 50000
	d := newDaemon(t, setup{})
	d.start()
	c := makeCorpus(n, "term")
	d.sendTCP(c.lines)
	var stopped int
	third := streamBytes(c.lines) / 3
	waitForEvery(t, 120*time.Second, 5*time.Millisecond, "summarize in the middle of the stream", func() (bool, string) {
		if n := readBytes(d.summarizePID()); n < third {
			return false, fmt.Sprintf("read %d bytes", n)
		}
		stopped = d.signalSummarize(syscall.SIGTERM)
		return stopped != 0, "no summarize"
	})
	rows := d.drain(n, 120*time.Second)
	c.check(t, rows, 1)
	uniqueMinutes(t, rows)
	if pid := d.summarizePID(); pid == stopped {
		t.Errorf("summarize was not restarted")
	}
}
