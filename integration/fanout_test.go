package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/pipeline"
)

// fanoutChildren is the number of summarize children in
// examples/scale-out/fanout.conf.
const fanoutChildren = 2

// Keys of the fan-out stream: every (host, program) pair is one key, and
// the test's rule file gives each key a category of its own, so a
// category's counts show which child counted the key.
var (
	fanoutHosts    = []string{"web1", "web2", "db1", "db2", "mx1", "fw1", "lb1", "ns1"}
	fanoutPrograms = []string{"sshd", "app", "cron"}
)

func fanoutCategory(host, program string) string { return host + "_" + program }

// fanoutRules is a rule file with one category per key.
func fanoutRules() string {
	var b strings.Builder
	b.WriteString("categories:\n")
	for _, h := range fanoutHosts {
		for _, p := range fanoutPrograms {
			fmt.Fprintf(&b, "  - name: %s\n    match:\n      host: %s\n      program: %s\n", fanoutCategory(h, p), h, p)
		}
	}
	return b.String()
}

// hostLine is a syslog line from host (RFC 3164, as a TCP sender writes it).
func hostLine(host, program, msg string) string {
	return fmt.Sprintf("<30>%s %s %s[42]: %s", time.Now().Format(time.Stamp), host, program, msg)
}

// TestFanoutExample runs examples/scale-out/fanout.conf verbatim (paths
// moved) with its two children on a stream of 24 keys and checks that the
// children's per-minute counts add up to the input: nothing lost, nothing
// counted twice, and each key counted by one child only.
func TestFanoutExample(t *testing.T) {
	d := newDaemon(t, setup{example: "scale-out/fanout.conf", rules: fanoutRules()})
	d.start()

	const n = 4800
	want := map[string]uint64{}
	var lines []string
	for i := range n {
		h, p := fanoutHosts[i%len(fanoutHosts)], fanoutPrograms[(i/len(fanoutHosts))%len(fanoutPrograms)]
		lines = append(lines, hostLine(h, p, fmt.Sprintf("event %d", i)))
		want[fanoutCategory(h, p)]++
	}
	if len(want) != len(fanoutHosts)*len(fanoutPrograms) {
		t.Fatalf("the stream has %d keys, want every one of %d", len(want), len(fanoutHosts)*len(fanoutPrograms))
	}
	d.sendTCP(lines)

	// SIGUSR1 makes every child emit its open minutes (cumulative
	// snapshots) until the children's lines add up to the input.
	var per []map[string]uint64
	waitFor(t, 2*time.Minute, fmt.Sprintf("%d lines emitted by the children", n), func() (bool, string) {
		per = d.fanoutTotals()
		got := sumCategory(per, pipeline.SelfCategory)
		if got > n {
			t.Fatalf("the children emitted %d lines, want %d: double counting", got, n)
		}
		if got == n {
			return true, ""
		}
		for _, pid := range d.summarizePIDs() {
			if catches(pid, syscall.SIGUSR1) {
				_ = syscall.Kill(pid, syscall.SIGUSR1)
			}
		}
		return false, fmt.Sprintf("emitted %d lines (received %d); children %v", got, d.received(), d.summarizePIDs())
	})
	checkFanout(t, per, want)

	// At stop every child emits its open minutes once more (partial):
	// still the same counts, nothing added by the shutdown.
	d.stop()
	checkFanout(t, d.fanoutTotals(), want)
}

// checkFanout compares the children's per-category counts with want.
func checkFanout(t *testing.T, per []map[string]uint64, want map[string]uint64) {
	t.Helper()
	var all uint64
	for key, w := range want {
		all += w
		if got := sumCategory(per, key); got != w {
			t.Errorf("key %s: the children counted %d lines, want %d", key, got, w)
		}
		var on []int
		for i, c := range per {
			if c[key] > 0 {
				on = append(on, i)
			}
		}
		if len(on) != 1 {
			t.Errorf("key %s: counted by children %v, want exactly one", key, on)
		}
	}
	if got := sumCategory(per, pipeline.SelfCategory); got != all {
		t.Errorf("the children read %d lines, want %d", got, all)
	}
	for i, c := range per {
		if c[pipeline.SelfCategory] == 0 {
			t.Errorf("child %d counted nothing: the hash sends every key to one child", i)
		}
		if u := c["uncategorized"]; u != 0 {
			t.Errorf("child %d: %d lines uncategorized", i, u)
		}
	}
}

func sumCategory(per []map[string]uint64, category string) uint64 {
	var n uint64
	for _, c := range per {
		n += c[category]
	}
	return n
}

// fanoutTotals reads each child's JSON file (summaries-N.json): lines per
// category, summed over its minutes (the last row of each minute), plus
// "uncategorized" from the self category.
func (d *daemon) fanoutTotals() []map[string]uint64 {
	per := make([]map[string]uint64, fanoutChildren)
	for i := range per {
		per[i] = jsonTotals(filepath.Join(d.dir, "log", fmt.Sprintf("summaries-%d.json", i)))
	}
	return per
}

// jsonTotals sums lines per category over the minutes of a --json file,
// taking each minute's last object (SIGUSR1 snapshots are cumulative).
func jsonTotals(path string) map[string]uint64 {
	type minute struct {
		Category string            `json:"category"`
		Minute   string            `json:"minute"`
		Lines    uint64            `json:"lines"`
		Counters map[string]uint64 `json:"counters"`
	}
	last := map[[2]string]minute{}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m minute
			if json.Unmarshal(sc.Bytes(), &m) != nil || m.Category == "" || m.Minute == "" {
				continue // an alert object or a line being written
			}
			last[[2]string{m.Category, m.Minute}] = m
		}
	}
	totals := map[string]uint64{}
	for _, m := range last {
		totals[m.Category] += m.Lines
		if m.Category == pipeline.SelfCategory {
			totals["uncategorized"] += m.Counters["uncategorized"]
		}
	}
	return totals
}
