package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/testenv"
	"github.com/logtally/logtally/pipeline"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// summarizeBin is the summarize binary built by TestMain.
var summarizeBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// A path without spaces: omprog splits binary= on spaces.
	dir, err := os.MkdirTemp("", "logtally-it")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	summarizeBin = filepath.Join(dir, "summarize")
	cmd := exec.Command("go", "build", "-o", summarizeBin, "./cmd/summarize")
	cmd.Dir = ".."
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build summarize: %v\n", err)
		return 1
	}
	return m.Run()
}

// rsyslogd finds the daemon; the tests fail without it (skip under -short).
func rsyslogd(t *testing.T) string {
	t.Helper()
	return testenv.RequireBinary(t, "rsyslogd")
}

// setup says how a test deviates from examples/rsyslog/logtally.conf.
type setup struct {
	confirmOff bool     // confirmMessages="off" and no --confirm
	tx         bool     // useTransactions="on" with space-free marks
	extraArgs  []string // more summarize flags
	rules      string   // rule file content; default testdata/rules.yaml
	binary     string   // replaces the whole binary= value (benchmark's trivial child)
}

// daemon is one rsyslogd of a test, with its own config, work directory,
// pid file and sockets, all under dir.
type daemon struct {
	t        *testing.T
	dir      string
	conf     string
	pidFile  string
	tcpPort  int
	udpPort  int
	sockPath string // private imuxsock input
	rules    string
	cmd      *exec.Cmd
	exited   chan struct{}
	logFile  *os.File
}

// newDaemon writes the config: a harness (inputs on loopback and a
// private socket; no system socket) including the example verbatim with
// its paths moved into dir.
func newDaemon(t *testing.T, s setup) *daemon {
	t.Helper()
	rsyslogd(t)
	dir, err := os.MkdirTemp("", "lt-rs") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(dir)
		} else {
			t.Logf("rsyslog test directory kept: %s", dir)
		}
	})
	d := &daemon{t: t, dir: dir, conf: filepath.Join(dir, "rsyslog.conf"), pidFile: filepath.Join(dir, "rsyslogd.pid"),
		sockPath: filepath.Join(dir, "in.sock"), rules: filepath.Join(dir, "etc", "rules.yaml")}
	// the directories docs/install.md creates
	for _, sub := range []string{"work", "etc", "run", "lib", "log", "lib/state", "lib/queue", "lib/spool", "lib/rrd", "lib/top", "prom"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rulesText := s.rules
	if rulesText == "" {
		b, err := os.ReadFile("testdata/rules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		rulesText = string(b)
	}
	d.writeRules(rulesText)

	example, err := os.ReadFile("../examples/rsyslog/logtally.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(example)
	binary := summarizeBin
	if s.tx {
		s.extraArgs = append(s.extraArgs, "--transactions", "--begin-mark", "TX-BEGIN", "--commit-mark", "TX-COMMIT")
	}
	if len(s.extraArgs) > 0 {
		binary += " " + strings.Join(s.extraArgs, " ")
	}
	for _, r := range [][2]string{
		{"/usr/local/bin/summarize", binary},
		{"/etc/logtally/rules.yaml", d.rules},
		{"/run/logtally/", filepath.Join(dir, "run") + "/"},
		{"/var/lib/logtally/", filepath.Join(dir, "lib") + "/"},
		{"/var/lib/prometheus/node-exporter/", filepath.Join(dir, "prom") + "/"},
		{"/var/log/logtally/", filepath.Join(dir, "log") + "/"},
	} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("example config no longer contains %q", r[0])
		}
		conf = strings.ReplaceAll(conf, r[0], r[1])
	}
	if s.binary != "" {
		conf = regexp.MustCompile(`binary="[^"]*"`).ReplaceAllLiteralString(conf, `binary="`+s.binary+`"`)
	}
	if s.tx {
		conf = strings.Replace(conf, `confirmMessages="on"`,
			`confirmMessages="on" useTransactions="on" beginTransactionMark="TX-BEGIN" commitTransactionMark="TX-COMMIT"`, 1)
	}
	if s.confirmOff {
		conf = strings.Replace(conf, ` --confirm`, "", 1)
		conf = strings.Replace(conf, `confirmMessages="on"`, `confirmMessages="off"`, 1)
	}
	d.tcpPort, d.udpPort = freePort(t, "tcp"), freePort(t, "udp")
	harness := fmt.Sprintf(`# test harness: private inputs, then the example verbatim (paths moved)
global(workDirectory="%[1]s/work")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="%[2]d")
input(type="imudp" address="127.0.0.1" port="%[3]d")
input(type="imuxsock" Socket="%[4]s" RateLimit.Interval="0")
if $programname startswith "rsyslogd" then action(type="omfile" file="%[1]s/rsyslogd.log")
include(file="%[1]s/logtally.conf")
# after the example: a line in received.log has been queued for summarize
if not ($programname startswith "rsyslogd") then action(type="omfile" file="%[1]s/received.log")
`, dir, d.tcpPort, d.udpPort, d.sockPath)
	if err := os.WriteFile(filepath.Join(dir, "logtally.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.conf, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.stop)
	return d
}

func (d *daemon) writeRules(text string) {
	tmp := d.rules + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Rename(tmp, d.rules); err != nil {
		d.t.Fatal(err)
	}
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs rsyslogd in the foreground and waits until its TCP input
// accepts connections.
func (d *daemon) start() {
	d.t.Helper()
	f, err := os.OpenFile(filepath.Join(d.dir, "rsyslogd.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	d.logFile = f
	d.cmd = exec.Command(rsyslogd(d.t), "-n", "-f", d.conf, "-i", d.pidFile)
	d.cmd.Stdout, d.cmd.Stderr = f, f
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.exited = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(d.cmd, d.exited)
	waitFor(d.t, 30*time.Second, "rsyslogd listening", func() (bool, string) {
		select {
		case <-d.exited:
			d.t.Fatalf("rsyslogd exited at start: %s", d.file("rsyslogd.out"))
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.tcpPort), time.Second)
		if err != nil {
			return false, err.Error()
		}
		c.Close()
		_, err = os.Stat(d.sockPath)
		return err == nil, fmt.Sprint(err)
	})
}

// stop sends SIGTERM to rsyslogd by its PID and waits for it to exit
// (SIGKILL after a generous timeout).
func (d *daemon) stop() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(60 * time.Second):
		d.t.Errorf("rsyslogd did not stop within 60s; killing it")
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
	// summarize is waited for by rsyslogd (closeTimeout); make sure.
	d.cmd = nil
	d.logFile.Close()
}

func (d *daemon) signal(sig syscall.Signal) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatal(err)
	}
}

// received is how many lines rsyslog has queued for summarize.
func (d *daemon) received() int {
	return bytes.Count([]byte(d.file("received.log")), []byte("\n"))
}

func (d *daemon) file(name string) string {
	b, _ := os.ReadFile(filepath.Join(d.dir, name))
	return string(b)
}

// summarizePID finds rsyslogd's summarize child (0 when none runs).
func (d *daemon) summarizePID() int {
	if d.cmd == nil {
		return 0
	}
	ppid := d.cmd.Process.Pid
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || !bytes.Contains(stat[:i], []byte("(summarize")) {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 1 && f[0] != "Z" && f[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

// signalSummarize signals the summarize child once it handles sig (a
// SIGUSR1 or SIGHUP before Go's signal.Notify would kill it). SIGKILL and
// SIGTERM always go.
func (d *daemon) signalSummarize(sig syscall.Signal) int {
	d.t.Helper()
	pid := d.summarizePID()
	if pid == 0 {
		return 0
	}
	if sig != syscall.SIGKILL && sig != syscall.SIGTERM && !catches(pid, sig) {
		return 0
	}
	_ = syscall.Kill(pid, sig)
	return pid
}

// catches reports whether process pid has a handler for sig (SigCgt).
func catches(pid int, sig syscall.Signal) bool {
	v, ok := lineValue(fmt.Sprintf("/proc/%d/status", pid), "SigCgt:")
	if !ok {
		return false
	}
	mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
	return err == nil && mask&(1<<(uint(sig)-1)) != 0
}

// lineValue returns the rest of the first line of file path that starts
// with prefix (a /proc status field, a queue state entry); false when the
// file cannot be read or has no such line.
func lineValue(path, prefix string) (string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return v, true
		}
	}
	return "", false
}

// row is one summary line read back from summaries.log.
type row struct {
	category string
	minute   string
	partial  bool
	kv       map[string]uint64
}

var summaryRE = regexp.MustCompile(`summarydata\[\d+\]: (category=.*)$`)

// summaries parses summaries.log (written by the example's omfile action).
func (d *daemon) summaries() []row {
	f, err := os.Open(filepath.Join(d.dir, "log", "summaries.log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := summaryRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		r := row{kv: map[string]uint64{}}
		for _, field := range strings.Fields(m[1]) {
			k, v, _ := strings.Cut(field, "=")
			switch k {
			case "category":
				r.category = v
			case "minute":
				r.minute = v
			case "partial":
				r.partial = true
			default:
				if n, err := strconv.ParseUint(v, 10, 64); err == nil {
					r.kv[k] = n
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// total sums key over the emitted minutes of category. A minute may be
// emitted several times partial (SIGUSR1 snapshots of an open minute,
// cumulative) and once complete: its value is its last row.
func total(rows []row, category, key string) uint64 {
	var n uint64
	for _, r := range latest(rows) {
		if r.category == category {
			n += r.kv[key]
		}
	}
	return n
}

// latest keeps the last row of each category's minute.
func latest(rows []row) []row {
	idx := map[string]int{}
	var out []row
	for _, r := range rows {
		k := r.category + " " + r.minute
		if i, ok := idx[k]; ok {
			out[i] = r
			continue
		}
		idx[k] = len(out)
		out = append(out, r)
	}
	return out
}

// completeLines sums the lines of the complete (closed) minutes of the
// self category.
func completeLines(rows []row) uint64 {
	var n uint64
	for _, r := range rows {
		if r.category == pipeline.SelfCategory && !r.partial {
			n += r.kv["lines"]
		}
	}
	return n
}

// checkpointLines is how many lines the checkpoint file holds (open
// minutes, self category): with the emitted rows, how far summarize got.
func (d *daemon) checkpointLines() uint64 {
	data, err := os.ReadFile(filepath.Join(d.dir, "lib", "state", "checkpoint"))
	if err != nil {
		return 0
	}
	set, err := rules.Load(d.rules)
	if err != nil {
		return 0
	}
	schemas := []tally.Schema{{Category: pipeline.SelfCategory}}
	for _, c := range set.Categories {
		schemas = append(schemas, c.Schema)
	}
	agg := tally.NewAggregator(schemas, tally.Options{})
	state, err := pipeline.CheckpointState(data)
	if err != nil {
		return 0
	}
	if _, err := agg.Restore(state, time.Time{}); err != nil {
		return 0
	}
	var n uint64
	for _, s := range agg.Snapshot() {
		if s.Category == pipeline.SelfCategory {
			n += s.Lines
		}
	}
	return n
}

// counted is how many lines summarize has counted so far, as far as the
// outputs and the checkpoint show.
func (d *daemon) counted() uint64 {
	return completeLines(d.summaries()) + d.checkpointLines()
}

// drain asks summarize to emit its open minutes (SIGUSR1, a partial
// snapshot) until the emitted lines reach want, and fails if they exceed
// it or never get there.
func (d *daemon) drain(want uint64, timeout time.Duration) []row {
	d.t.Helper()
	var rows []row
	waitFor(d.t, timeout, fmt.Sprintf("%d lines emitted", want), func() (bool, string) {
		rows = d.summaries()
		got := total(rows, pipeline.SelfCategory, "lines")
		if got > want {
			d.t.Fatalf("emitted %d lines, want %d: double counting", got, want)
		}
		if got == want {
			return true, ""
		}
		d.signalSummarize(syscall.SIGUSR1)
		return false, fmt.Sprintf("emitted %d lines, checkpoint %d; summarize: %s", got, d.checkpointLines(), tail(d.file("log/summarize.log"), 600))
	})
	return rows
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// readBytes is how many bytes process pid has read (/proc/PID/io rchar):
// summarize's progress through a stream, independent of its checkpoints.
func readBytes(pid int) uint64 {
	v, _ := lineValue(fmt.Sprintf("/proc/%d/io", pid), "rchar:")
	n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	return n
}

// waitFor polls cond every 200ms until it holds or timeout passes; the
// timeout is generous because the tests run on loaded 2-core machines.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	waitForEvery(t, timeout, 200*time.Millisecond, what, cond)
}

func waitForEvery(t *testing.T, timeout, every time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", timeout, what, last)
		}
		time.Sleep(every)
	}
}

// sendTCP sends lines over one TCP connection, LF-framed, and closes it.
func (d *daemon) sendTCP(lines []string) {
	d.t.Helper()
	if err := d.sendTCPErr(lines); err != nil {
		d.t.Fatal(err)
	}
}

// sendTCPErr is sendTCP for goroutines other than the test's.
func (d *daemon) sendTCPErr(lines []string) error {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.tcpPort), 10*time.Second)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(c, 64<<10)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		c.Close()
		return err
	}
	return c.Close()
}

// sendUnix sends one datagram per line to the private imuxsock socket.
// Unix datagrams are not lost: a full receive queue blocks the sender.
func (d *daemon) sendUnix(lines []string) {
	d.t.Helper()
	c, err := net.Dial("unixgram", d.sockPath)
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	for _, l := range lines {
		if _, err := c.Write([]byte(l)); err != nil {
			d.t.Fatal(err)
		}
	}
}

// sendUDP sends lines over UDP to loopback, pacing itself so that the
// kernel does not drop datagrams, and returns how many were sent.
func (d *daemon) sendUDP(lines []string) {
	d.t.Helper()
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", d.udpPort))
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	for i, l := range lines {
		if _, err := c.Write([]byte(l)); err != nil {
			d.t.Fatal(err)
		}
		if i%50 == 49 {
			time.Sleep(time.Millisecond)
		}
	}
}

// line builds a syslog line (RFC 3164, as a TCP/UDP sender writes it).
func line(program, msg string) string {
	return fmt.Sprintf("<30>%s testhost %s[42]: %s", time.Now().Format(time.Stamp), program, msg)
}

// localLine is what syslog(3) sends to a unix socket: no hostname.
func localLine(l string) string {
	return strings.Replace(l, " testhost ", " ", 1)
}
