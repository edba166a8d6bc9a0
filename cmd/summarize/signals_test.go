package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

// hangGuard only turns a hang into a failure; no outcome depends on it.
const hangGuard = 30 * time.Second

// waitFor waits until cond holds for buf's content, re-checking after each
// write to buf; poke, when not nil, is called first and again whenever
// nothing was written for a while (a SIGUSR1 before any minute is open
// emits nothing).
func waitFor(t *testing.T, what string, buf *syncbuf.Buffer, cond func(string) bool, poke func()) {
	t.Helper()
	guard := time.After(hangGuard)
	changed := buf.Changed()
	for {
		if poke != nil {
			poke()
		}
		if cond(buf.String()) {
			return
		}
		var nudge <-chan time.Time
		if poke != nil {
			nudge = time.After(100 * time.Millisecond)
		}
		select {
		case <-changed:
		case <-nudge:
		case <-guard:
			t.Fatalf("%s: not within %v (hang)", what, hangGuard)
		}
	}
}

// Signals as an operator sends them: SIGUSR1 shows the open minute now,
// SIGHUP with a broken rule file keeps the old rules (and says why), SIGHUP
// with a good one swaps them keeping the counts, SIGTERM emits the open
// minute as partial and exits 0 at once, with stdin still open.
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	rulePath := filepath.Join(dir, "rules.yaml")
	good, err := os.ReadFile("../../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rulePath, good, 0o644); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan chan<- os.Signal, 1)
	old := notifySignals
	notifySignals = func(c chan<- os.Signal) func() { sigs <- c; return func() {} }
	defer func() { notifySignals = old }()

	// A fixed clock: the test must not straddle a minute boundary.
	defer setNow(func() time.Time { return time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC) })()

	stdin, feed := io.Pipe()
	defer feed.Close()
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(context.Background(), []string{"--rules", rulePath, "--syslog", "none", "--kv", "-", "--workers", "2"}, stdin, stdout, stderr)
	}()
	signal := <-sigs
	io.WriteString(feed, "Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2\n")

	// SIGUSR1 until a snapshot shows the line: it is read, parsed and
	// counted on other goroutines than the one that takes the signal.
	usr1 := func() { signal <- syscall.SIGUSR1 }
	contains := func(s string) func(string) bool { return func(out string) bool { return strings.Contains(out, s) } }
	waitFor(t, "SIGUSR1 shows the counted line", stdout, contains("accepted=1"), usr1)

	if err := os.WriteFile(rulePath, []byte("categories:\n  - name: sshd\n    bogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signal <- syscall.SIGHUP
	waitFor(t, "a bad reload is reported", stderr, func(e string) bool {
		return strings.Contains(e, "old rules stay in force") && strings.Contains(e, "rules.yaml:3:5")
	}, nil)

	if err := os.WriteFile(rulePath, good, 0o644); err != nil {
		t.Fatal(err)
	}
	signal <- syscall.SIGHUP
	waitFor(t, "a good reload is reported", stderr, contains("rules reloaded"), nil)
	io.WriteString(feed, "Nov 22 10:00:02 h sshd[1]: Accepted password for bob from 10.0.0.2 port 1 ssh2\n")
	waitFor(t, "SIGUSR1 shows the second line counted with the first", stdout, contains("accepted=2"), usr1)

	// SIGTERM ends the run at once: stdin stays open (feed is closed only
	// when the test returns), so returning at all proves run did not wait
	// for the end of input.
	signal <- syscall.SIGTERM
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d after SIGTERM: %s", code, stderr.String())
		}
	case <-time.After(hangGuard):
		t.Fatal("SIGTERM did not end the run while stdin stayed open")
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	last := ""
	for _, l := range lines {
		if strings.HasPrefix(l, "category=sshd ") {
			last = l
		}
	}
	if !strings.Contains(last, "partial=1") || !strings.Contains(last, "accepted=2") {
		t.Fatalf("last sshd summary %q: want partial=1 and accepted=2 (kept across reloads)", last)
	}
}

func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A report in the first minutes: SIGUSR2 completes the open spool files
// without emitting anything, SIGUSR1 completes them too (and emits), so
// aireport can read every unknown line at once instead of after
// --spool-max-age.
func TestSignalsCompleteSpool(t *testing.T) {
	dir := t.TempDir()
	sigs := make(chan chan<- os.Signal, 1)
	old := notifySignals
	notifySignals = func(c chan<- os.Signal) func() { sigs <- c; return func() {} }
	defer func() { notifySignals = old }()
	defer setNow(func() time.Time { return time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC) })()

	stdin, feed := io.Pipe()
	defer feed.Close()
	var stdout, stderr syncbuf.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(context.Background(), []string{"--rules", "../../examples/sshd/rules.yaml", "--syslog", "none", "--kv", "-", "--spool-dir", dir}, stdin, &stdout, &stderr)
	}()
	signal := <-sigs
	spoolDir := filepath.Join(dir, "sshd")
	complete := func() (done, tmp int) {
		ents, _ := os.ReadDir(spoolDir)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") {
				tmp++
			} else {
				done++
			}
		}
		return done, tmp
	}
	io.WriteString(feed, "Nov 22 10:00:01 h sshd[1]: something no rule knows\n")
	pollUntil(t, "the unknown line is spooled to a .tmp file", func() bool { _, tmp := complete(); return tmp == 1 })
	signal <- syscall.SIGUSR2
	pollUntil(t, "SIGUSR2 completes the spool file", func() bool { done, tmp := complete(); return done == 1 && tmp == 0 })
	if strings.Contains(stdout.String(), "category=") {
		t.Errorf("SIGUSR2 emitted a summary: %q", stdout.String())
	}
	io.WriteString(feed, "Nov 22 10:00:02 h sshd[1]: something else no rule knows\n")
	pollUntil(t, "a new .tmp file", func() bool { _, tmp := complete(); return tmp == 1 })
	signal <- syscall.SIGUSR1
	pollUntil(t, "SIGUSR1 completes it too", func() bool { done, tmp := complete(); return done == 2 && tmp == 0 })
	pollUntil(t, "SIGUSR1 emits", func() bool { return strings.Contains(stdout.String(), "category=sshd") })
	signal <- syscall.SIGTERM
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
