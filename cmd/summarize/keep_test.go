package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

// rsyslog removes the socket summaries go back to when it stops, before it
// closes summarize's stdin. A minute that closes then (here: at exit) must
// not be lost: with --checkpoint its rows wait in FILE.syslog and the next
// start sends them, once.
func TestSyslogRowsKeptAcrossExit(t *testing.T) {
	dir := t.TempDir()
	sock, cp := filepath.Join(dir, "summary.sock"), filepath.Join(dir, "checkpoint")
	args := []string{"--rules", "../../examples/sshd/rules.yaml", "--syslog", sock, "--checkpoint", cp, "--close-timeout", "50ms"}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC).UnixNano())
	defer setNow(func() time.Time { return time.Unix(0, clock.Load()).UTC() })()

	// First run: the line is counted in 10:00; at exit it is 10:01:30, so
	// 10:00 closes — with nobody listening on the socket.
	in := "Nov 22 10:00:01 h sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2\n"
	pr, pw := io.Pipe()
	var stdout, stderr syncbuf.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(context.Background(), append(args, "--checkpoint-every", "10ms"), pr, &stdout, &stderr)
	}()
	io.WriteString(pw, in)
	waitUntil(t, "the line in the checkpoint", &stderr, func() bool { st, err := os.Stat(cp); return err == nil && st.Size() > 40 })
	clock.Add(int64(time.Minute))
	pw.Close()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	kept, err := os.ReadFile(cp + ".syslog")
	if err != nil || !strings.Contains(string(kept), "category=sshd minute=2026-11-22T10:00:00Z lines=1") {
		t.Fatalf("minute 10:00 not kept (%v): %q\n%s", err, kept, stderr.String())
	}
	if !strings.Contains(stderr.String(), "kept for the next start") || strings.Contains(stderr.String(), "close failed") {
		t.Errorf("the exit does not say the rows were kept:\n%s", stderr.String())
	}

	// Second run: rsyslog is back; the kept rows go out first, then the
	// file is gone.
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stderr = syncbuf.Buffer{}
	if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("second exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(cp + ".syslog"); !os.IsNotExist(err) {
		t.Errorf("keep file still there: %v", err)
	}
	ln.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64<<10)
	sshd := 0
	for {
		n, err := ln.Read(buf)
		if err != nil {
			break
		}
		if strings.Contains(string(buf[:n]), "category=sshd minute=2026-11-22T10:00:00Z") {
			sshd++
		}
		ln.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	}
	if sshd != 1 {
		t.Errorf("minute 10:00's sshd row arrived %d times, want 1\n%s", sshd, stderr.String())
	}
}
