package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
)

func reloadRules(file string, alpha float64) string {
	return fmt.Sprintf(`categories:
  - name: sshd
    match: {program: sshd}
    forecast: {period: 10, alpha: %v, delta_pos: %v}
    rules:
      - name: accepted
        pattern: 'Accepted \S+ for (?P<user>\S+)'
        count: accepted
        top: {users: {key: "${user}", file: %s}}
`, alpha, 1+alpha*4, file)
}

// SIGHUP reloads what the README promises: the --kv file is reopened
// (logrotate moved it), and the top files and forecast parameters come
// from the new rule file. Before, --kv kept writing to the moved file, the
// top files stayed those of the first rule file, and the RRD files kept
// the old forecast.
func TestSIGHUPReloadsEverything(t *testing.T) {
	rrdtool, err := exec.LookPath("rrdtool")
	if err != nil {
		t.Fatal("rrdtool not installed: run `make deps`")
	}
	dir := t.TempDir()
	rulePath, kv, top, rrdDir := filepath.Join(dir, "rules.yaml"), filepath.Join(dir, "s.kv"), filepath.Join(dir, "top"), filepath.Join(dir, "rrd")
	if err := os.WriteFile(rulePath, []byte(reloadRules("users-before", 0.1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan chan<- os.Signal, 1)
	old := notifySignals
	notifySignals = func(c chan<- os.Signal) func() { sigs <- c; return func() {} }
	defer func() { notifySignals = old }()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC).UnixNano())
	defer setNow(func() time.Time { return time.Unix(0, clock.Load()).UTC() })()

	stdin, feed := io.Pipe()
	var stdout, stderr syncbuf.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(context.Background(), []string{"--rules", rulePath, "--syslog", "none", "--kv", kv, "--top-dir", top,
			"--rrd-dir", rrdDir, "--json", "-", "--tick", "10ms"}, stdin, &stdout, &stderr)
	}()
	signal := <-sigs
	// login feeds a line and waits until it is counted (a SIGUSR1 snapshot
	// on stdout shows it) before the test moves the clock.
	login := func(user, minute string) {
		io.WriteString(feed, "Nov 22 10:00:01 h sshd[1]: Accepted password for "+user+" from 10.0.0.1 port 1 ssh2\n")
		waitFor(t, user+"'s login counted", &stdout, func(s string) bool {
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, `"minute":"2026-11-22T`+minute+`:00Z","partial":true`) && strings.Contains(l, `"accepted":1`) {
					return true
				}
			}
			return false
		}, func() { signal <- syscall.SIGUSR1 })
	}
	login("ann", "10:00")
	clock.Store(time.Date(2026, 11, 22, 10, 1, 30, 0, time.UTC).UnixNano())
	waitUntil(t, "minute 10:00 in the top file", &stderr, func() bool {
		b, _ := os.ReadFile(filepath.Join(top, "users-before"))
		return string(b) == "ann=1\n"
	})

	// logrotate moves the kv file; the operator edits the rule file.
	if err := os.Rename(kv, kv+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rulePath, []byte(reloadRules("users-after", 0.5)), 0o644); err != nil {
		t.Fatal(err)
	}
	signal <- syscall.SIGHUP
	waitUntil(t, "the reload", &stderr, func() bool { return strings.Contains(stderr.String(), "rules reloaded") })
	login("bob", "10:01")
	clock.Store(time.Date(2026, 11, 22, 10, 2, 30, 0, time.UTC).UnixNano())
	waitUntil(t, "minute 10:01 in the new top file", &stderr, func() bool {
		b, _ := os.ReadFile(filepath.Join(top, "users-after"))
		return string(b) == "bob=1\n"
	})
	signal <- syscall.SIGTERM
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}

	if b, _ := os.ReadFile(kv); !strings.Contains(string(b), "category=sshd minute=2026-11-22T10:01:00Z lines=1") {
		t.Errorf("--kv not reopened: the new file holds\n%s", b)
	}
	if b, _ := os.ReadFile(kv + ".1"); strings.Contains(string(b), "minute=2026-11-22T10:01:00Z") {
		t.Errorf("--kv still wrote to the moved file")
	}
	if b, _ := os.ReadFile(filepath.Join(top, "users-before")); string(b) != "ann=1\n" {
		t.Errorf("the old top file changed after the reload: %q", b)
	}
	out, err := exec.Command(rrdtool, "info", filepath.Join(rrdDir, "sshd", "accepted.rrd")).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool info: %v: %s", err, out)
	}
	for _, want := range []string{".alpha = 5.0000000000e-01", ".delta_pos = 3.0000000000e+00"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the RRD file does not have the reloaded forecast: no %q in\n%s", want, grepLines(string(out), "alpha", "delta"))
		}
	}
	if !strings.Contains(stderr.String(), "file tuned to the rule file's forecast") {
		t.Errorf("the tuning was not logged:\n%s", stderr.String())
	}
}

func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
