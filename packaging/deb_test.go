package packaging

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/testenv"
)

// The documented paths (docs/install.md) the package and its snippet use.
const (
	snippet      = "/etc/logtally/rsyslog.conf"
	snippetLink  = "/etc/rsyslog.d/50-logtally.conf"
	rulesFile    = "/etc/logtally/rules.yaml"
	cronFile     = "/etc/cron.d/logtally-aireport"
	spoolDir     = "/var/lib/logtally/spool"
	rrdDir       = "/var/lib/logtally/rrd"
	promFile     = "/var/lib/prometheus/node-exporter/logtally.prom"
	jsonFile     = "/var/log/logtally/summaries.json"
	summariesLog = "/var/log/logtally/summaries.log"
)

// samples are sent through rsyslog: sshd lines are counted by the default
// rules (some go to the sshd spool), cron lines to the uncategorized spool.
var samples = []string{"../examples/sshd/sample.log", "../examples/cron/sample.log"}

// sampleLines reads the samples with today's timestamp (the report job
// reads the last 24 hours), in the traditional format they are written in.
func sampleLines(t *testing.T) []string {
	t.Helper()
	now := time.Now().Format(time.Stamp)
	var lines []string
	for _, s := range samples {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if len(l) < len(now) {
				t.Fatalf("%s: line without a timestamp: %q", s, l)
			}
			lines = append(lines, now+l[len(now):])
		}
	}
	return lines
}

// lockMachine holds a machine-wide lock until the test ends: the package's
// paths (/etc/logtally, /var/lib/logtally, the logtally user) are the
// machine's, so two runs of this test (two checkouts tested at once) would
// install, run and purge over each other. The second waits for the first.
func lockMachine(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile("/run/lock/logtally-packaging-test.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}

func TestDebInstallRunPurge(t *testing.T) {
	testenv.RequireRoot(t, "install the package with dpkg")
	bins := testenv.RequireBinaries(t, "dpkg", "dpkg-deb", "lintian", "rsyslogd", "runuser", "make")
	dpkg, dpkgDeb, lintian, rsyslogd, runuser, mk := bins[0], bins[1], bins[2], bins[3], bins[4], bins[5]
	lockMachine(t)
	if st := packageStatus(dpkg); present(st) {
		t.Fatalf("the logtally package is on this machine (%s); this test installs and purges its own build: dpkg --purge logtally first", st)
	}
	if _, err := os.Lstat(snippetLink); err == nil {
		t.Fatalf("%s exists: logtally is enabled in the system rsyslog; this test does not run there", snippetLink)
	}
	before := snapshot(t)

	// Build, then lint while the package runs.
	tmp := t.TempDir()
	start := time.Now()
	out, err := exec.Command(mk, "-C", "..", "-s", "deb", "BIN="+filepath.Join(tmp, "bin"), "DEB_OUT="+tmp).CombinedOutput()
	if err != nil {
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "logtally_*_amd64.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb wrote %v, want one logtally_*_amd64.deb\n%s", debs, out)
	}
	deb := debs[0]
	fi, _ := os.Stat(deb)
	t.Logf("built %s (%d bytes) in %v", filepath.Base(deb), fi.Size(), time.Since(start).Round(time.Second))
	start = time.Now()
	lintDone := make(chan string, 1)
	go func() {
		// Exit status 1 is "errors found" (read from the output below);
		// anything else is lintian itself failing.
		out, err := exec.Command(lintian, "--no-tag-display-limit", deb).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			out = append(out, fmt.Sprintf("\nE: lintian failed: %v", err)...)
		}
		lintDone <- string(out)
	}()
	defer func() { <-lintDone }() // never leave lintian reading a removed file

	contents := checkContents(t, dpkgDeb, deb)

	dpkgLocked(t, dpkg, "-i", deb)
	t.Cleanup(func() {
		if present(packageStatus(dpkg)) {
			dpkgLocked(t, dpkg, "--purge", "logtally")
		}
	})
	checkInstalled(t, runuser)

	if out, err := exec.Command("/usr/bin/summarize", "--check", rulesFile).CombinedOutput(); err != nil {
		t.Fatalf("summarize --check %s: %v\n%s", rulesFile, err, out)
	}

	lines := sampleLines(t)
	want := referenceCounts(t, lines)
	runUnderRsyslog(t, rsyslogd, lines, want)
	checkOutputs(t, runuser, want)
	runCronJob(t, runuser, want)

	dpkgLocked(t, dpkg, "--purge", "logtally")
	if st := packageStatus(dpkg); present(st) {
		t.Errorf("after dpkg --purge the package status is %q", st)
	}
	for _, p := range contents {
		if _, err := os.Lstat(p); err == nil && !before[p] && snapshotted(p) {
			t.Errorf("after purge %s is still there", p)
		}
	}
	for _, p := range leftovers(before, snapshot(t)) {
		t.Errorf("after purge a new file is left: %s", p)
	}
	if _, err := exec.Command("id", "logtally").Output(); err != nil {
		t.Logf("the logtally user is gone too")
	}
	t.Logf("install, run, report and purge took %v", time.Since(start).Round(time.Second))

	lint := <-lintDone
	lintDone <- lint
	checkLintian(t, lint)
}

// packageStatus is dpkg's status of logtally ("" when dpkg never heard of it).
func packageStatus(dpkg string) string {
	out, err := exec.Command(dpkg, "-s", "logtally").Output()
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "Status: "); ok {
			return v
		}
	}
	return ""
}

// present says whether a dpkg status ("install ok installed") leaves
// anything of the package on the machine.
func present(status string) bool {
	f := strings.Fields(status)
	return len(f) == 3 && f[2] != "not-installed"
}

// dpkgLocked runs dpkg, waiting while another apt or dpkg holds its lock
// (other work on a shared machine), up to two minutes.
func dpkgLocked(t *testing.T, dpkg string, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		cmd := exec.Command(dpkg, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Logf("dpkg %s:\n%s", strings.Join(args, " "), out)
			return string(out)
		}
		if strings.Contains(string(out), "lock") && time.Now().Before(deadline) {
			time.Sleep(2 * time.Second)
			continue
		}
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// checkContents checks the package's file list and conffiles and returns
// the paths it installs.
func checkContents(t *testing.T, dpkgDeb, deb string) []string {
	t.Helper()
	out, err := exec.Command(dpkgDeb, "--fsys-tarfile", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb --fsys-tarfile: %v", err)
	}
	list, err := tarList(out)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range list {
		have[p] = true
	}
	// Every binary of make install, each with its man page.
	var bins []string
	for _, p := range list {
		if strings.HasPrefix(p, "/usr/bin/") && !strings.HasSuffix(p, "/") {
			bins = append(bins, filepath.Base(p))
			page := "/usr/share/man/man1/" + filepath.Base(p)
			if !have[page+".1.gz"] && !have[page+".1logtally.gz"] {
				t.Errorf("%s has no man page in the package", p)
			}
		}
	}
	for _, b := range []string{"summarize", "aireport", "rrdgraph"} {
		if !have["/usr/bin/"+b] {
			t.Errorf("the package has no /usr/bin/%s (it has %v)", b, bins)
		}
	}
	for _, p := range []string{"/usr/share/doc/logtally/copyright", "/usr/share/doc/logtally/changelog.gz", snippet, rulesFile, cronFile} {
		if !have[p] {
			t.Errorf("the package has no %s", p)
		}
	}
	for _, p := range list {
		if strings.HasPrefix(p, "/etc/rsyslog.d/") {
			t.Errorf("the package ships %s: the snippet must stay inactive until the admin links it", p)
		}
	}
	conf, err := exec.Command(dpkgDeb, "--info", deb, "conffiles").Output()
	if err != nil {
		t.Fatalf("dpkg-deb --info conffiles: %v", err)
	}
	conffiles := strings.Fields(string(conf))
	for _, p := range list {
		if strings.HasPrefix(p, "/etc/") && !strings.HasSuffix(p, "/") && !contains(conffiles, p) {
			t.Errorf("%s is not a conffile (conffiles: %v)", p, conffiles)
		}
	}
	t.Logf("binaries %v; conffiles %v", bins, conffiles)
	var paths []string
	for _, p := range list {
		paths = append(paths, strings.TrimSuffix(p, "/"))
	}
	return paths
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkInstalled checks the user, the directories' owners and modes
// (docs/install.md) and that rsyslog is not fed yet.
func checkInstalled(t *testing.T, runuser string) {
	t.Helper()
	if out, err := exec.Command("id", "-nG", "logtally").Output(); err != nil || !strings.Contains(string(out), "logtally") {
		t.Fatalf("no logtally user in group logtally after install: %v %s", err, out)
	}
	for _, d := range []struct {
		path, owner, group string
		mode               fs.FileMode
	}{
		{"/etc/logtally", "root", "logtally", 0o750},
		{"/var/lib/logtally", "root", "logtally", 0o2750},
		{"/var/lib/logtally/state", "logtally", "logtally", 0o2770},
		{spoolDir, "root", "logtally", 0o2750},
		{rrdDir, "root", "logtally", 0o2750},
		{"/var/lib/logtally/reports", "logtally", "logtally", 0o2750},
		{"/var/log/logtally", "root", "logtally", 0o2750},
	} {
		owner, group, mode, err := ownerGroupMode(d.path)
		if err != nil {
			t.Errorf("after install: %v", err)
			continue
		}
		if owner != d.owner || group != d.group || mode != d.mode {
			t.Errorf("%s is %s:%s %04o, want %s:%s %04o", d.path, owner, group, mode, d.owner, d.group, d.mode)
		}
	}
	if _, err := os.Lstat(snippetLink); err == nil {
		t.Errorf("the package enabled %s: it must wait for the admin", snippetLink)
	}
	if out, err := exec.Command(runuser, "-u", "logtally", "--", "cat", rulesFile).CombinedOutput(); err != nil {
		t.Errorf("user logtally cannot read %s (aireport's --rules): %v %s", rulesFile, err, out)
	}
}

func ownerGroupMode(path string) (owner, group string, mode fs.FileMode, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", 0, err
	}
	st := fi.Sys().(*syscall.Stat_t)
	mode = fi.Mode().Perm()
	if fi.Mode()&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	return lookupName("/etc/passwd", st.Uid), lookupName("/etc/group", st.Gid), mode, nil
}

// lookupName maps a uid or gid to its name through /etc/passwd or /etc/group.
func lookupName(file string, id uint32) string {
	b, _ := os.ReadFile(file)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) > 2 && f[2] == strconv.Itoa(int(id)) {
			return f[0]
		}
	}
	return strconv.Itoa(int(id))
}

// counts is the additive values of each category, summed over minutes.
type counts map[string]map[string]uint64

var additive = regexp.MustCompile(`^(lines|matched|ignored|unknown|uncategorized|accepted|failed|invalid_user)$`)

func (c counts) add(kv string) {
	fields := strings.Fields(kv)
	cat := ""
	for _, f := range fields {
		if v, ok := strings.CutPrefix(f, "category="); ok {
			cat = v
		}
	}
	if c[cat] == nil {
		c[cat] = map[string]uint64{}
	}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && additive.MatchString(k) {
			c[cat][k] += n
		}
	}
}

// referenceCounts runs the installed summarize over the samples directly:
// what the rsyslog path must count.
func referenceCounts(t *testing.T, lines []string) counts {
	t.Helper()
	cmd := exec.Command("/usr/bin/summarize", "--rules", rulesFile, "--syslog", "none", "--kv", "-")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("summarize over the samples: %v", err)
	}
	c := counts{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		c.add(l)
	}
	if c["logtally"]["lines"] == 0 || c["sshd"]["unknown"] == 0 || c["logtally"]["uncategorized"] == 0 {
		t.Fatalf("the samples do not exercise the spool (sshd unknown and uncategorized lines): %v", c)
	}
	return c
}

// outputFlags are the outputs the snippet must turn on, at the documented
// paths (docs/install.md).
var outputFlags = [][2]string{{"--spool-dir", spoolDir}, {"--rrd-dir", rrdDir}, {"--prom", promFile}, {"--json", jsonFile}}

// runUnderRsyslog starts a private rsyslogd (own config, work directory,
// pid file, loopback input; no system socket) that includes the installed
// snippet, sends the samples and waits until every line is in a closed
// minute of summaries.log; then stops rsyslogd (summarize completes its
// spool files on the end of its input).
func runUnderRsyslog(t *testing.T, rsyslogd string, lines []string, want counts) {
	t.Helper()
	dir, err := os.MkdirTemp("", "lt-deb") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "rsyslogd.log"))
			o, _ := os.ReadFile(filepath.Join(dir, "rsyslogd.out"))
			s, _ := os.ReadFile("/var/log/logtally/summarize.log")
			t.Logf("rsyslogd.log:\n%s\nrsyslogd output:\n%s\nsummarize.log:\n%s", b, o, s)
		}
		os.RemoveAll(dir)
	}()
	if err := os.Mkdir(filepath.Join(dir, "work"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(snippet)
	if err != nil {
		t.Fatal(err)
	}
	text := string(conf)
	binary := regexp.MustCompile(`binary="([^"]*)"`).FindStringSubmatch(text)
	if binary == nil || !strings.HasPrefix(binary[1], "/usr/bin/summarize ") {
		t.Fatalf("%s: no binary=\"/usr/bin/summarize ...\" in the omprog action", snippet)
	}
	for _, f := range outputFlags {
		if !strings.Contains(binary[1], f[0]+" "+f[1]) {
			t.Errorf("%s: the omprog action does not pass %s %s (docs/install.md)", snippet, f[0], f[1])
		}
	}
	port := freePort(t)
	harness := fmt.Sprintf(`# private rsyslogd of the package test: a loopback input, then the snippet
global(workDirectory="%[1]s/work")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="%[2]d")
if $programname startswith "rsyslogd" then action(type="omfile" file="%[1]s/rsyslogd.log")
include(file="%[3]s")
`, dir, port, snippet)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile, err := os.Create(filepath.Join(dir, "rsyslogd.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	cmd := exec.Command(rsyslogd, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Stdout, cmd.Stderr = outFile, outFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		if cmd.Process == nil {
			return
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			t.Errorf("rsyslogd did not stop within 60s; killing it")
			_ = cmd.Process.Kill()
			<-exited
		}
		cmd.Process = nil
	}
	defer stop()

	var conn net.Conn
	waitFor(t, 30*time.Second, "rsyslogd listening", func() (bool, string) {
		select {
		case <-exited:
			t.Fatalf("rsyslogd exited at start")
		default:
		}
		conn, err = net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		return err == nil, fmt.Sprint(err)
	})
	w := bufio.NewWriter(conn)
	for _, l := range lines {
		fmt.Fprintf(w, "<30>%s\n", l)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	// Every line counted in a closed minute: the next minute boundary
	// (arrival clock), or two when the sending straddled one.
	wantLines := want["logtally"]["lines"]
	waitFor(t, 150*time.Second, fmt.Sprintf("%d lines in closed minutes of %s", wantLines, summariesLog), func() (bool, string) {
		got := closedMinutes(t)["logtally"]["lines"]
		if got > wantLines {
			t.Fatalf("%s counts %d lines, %d were sent", summariesLog, got, wantLines)
		}
		return got == wantLines, fmt.Sprintf("%d lines", got)
	})
	stop()
}

// closedMinutes sums the complete (not partial) rows of summaries.log.
func closedMinutes(t *testing.T) counts {
	t.Helper()
	b, err := os.ReadFile(summariesLog)
	c := counts{}
	if err != nil {
		return c
	}
	re := regexp.MustCompile(`summarydata\[\d+\]: (category=.*)$`)
	for _, l := range strings.Split(string(b), "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil || strings.Contains(m[1], " partial=1") {
			continue
		}
		c.add(m[1])
	}
	return c
}

// checkOutputs checks every output at its documented path, with what the
// reference run counted, readable by the logtally group.
func checkOutputs(t *testing.T, runuser string, want counts) {
	t.Helper()
	got := closedMinutes(t)
	for _, cat := range []string{"sshd", "logtally"} {
		for k, v := range want[cat] {
			if got[cat][k] != v {
				t.Errorf("%s: category %s %s=%d, summarize over the samples counts %d", summariesLog, cat, k, got[cat][k], v)
			}
		}
	}
	// JSON lines: every line an object; sshd's lines add up.
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Errorf("JSON output: %v", err)
	}
	var jsonLines uint64
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec struct {
			Category string `json:"category"`
			Partial  bool   `json:"partial"`
			Lines    uint64 `json:"lines"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("%s: %v in %q", jsonFile, err, l)
			break
		}
		if rec.Category == "sshd" && !rec.Partial {
			jsonLines += rec.Lines
		}
	}
	if jsonLines != want["sshd"]["lines"] {
		t.Errorf("%s: sshd lines in closed minutes %d, want %d", jsonFile, jsonLines, want["sshd"]["lines"])
	}
	prom, err := os.ReadFile(promFile)
	if err != nil || !strings.Contains(string(prom), `category="sshd"`) {
		t.Errorf("Prometheus textfile %s: %v, no sshd sample in:\n%s", promFile, err, prom)
	}
	rrds, _ := filepath.Glob(filepath.Join(rrdDir, "sshd", "*.rrd"))
	if len(rrds) == 0 {
		t.Errorf("no RRD file in %s/sshd", rrdDir)
	}
	var spooled []string
	for _, cat := range []string{"sshd", "_uncategorized"} {
		files, _ := filepath.Glob(filepath.Join(spoolDir, cat, "unknown-*"))
		var done int
		for _, f := range files {
			if !strings.HasSuffix(f, ".tmp") {
				done++
			}
		}
		if done == 0 {
			t.Errorf("no finished spool file in %s/%s: %v", spoolDir, cat, files)
		}
		spooled = append(spooled, files...)
	}
	// The group reads every output in logtally's directories (the JSON
	// file, the summaries, RRD files, spool files). (The Prometheus file is
	// for the node exporter's user: its mode is the snippet's business.)
	readable := append([]string{summariesLog, jsonFile}, rrds...)
	readable = append(readable, spooled...)
	args := append([]string{"-u", "logtally", "--", "/bin/sh", "-c",
		`for f; do [ -r "$f" ] || echo "$f: $(ls -l "$f" 2>&1)"; done`, "sh"}, readable...)
	if out, err := exec.Command(runuser, args...).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("user logtally cannot read these outputs: %v\n%s", err, out)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// runCronJob runs the daily report line of the installed cron file as its
// user, with cron's environment, and checks the report covers the spool.
func runCronJob(t *testing.T, runuser string, want counts) {
	t.Helper()
	b, err := os.ReadFile(cronFile)
	if err != nil {
		t.Fatal(err)
	}
	job := regexp.MustCompile(`^(?:\S+\s+){5}(\S+)\s+(.*)$`)
	var user, command string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "#") || strings.Contains(strings.SplitN(l, " ", 2)[0], "=") {
			continue
		}
		if m := job.FindStringSubmatch(l); m != nil && strings.Contains(m[2], "/usr/bin/aireport") && !strings.Contains(m[2], " -o ") {
			user, command = m[1], m[2]
			break
		}
	}
	if command == "" {
		t.Fatalf("%s: no aireport job writing its report to stdout (the mailed one)", cronFile)
	}
	if user != "logtally" {
		t.Errorf("%s: the report job runs as %q, want logtally", cronFile, user)
	}
	if !strings.Contains(command, " "+spoolDir) {
		t.Errorf("%s: the report job does not read %s", cronFile, spoolDir)
	}
	cmd := exec.Command(runuser, "-u", user, "--", "/bin/sh", "-c", command)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "SHELL=/bin/sh", "HOME=/var/lib/logtally", "LOGNAME=" + user}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cron job %q as %s: %v\n%s", command, user, err, out)
	}
	for _, section := range []string{
		fmt.Sprintf("== sshd: %d lines", want["sshd"]["unknown"]),
		fmt.Sprintf("== _uncategorized: %d lines", want["logtally"]["uncategorized"]),
	} {
		if !strings.Contains(string(out), section) {
			t.Errorf("the report has no %q (every spooled line of the last 24 hours):\n%s", section, tail(string(out), 2000))
		}
	}
	t.Logf("cron job as %s: %s\n%s", user, command, tail(string(out), 600))
}

// checkLintian fails on lintian errors and logs its warnings.
func checkLintian(t *testing.T, out string) {
	t.Helper()
	var errs, warns []string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "E: "):
			errs = append(errs, l)
		case strings.HasPrefix(l, "W: "):
			warns = append(warns, l)
		}
	}
	t.Logf("lintian: %d errors, %d warnings\n%s", len(errs), len(warns), strings.Join(warns, "\n"))
	if len(errs) > 0 {
		t.Errorf("lintian errors:\n%s", strings.Join(errs, "\n"))
	}
}

// tarList lists a tar archive's paths, absolute; directories end in /.
func tarList(b []byte) ([]string, error) {
	r := tar.NewReader(bytes.NewReader(b))
	var out []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("package data: %w", err)
		}
		name := strings.TrimPrefix(h.Name, ".")
		if name == "/" || name == "" {
			continue
		}
		if h.Typeflag == tar.TypeDir && !strings.HasSuffix(name, "/") {
			name += "/"
		}
		out = append(out, name)
	}
}

// snapshotRoots are where a package, its scripts or its programs could
// leave files; snapshot lists them before install and after purge.
var snapshotRoots = []string{"/etc", "/var", "/run/logtally", "/usr/bin", "/usr/sbin", "/usr/share/man",
	"/usr/share/doc/logtally", "/usr/share/logtally", "/usr/lib/systemd", "/opt", "/srv"}

// churn is what changes on a shared machine whatever this test does (and
// dpkg's and adduser's own records): new files there are not leftovers.
var churn = regexp.MustCompile(`^/var/(cache|tmp|log/(apt|journal|dpkg\.log|alternatives\.log))(/|$)|^/var/lib/(dpkg|apt|systemd|man-db|ucf)(/|$)|^/etc/(ld\.so\.cache|(passwd|group|shadow|gshadow|subuid|subgid)-?)$`)

// snapshotted says whether path is under one of the snapshot roots.
func snapshotted(path string) bool {
	for _, r := range snapshotRoots {
		if path == r || strings.HasPrefix(path, r+"/") {
			return true
		}
	}
	return false
}

func snapshot(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, root := range snapshotRoots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // vanished or unreadable: not ours
			}
			if d.IsDir() && churn.MatchString(p) {
				return filepath.SkipDir
			}
			seen[p] = true
			return nil
		})
	}
	return seen
}

func leftovers(before, after map[string]bool) []string {
	var out []string
	for p := range after {
		if !before[p] && !churn.MatchString(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 200ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", timeout, what, why)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
