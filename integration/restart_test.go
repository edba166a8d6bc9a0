package integration

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/pipeline"
)

// TestRsyslogRestart stops rsyslog while summarize is still working
// through a queued stream and starts it again: the example's disk-assisted
// queue keeps what summarize had not confirmed, summarize's checkpoint
// keeps the open minute. Nothing is lost or counted twice.
func TestRsyslogRestart(t *testing.T) {
	d := newDaemon(t, setup{})
	d.start()
	a := makeCorpus(60000, "a")
	d.sendTCP(a.lines)
	waitFor(t, 60*time.Second, "first stream queued", func() (bool, string) {
		n := d.received()
		return n == len(a.lines), fmt.Sprintf("received %d", n)
	})
	// Stop once summarize is under way (a checkpoint was written).
	var before uint64
	waitFor(t, 60*time.Second, "summarize under way", func() (bool, string) {
		before = d.counted()
		return before > 0, "nothing counted yet"
	})
	d.stop()
	t.Logf("rsyslog stopped with %d of %d lines counted (checkpoint and closed minutes)", before, len(a.lines))
	d.start()
	b := makeCorpus(5000, "b")
	d.sendTCP(b.lines)
	rows := d.drain(uint64(len(a.lines)+len(b.lines)), 120*time.Second)
	if got, want := total(rows, "sshd", "failed"), a.failed+b.failed; got != want {
		t.Errorf("failed = %d, want %d", got, want)
	}
	uniqueMinutes(t, rows)
}

// TestSummarizeKilled SIGKILLs summarize in the middle of a 100,000-line
// stream with confirmations on: rsyslog restarts it and re-sends the line
// it had not confirmed. What is lost is what summarize had confirmed since
// its last checkpoint; nothing is counted twice.
func TestSummarizeKilled(t *testing.T) {
	const n = 100000
	d := newDaemon(t, setup{})
	d.start()
	c := makeCorpus(n, "k")
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		d.sendTCP(append(c.lines, line("sentinel", "end")))
	}()
	var killed int
	waitFor(t, 120*time.Second, "summarize in the middle of the stream", func() (bool, string) {
		got := d.counted()
		if got >= n/4 && got < n*3/4 {
			// counted() moves when a checkpoint is written: kill at a
			// random point of the checkpoint interval, not right after one.
			delay := time.Duration(rand.Int64N(int64(time.Second)))
			time.Sleep(delay)
			killed = d.signalSummarize(syscall.SIGKILL)
			t.Logf("SIGKILL %v after a checkpoint with %d lines", delay, got)
			return killed != 0, "no summarize"
		}
		if got >= n*3/4 {
			t.Fatalf("stream too far along (%d lines) to kill in the middle", got)
		}
		return false, fmt.Sprintf("counted %d", got)
	})
	<-sent
	waitFor(t, 120*time.Second, "the stream's last line counted", func() (bool, string) {
		rows := d.summaries()
		if total(rows, "sentinel", "lines") == 1 {
			return true, ""
		}
		d.signalSummarize(syscall.SIGUSR1)
		return false, fmt.Sprintf("counted %d", d.counted())
	})
	if pid := d.summarizePID(); pid == killed || pid == 0 {
		t.Errorf("summarize was not restarted (pid %d, killed %d)", pid, killed)
	}
	rows := d.summaries()
	got := total(rows, pipeline.SelfCategory, "lines") - 1
	loss := int64(n) - int64(got)
	t.Logf("SIGKILL mid-stream: %d of %d lines counted, %d lost (confirmed since the last checkpoint)", got, n, loss)
	if loss < 0 {
		t.Errorf("counted %d lines of %d: double counting", got, n)
	}
	if loss > n/4 {
		t.Errorf("lost %d lines: more than a checkpoint interval's worth", loss)
	}
	uniqueMinutes(t, rows)
}
