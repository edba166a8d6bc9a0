package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

// TestSumsAfterSIGUSR1 adds up every output that carries counts — the
// key=value lines, the JSON lines and the syslog datagrams — after SIGUSR1
// previews, a minute that closes after a preview, and the open minute
// flushed at end of input: skipping snapshot rows (docs/outputs.md), each
// line is counted exactly once.
func TestSumsAfterSIGUSR1(t *testing.T) {
	dir := t.TempDir()
	sockPath := filepath.Join(dir, "s.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mu sync.Mutex
	var datagrams []string
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			datagrams = append(datagrams, string(buf[:n]))
			mu.Unlock()
		}
	}()

	sigs := make(chan chan<- os.Signal, 1)
	old := notifySignals
	notifySignals = func(c chan<- os.Signal) func() { sigs <- c; return func() {} }
	defer func() { notifySignals = old }()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC).UnixNano())
	defer setNow(func() time.Time { return time.Unix(0, clock.Load()).UTC() })()

	stdin, feed := io.Pipe()
	var stdout, stderr syncbuf.Buffer
	jsonPath := filepath.Join(dir, "summaries.json")
	exit := make(chan int, 1)
	go func() {
		exit <- run(context.Background(), []string{"--rules", "../../examples/sshd/rules.yaml", "--kv", "-", "--json", jsonPath,
			"--syslog", sockPath, "--tick", "10ms", "--workers", "1"}, stdin, &stdout, &stderr)
	}()
	signal := <-sigs
	send := func(n int) {
		for i := 0; i < n; i++ {
			io.WriteString(feed, "Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2\n")
		}
	}
	rows := func() int { return strings.Count(stdout.String(), "category=sshd ") }
	preview := func() {
		before := rows()
		signal <- syscall.SIGUSR1
		pollUntil(t, "a snapshot row", func() bool { return rows() > before })
	}
	send(3)
	pollUntil(t, "3 lines counted", func() bool {
		signal <- syscall.SIGUSR1
		time.Sleep(20 * time.Millisecond)
		return strings.Contains(stdout.String(), "lines=3 ")
	})
	send(2)
	time.Sleep(50 * time.Millisecond)
	preview()
	clock.Add(int64(time.Minute)) // 10:00 closes: its full row
	pollUntil(t, "the full 10:00 row", func() bool {
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(l, "category=sshd minute=2026-11-22T10:00:00Z lines=") {
				return true
			}
		}
		return false
	})
	send(4)
	time.Sleep(50 * time.Millisecond)
	preview()
	feed.Close() // end of input: the open 10:01 minute is flushed, partial, not a snapshot
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	const want = 9

	sumKV := func(name string, lines []string) {
		t.Helper()
		total, snapshots := 0, 0
		for _, l := range lines {
			if i := strings.Index(l, "category=sshd "); i >= 0 {
				l = l[i:]
			} else {
				continue
			}
			if strings.Contains(l, " snapshot=1") {
				snapshots++
				continue
			}
			for _, kv := range strings.Fields(l) {
				if v, ok := strings.CutPrefix(kv, "lines="); ok {
					n, _ := strconv.Atoi(v)
					total += n
				}
			}
		}
		if total != want || snapshots < 3 {
			t.Errorf("%s: non-snapshot rows add up to %d lines, want %d (%d snapshot rows skipped, want at least 3)", name, total, want, snapshots)
		}
	}
	sumKV("key=value lines", strings.Split(stdout.String(), "\n"))
	pollUntil(t, "the last datagram", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(datagrams) > 0 && strings.Contains(datagrams[len(datagrams)-1], "minute=2026-11-22T10:01:00Z partial=1")
	})
	mu.Lock()
	sumKV("syslog", datagrams)
	mu.Unlock()

	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	total, snapshots := 0, 0
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var row struct {
			Category string `json:"category"`
			Snapshot bool   `json:"snapshot"`
			Lines    int    `json:"lines"`
		}
		if err := json.Unmarshal(l, &row); err != nil || row.Category != "sshd" {
			continue
		}
		if row.Snapshot {
			snapshots++
			continue
		}
		total += row.Lines
	}
	if total != want || snapshots < 3 {
		t.Errorf("JSON lines: non-snapshot rows add up to %d lines, want %d (%d snapshots)", total, want, snapshots)
	}
}
