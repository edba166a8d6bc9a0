package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/syncbuf"
	"github.com/logtally/logtally/internal/testfs"
)

// sshdMinutes is a replayed sshd log: n lines a minute for minutes
// [from, to) of 2026-11-22 10:00 UTC.
func sshdMinutes(from, to, n int) string {
	var b strings.Builder
	for m := from; m < to; m++ {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "Nov 22 %02d:%02d:%02d h sshd[1]: Accepted password for user%d from 10.0.0.%d port 22 ssh2\n", 10+m/60, m%60, 1+i%58, i, i%250)
		}
	}
	return b.String()
}

// waitUntil waits for cond, re-checked after each write to stderr and
// every 100 ms (files change without a word on stderr); waitFor's hang
// guard only turns a hang into a failure, no outcome depends on time.
func waitUntil(t *testing.T, what string, stderr *syncbuf.Buffer, cond func() bool) {
	t.Helper()
	waitFor(t, what, stderr, func(string) bool { return cond() }, func() {})
}

var outputErrorsRE = regexp.MustCompile(`(?m)^category=logtally .*\boutput_errors=(\d+)`)

// sumOutputErrors adds output_errors over every logtally summary in kv.
func sumOutputErrors(kv string) int {
	n := 0
	for _, m := range outputErrorsRE.FindAllStringSubmatch(kv, -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// On the event clock a replayed file closes many minutes between two
// ticks: every failed write must still be counted. Writing to /dev/full
// failed 135 times in a replay that counted 12.
func TestOutputErrorsEventClock(t *testing.T) {
	defer setNow(func() time.Time { return fixedNow })()
	const minutes = 150
	var stdout, stderr bytes.Buffer
	args := []string{"--rules", "../../examples/sshd/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none",
		"--kv", "-", "--json", "/dev/full"}
	if code := run(context.Background(), args, strings.NewReader(sshdMinutes(0, minutes, 3)), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// Every write failed and was counted in a later logtally row — at exit
	// too, where the 10 s grace left two minutes to write (12:28's failure
	// is in 12:29's row) — but the very last one, which has no later row:
	// that one is on stderr only.
	if got := sumOutputErrors(stdout.String()); got != minutes-1 {
		t.Errorf("output_errors sum to %d over the replay, want %d (one per failed write)", got, minutes-1)
	}
	if n := strings.Count(stderr.String(), "output failed"); n != 1 {
		t.Errorf("the failure was logged %d times, want once:\n%s", n, stderr.String())
	}
}

// An output that cannot be written at start (a read-only mount, a
// missing directory) does not stop summarize — under rsyslog an exit is a
// restart loop with nothing counted. It starts, says so once on stderr,
// counts every failed write in output_errors and recovers by itself.
func TestUnwritableOutputsAtStart(t *testing.T) {
	defer setNow(func() time.Time { return fixedNow })()
	dir := t.TempDir()
	blocked := filepath.Join(dir, "blocked") // a file where a directory should be: even root cannot write below it
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{"--json": "s.json", "--kv": "s.kv", "--top-dir": "top", "--rrd-dir": "rrd", "--prom": "s.prom", "--spool-dir": "spool"}
	args := []string{"--rules", "../../examples/asa/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none", "--grace", "1s", "--log-level", "debug"}
	for f, p := range flags {
		args = append(args, f, filepath.Join(blocked, p))
	}
	stdin, feed := io.Pipe()
	var stdout, stderr syncbuf.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(context.Background(), args, stdin, &stdout, &stderr) }()

	asa := func(minute, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "Nov 22 10:%02d:%02d fw %%ASA-5-304001: 10.0.0.%d Accessed URL www.example.com/p%d\n", minute, 1+i, i, i%3)
		}
		return b.String()
	}
	failures := func() int {
		return strings.Count(stderr.String(), "output failed") + strings.Count(stderr.String(), "output still failing")
	}
	io.WriteString(feed, asa(0, 5)+asa(1, 5)) // closes 10:00
	waitUntil(t, "minute 10:00 failed in five outputs", &stderr, func() bool { return failures() == 5 })
	for _, f := range []string{"--json", "--kv", "--top-dir", "--rrd-dir"} {
		if n := strings.Count(stderr.String(), "flag="+f+" "); n != 1 {
			t.Errorf("%s: said %d times at start, want once:\n%s", f, n, stderr.String())
		}
	}
	// Space (here: the directory) comes back.
	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	io.WriteString(feed, asa(2, 5)+asa(3, 5)+asa(4, 5)+asa(5, 5))
	feed.Close()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	kv, err := os.ReadFile(filepath.Join(blocked, "s.kv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(kv), "category=asa minute=2026-11-22T10:04:00Z lines=5") {
		t.Errorf("--kv did not recover:\n%s", kv)
	}
	// Minute 10:00 closed while blocked: five outputs failed (json, kv,
	// top-dir, rrd-dir, prom), each logged once at error level.
	if got := sumOutputErrors(string(kv)); got != 5 || failures() != 5 {
		t.Errorf("output_errors sum to %d, %d failures logged; want 5 (json, kv, top-dir, rrd-dir, prom)\n%s", got, failures(), kv)
	}
	if n := strings.Count(stderr.String(), "level=ERROR msg=\"output failed"); n != 5 {
		t.Errorf("%d failures at error level, want 5", n)
	}
	for _, p := range []string{"s.json", "top/urlcount", "rrd/asa/http_connection_count.rrd", "s.prom"} {
		if st, err := os.Stat(filepath.Join(blocked, p)); err != nil || st.Size() == 0 {
			b, _ := os.ReadFile(filepath.Join(blocked, p))
			t.Errorf("%s did not recover: %v %q", p, err, b)
		}
	}
	if spooled, _ := filepath.Glob(filepath.Join(blocked, "spool", "*", "unknown-*")); len(spooled) != 0 {
		t.Logf("spool: %v", spooled)
	}
}

// A full disk (a real tmpfs): summarize goes on counting, counts every
// failed write in output_errors, leaves no empty spool .tmp behind per
// retry, and every output writes again once space is back.
func TestDiskFull(t *testing.T) {
	rrdtool, err := exec.LookPath("rrdtool")
	if err != nil {
		t.Fatal("rrdtool not installed: run `make deps`")
	}
	disk := testfs.Mount(t, "8m")
	// A clock that moves, from fixedNow: the spool rotates by age.
	start := time.Now()
	defer setNow(func() time.Time { return fixedNow.Add(time.Since(start)) })()
	d := disk.Dir
	args := []string{"--rules", "../../examples/asa/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none", "--grace", "1s",
		"--log-level", "debug", "--kv", "-", // the observer, on another disk
		"--tick", "10ms", "--spool-max-age", "1ms", // the spool retries a failed category, and completes its files, at every tick
		"--json", filepath.Join(d, "s.json"), "--top-dir", filepath.Join(d, "top"), "--rrd-dir", filepath.Join(d, "rrd"),
		"--prom", filepath.Join(d, "s.prom"), "--spool-dir", filepath.Join(d, "spool"), "--spool-compression", "gzip"}
	stdin, feed := io.Pipe()
	var stdout, stderr syncbuf.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(context.Background(), args, stdin, &stdout, &stderr) }()
	asa := func(minute, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			// URLs p0..p6 and, on a full disk, many more (a big top table)
			url := i % 7
			if n > 100 {
				url = i
			}
			fmt.Fprintf(&b, "Nov 22 10:%02d:%02d fw %%ASA-5-304001: 10.0.0.%d Accessed URL www.example.com/p%d\n", minute, 1+i%59, i%250, url)
			// an unknown line that does not compress, for the spool
			h := uint64(i*1000+minute) * 0x9e3779b97f4a7c15
			fmt.Fprintf(&b, "Nov 22 10:%02d:%02d fw %%ASA-6-999999: %016x%016x%016x%016x\n", minute, 1+i%59, h, h*0xbf58476d1ce4e5b9, h^h>>31*0x94d049bb133111eb, h*h)
		}
		return b.String()
	}
	io.WriteString(feed, asa(0, 20)+asa(1, 5))
	waitUntil(t, "minute 10:00 is on the disk", &stderr, func() bool {
		st, err := os.Stat(filepath.Join(d, "s.json"))
		return err == nil && st.Size() > 0
	})
	disk.Fill(t)
	for m := 1; m < 6; m++ {
		io.WriteString(feed, asa(m, 3000))
	}
	waitUntil(t, "a failed write is logged", &stderr, func() bool { return strings.Contains(stderr.String(), "output failed") })
	emptyTmps := func() (n int) {
		tmps, _ := filepath.Glob(filepath.Join(d, "spool", "*", "*.tmp"))
		for _, p := range tmps {
			if st, err := os.Stat(p); err == nil && st.Size() == 0 {
				n++
			}
		}
		return n
	}
	if n := emptyTmps(); n > 1 {
		t.Errorf("%d empty spool .tmp files on the full disk, want at most the open one", n)
	}
	disk.Free(t)
	// The spool retries at its next tick: feed minute 10:06's unknown
	// lines until one is in a completed file.
	spooled := func(minute string) bool {
		done, _ := filepath.Glob(filepath.Join(d, "spool", "asa", "unknown-*.log.gz"))
		for _, p := range done {
			if b, _ := exec.Command("zcat", p).Output(); strings.Contains(string(b), "Nov 22 "+minute) {
				return true
			}
		}
		return false
	}
	waitFor(t, "the spool writes again", &stderr, func(string) bool { return spooled("10:06:") }, func() {
		io.WriteString(feed, "Nov 22 10:06:30 fw %ASA-6-999999: after the disk was freed\n")
	})
	for m := 6; m < 9; m++ {
		io.WriteString(feed, asa(m, 20))
	}
	feed.Close()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	logged := strings.Count(stderr.String(), "output failed") + strings.Count(stderr.String(), "output still failing")
	t.Logf("%d failed writes logged, %d spool write errors", logged, strings.Count(stderr.String(), "spool write failed"))
	if os.Getenv("DEBUG_DISKFULL") != "" {
		for _, l := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(l, "fail") || strings.Contains(l, "recover") {
				t.Log(l)
			}
		}
		out, _ := exec.Command("sh", "-c", "df -k "+d+"; ls -laR "+d).CombinedOutput()
		t.Logf("%s", out)
	}
	if got := sumOutputErrors(stdout.String()); logged == 0 || got != logged {
		t.Errorf("output_errors sum to %d, %d failed writes logged", got, logged)
	}
	// Logged at error level when an output starts failing, at info when it
	// recovers; the failures in between at debug level only.
	if started, ended := strings.Count(stderr.String(), "level=ERROR msg=\"output failed"), strings.Count(stderr.String(), "msg=\"output recovered\""); started == 0 || started != ended {
		t.Errorf("%d failure streaks started, %d ended, %d failures: want each streak logged once and ended", started, ended, logged)
	}
	if n := emptyTmps(); n != 0 {
		t.Errorf("%d empty spool .tmp files after exit", n)
	}
	// Every output holds minute 10:07, the last closed one.
	json, _ := os.ReadFile(filepath.Join(d, "s.json"))
	if !strings.Contains(string(json), `"category":"asa","minute":"2026-11-22T10:07:00Z","partial":false,"lines":40`) {
		t.Errorf("--json did not recover")
	}
	top, _ := os.ReadFile(filepath.Join(d, "top", "urlcount"))
	if !strings.Contains(string(top), "www.example.com/p0=3\n") {
		t.Errorf("--top-dir did not recover: urlcount is\n%s", top)
	}
	prom, _ := os.ReadFile(filepath.Join(d, "s.prom"))
	if want := fmt.Sprintf(`logtally_minute_start_seconds{category="asa"} %d`, time.Date(2026, 11, 22, 10, 8, 0, 0, time.UTC).Unix()); !strings.Contains(string(prom), want) {
		t.Errorf("--prom did not recover: no %q", want)
	}
	out, err := exec.Command(rrdtool, "lastupdate", filepath.Join(d, "rrd", "asa", "http_connection_count.rrd")).CombinedOutput()
	if want := fmt.Sprintf("%d: 20", time.Date(2026, 11, 22, 10, 8, 0, 0, time.UTC).Unix()); err != nil || !strings.Contains(string(out), want) {
		t.Errorf("--rrd-dir did not recover: lastupdate %s %v, want %q", out, err, want)
	}
	if !spooled("10:07:") {
		t.Errorf("--spool-dir: no completed file holds minute 10:07")
	}
}
