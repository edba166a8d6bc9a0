package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/pipeline"
)

// corpus is a known input: n lines over sshd (accepted/failed) and app
// (errors or not), plus lines of a program no category claims.
type corpus struct {
	lines                           []string
	accepted, failed, errors, other uint64
	sshd, app                       uint64
}

func makeCorpus(n int, tag string) corpus {
	var c corpus
	for i := range n {
		switch i % 5 {
		case 0:
			c.lines = append(c.lines, line("sshd", fmt.Sprintf("Accepted password for u%d from 10.0.0.%d port 22 ssh2 %s", i%7, i%9, tag)))
			c.accepted++
			c.sshd++
		case 1, 2:
			c.lines = append(c.lines, line("sshd", fmt.Sprintf("Failed password for u%d from 10.0.1.%d port 22 ssh2 %s", i%5, i%11, tag)))
			c.failed++
			c.sshd++
		case 3:
			msg := "all good"
			if i%2 == 1 {
				msg = "ERROR disk full"
				c.errors++
			}
			c.lines = append(c.lines, line("app", fmt.Sprintf("%s %d %s", msg, i, tag)))
			c.app++
		default:
			c.lines = append(c.lines, line("cron", fmt.Sprintf("job %d ran %s", i, tag)))
			c.other++
		}
	}
	return c
}

func (c corpus) check(t *testing.T, rows []row, times uint64) {
	t.Helper()
	for _, k := range []struct {
		category, key string
		want          uint64
	}{
		{"sshd", "lines", c.sshd},
		{"sshd", "accepted", c.accepted},
		{"sshd", "failed", c.failed},
		{"app", "lines", c.app},
		{"app", "errors", c.errors},
		{pipeline.SelfCategory, "uncategorized", c.other},
		{pipeline.SelfCategory, "lines", uint64(len(c.lines))},
	} {
		if got := total(rows, k.category, k.key); got != k.want*times {
			t.Errorf("%s %s = %d, want %d", k.category, k.key, got, k.want*times)
		}
	}
}

// uniqueMinutes fails when a category's minute was emitted complete twice
// (partial snapshots before it are fine), or a partial row came after the
// complete one.
func uniqueMinutes(t *testing.T, rows []row) {
	t.Helper()
	complete := map[string]bool{}
	for _, r := range rows {
		k := r.category + " " + r.minute
		if complete[k] {
			t.Errorf("minute emitted again after it was complete: %s", k)
		}
		if !r.partial {
			complete[k] = true
		}
	}
}

// TestExactCounts sends a known input over TCP, UDP and the unix socket
// through rsyslog into summarize and reads the summaries back from the
// example's dedicated socket and omfile: exact counts, with confirmations
// on and off and with transactions, and no loop (rsyslog's own messages and the summaries are
// not counted).
func TestExactCounts(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    setup
	}{
		{"confirm", setup{}},
		{"no-confirm", setup{confirmOff: true}},
		{"transactions", setup{tx: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDaemon(t, tc.s)
			d.start()
			c := makeCorpus(3000, "tcp")
			d.sendTCP(c.lines)
			u := makeCorpus(500, "unix")
			for i := range u.lines {
				u.lines[i] = localLine(u.lines[i])
			}
			d.sendUnix(u.lines)
			p := makeCorpus(200, "udp")
			d.sendUDP(p.lines)
			all := corpus{lines: append(append(c.lines, u.lines...), p.lines...),
				accepted: c.accepted + u.accepted + p.accepted, failed: c.failed + u.failed + p.failed,
				errors: c.errors + u.errors + p.errors, other: c.other + u.other + p.other,
				sshd: c.sshd + u.sshd + p.sshd, app: c.app + u.app + p.app}
			rows := d.drain(uint64(len(all.lines)), 90*time.Second)
			all.check(t, rows, 1)
			uniqueMinutes(t, rows)
			if log := d.file("log/summarize.log"); strings.Contains(log, "level=ERROR") {
				t.Errorf("summarize logged errors:\n%s", log)
			}
			if tc.name == "confirm" {
				d.checkEveryOutput(t)
			}
		})
	}
}

// checkEveryOutput: the example turns on every output at the paths of
// docs/install.md (moved into the test directory); after the minutes the
// test emitted (SIGUSR1) each has written something. RRD files are left
// out: they take only full minutes, and this test lasts seconds.
func (d *daemon) checkEveryOutput(t *testing.T) {
	t.Helper()
	for _, p := range []string{"log/summaries.json", "prom/logtally.prom", "log/summaries.log"} {
		if st, err := os.Stat(filepath.Join(d.dir, p)); err != nil || st.Size() == 0 {
			t.Errorf("output %s missing or empty (%v)", p, err)
		}
	}
	// the node exporter runs as its own user: the textfile must be world-readable
	if st, err := os.Stat(filepath.Join(d.dir, "prom/logtally.prom")); err == nil && st.Mode().Perm()&0o004 == 0 {
		t.Errorf("prom/logtally.prom has mode %v: the node exporter cannot read it", st.Mode().Perm())
	}
	for _, g := range []string{"lib/spool/*/unknown-*", "lib/state/checkpoint"} {
		if m, _ := filepath.Glob(filepath.Join(d.dir, g)); len(m) == 0 {
			t.Errorf("no %s", g)
		}
	}
}

// TestHUP: rsyslog forwards HUP (hup.signal) to summarize, which reloads
// the rules; the counts of the open minute are kept.
func TestHUP(t *testing.T) {
	d := newDaemon(t, setup{})
	d.start()
	a := makeCorpus(1000, "before")
	d.sendTCP(a.lines)
	waitFor(t, 60*time.Second, "first batch counted", func() (bool, string) {
		n := d.counted()
		return n == uint64(len(a.lines)), fmt.Sprintf("counted %d", n)
	})
	rules := strings.Replace(readFile(t, "testdata/rules.yaml"), `  - name: app
    match:
      program: app
    rules:
`, `  - name: app
    match:
      program: app
    rules:
      - name: good
        substring: "all good"
        count: good
`, 1)
	d.writeRules(rules)
	d.signal(syscall.SIGHUP)
	waitFor(t, 60*time.Second, "rules reloaded", func() (bool, string) {
		return strings.Contains(d.file("log/summarize.log"), "rules reloaded"), d.file("log/summarize.log")
	})
	b := makeCorpus(1000, "after")
	d.sendTCP(b.lines)
	rows := d.drain(2000, 90*time.Second)
	a.check(t, rows, 2) // the two corpora have the same shape
	if got, want := total(rows, "app", "good"), b.app-b.errors; got != want {
		t.Errorf("good = %d, want %d (the new rule counts after the reload)", got, want)
	}
	uniqueMinutes(t, rows)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	return string(mustRead(t, path))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
