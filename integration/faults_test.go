package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// child is summarize run directly, as omprog runs it: lines on a stdin
// pipe, replies on stdout, diagnostics on stderr.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	exit   time.Time
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{t: t, done: make(chan struct{})}
	c.cmd = exec.Command(summarizeBin, args...)
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	c.cmd.Stdout = io.Discard
	c.cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.stderr.Write(p)
	})
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); c.exit = time.Now(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	// Signals are only safe once summarize handles them.
	waitFor(t, 30*time.Second, "summarize ready", func() (bool, string) {
		return catches(c.cmd.Process.Pid, syscall.SIGUSR1), c.errors()
	})
	return c
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (c *child) errors() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

func (c *child) send(lines []string) {
	c.t.Helper()
	w := bufio.NewWriter(c.stdin)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// fileLines sums the self category's lines over the last row of each
// minute in a kv or JSON lines file.
func jsonLines(t *testing.T, path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	last := map[string]uint64{}
	for _, l := range strings.Split(string(b), "\n") {
		var s struct {
			Category string `json:"category"`
			Minute   string `json:"minute"`
			Lines    uint64 `json:"lines"`
		}
		if json.Unmarshal([]byte(l), &s) == nil && s.Category == "logtally" {
			last[s.Minute] = s.Lines
		}
	}
	var n uint64
	for _, v := range last {
		n += v
	}
	return n
}

// TestSyslogTargetMissing: the syslog socket does not exist yet. Counting
// goes on (the JSON output has every line), the summaries wait in the
// backlog and arrive once the socket appears.
func TestSyslogTargetMissing(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sum.sock")
	jsonPath := filepath.Join(dir, "summaries.json")
	c := startChild(t, "--rules", "testdata/rules.yaml", "--syslog", sock, "--json", jsonPath, "--confirm")
	corp := makeCorpus(1000, "nosock")
	c.send(corp.lines)
	waitFor(t, 60*time.Second, "lines counted while syslog is down", func() (bool, string) {
		_ = c.cmd.Process.Signal(syscall.SIGUSR1)
		n := jsonLines(t, jsonPath)
		return n == 1000, fmt.Sprintf("json has %d lines; stderr: %s", n, c.errors())
	})
	// The target appears: what waited in the backlog is delivered.
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 100)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := l.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- string(buf[:n])
		}
	}()
	c.send(makeCorpus(10, "sock").lines)
	var msgs []string
	waitFor(t, 60*time.Second, "backlog delivered", func() (bool, string) {
		_ = c.cmd.Process.Signal(syscall.SIGUSR1)
		for {
			select {
			case m := <-got:
				msgs = append(msgs, m)
				continue
			default:
			}
			break
		}
		for _, m := range msgs {
			if strings.Contains(m, "category=logtally") && strings.Contains(m, " lines=1010 ") {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d messages", len(msgs))
	})
	// The first snapshot, taken while the socket was missing, came too.
	first := false
	for _, m := range msgs {
		first = first || (strings.Contains(m, "category=logtally") && strings.Contains(m, " lines=1000 "))
	}
	if !first {
		t.Errorf("summaries from while the target was missing were not delivered: %q", msgs)
	}
	c.stdin.Close()
	<-c.done
}

// TestSyslogDropsReported: the syslog target is missing and the backlog
// (--syslog-backlog 2) overflows: counting goes on, and the dropped summary
// lines are counted and reported (dropped=N) in the self category's next
// summary.
func TestSyslogDropsReported(t *testing.T) {
	dir := t.TempDir()
	kv := filepath.Join(dir, "summaries.kv")
	c := startChild(t, "--rules", "testdata/rules.yaml", "--syslog", filepath.Join(dir, "missing.sock"),
		"--syslog-backlog", "2", "--kv", kv)
	c.send(makeCorpus(100, "drops").lines)
	re := regexp.MustCompile(`category=logtally .* dropped=([0-9]+)`)
	waitFor(t, 60*time.Second, "drops reported", func() (bool, string) {
		_ = c.cmd.Process.Signal(syscall.SIGUSR1)
		b, _ := os.ReadFile(kv)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "0" {
				return true, ""
			}
		}
		return false, string(b)
	})
	c.stdin.Close()
	<-c.done
}

// TestUnwritableOutputs: a file output on a full disk (/dev/full) and a
// spool that cannot create its directory: errors on stderr naming the
// paths; the JSON output and the counting go on.
func TestUnwritableOutputs(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	if err := os.MkdirAll(spool, 0o755); err != nil {
		t.Fatal(err)
	}
	// The uncategorized spool's directory is taken by a file.
	blocker := filepath.Join(spool, "_uncategorized")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "summaries.json")
	c := startChild(t, "--rules", "testdata/rules.yaml", "--syslog", "none", "--kv", "/dev/full",
		"--spool-dir", spool, "--json", jsonPath)
	corp := makeCorpus(2000, "full")
	c.send(corp.lines)
	waitFor(t, 60*time.Second, "lines counted despite the failing outputs", func() (bool, string) {
		_ = c.cmd.Process.Signal(syscall.SIGUSR1)
		n := jsonLines(t, jsonPath)
		return n == 2000, fmt.Sprintf("json has %d lines; stderr: %s", n, c.errors())
	})
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatal("summarize did not exit after stdin closed")
	}
	stderr := c.errors()
	for _, want := range []string{"/dev/full", spool} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %s:\n%s", want, stderr)
		}
	}
}

// TestExitWhileOutputBlocked: stdin closes while the kv output is stuck
// writing to a FIFO nobody reads. summarize still exits, within the close
// timeout plus 3s, before omprog's closeTimeout (5s in the example) kills it.
func TestExitWhileOutputBlocked(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "kv.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// A reader that never reads, and the pipe filled to the brim.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	fill := bytes.Repeat([]byte("x"), 4096)
	for {
		if _, err := syscall.Write(int(w.Fd()), fill); err != nil {
			break
		}
	}
	for {
		if _, err := syscall.Write(int(w.Fd()), fill[:1]); err != nil {
			break
		}
	}
	defer w.Close()
	c := startChild(t, "--rules", "testdata/rules.yaml", "--syslog", "none", "--kv", fifo, "--close-timeout", "500ms")
	c.send(makeCorpus(100, "blocked").lines)
	_ = c.cmd.Process.Signal(syscall.SIGUSR1) // the kv write blocks now
	closed := time.Now()
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		t.Fatal("summarize hung on the blocked output after stdin closed")
	}
	took := c.exit.Sub(closed)
	t.Logf("exited %v after stdin closed", took)
	// 500ms+3s is the watchdog; the rest is slack for a loaded machine.
	if took > 10*time.Second {
		t.Errorf("exit took %v", took)
	}
}
