package examples

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hostPath finds absolute paths in text.
var hostPath = regexp.MustCompile("/(?:etc|var|run|usr|srv|opt)/[A-Za-z0-9_.<>*/+-]*")

// ours: the paths that are logtally's to place (log lines in sample logs
// and the article's /var/log/urlcount are not).
var ours = regexp.MustCompile(`^/(?:etc|var/lib|var/log|var/spool|run)/logtally\b|^/var/www/|^/var/lib/(?:prometheus|node_exporter|node-exporter)/|^/etc/(?:rsyslog|cron|logrotate)\.d/|^/usr/(?:local/)?bin/(?:summarize|aireport|rrdgraph|logcheck2rules|dashboard)\b`)

// TestEveryPathIsInTheInstallTable reads the table of docs/install.md and
// checks every path that examples/, docs/ and README.md name against it.
func TestEveryPathIsInTheInstallTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/install.md")
	if err != nil {
		t.Fatal(err)
	}
	var table []*regexp.Regexp
	var entries []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `/") {
			continue
		}
		e := strings.Trim(strings.SplitN(line, "|", 3)[1], " `")
		entries = append(entries, e)
		// <name> stands for one path element, * for part of one; a
		// directory entry also covers itself without the slash
		pat := regexp.QuoteMeta(strings.TrimSuffix(e, "/"))
		pat = regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(pat, `[^/]+`)
		pat = strings.ReplaceAll(pat, `\*`, `[^/]*`)
		table = append(table, regexp.MustCompile("^"+pat+"/?$"))
	}
	if len(entries) < 20 {
		t.Fatalf("found %d table rows in docs/install.md", len(entries))
	}
	covered := func(p string) bool {
		for i, re := range table {
			// the path itself, or a directory above a listed path
			if re.MatchString(p) || strings.HasPrefix(entries[i], strings.TrimSuffix(p, "/")+"/") {
				return true
			}
		}
		return false
	}
	files := []string{"../README.md"}
	for _, root := range []string{".", "../docs"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			switch {
			case d.IsDir() && name == "spool": // compressed sample data
				return filepath.SkipDir
			case d.IsDir(), name == "sample.log", strings.HasSuffix(name, "_test.go"):
				return nil
			}
			files = append(files, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range hostPath.FindAllString(string(data), -1) {
			p := strings.TrimRight(m, ".,")
			if !ours.MatchString(p) {
				continue
			}
			checked++
			if !covered(p) {
				t.Errorf("%s names %s, which is not in the table of docs/install.md", f, p)
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d paths checked: is the scan still finding the examples?", checked)
	}
}

// TestLogrotate runs the real logrotate (scripts/deps.sh installs it) on
// examples/logrotate/logtally with its paths moved into a temp directory,
// the group set to the test's own and the postrotate script replaced (the
// system's rsyslogd is never signalled): every file the table of
// docs/install.md says logrotate rotates must be rotated.
func TestLogrotate(t *testing.T) {
	doc, err := os.ReadFile("../docs/install.md")
	if err != nil {
		t.Fatal(err)
	}
	var rotated []string
	for _, line := range strings.Split(string(doc), "\n") {
		if cols := strings.Split(line, "|"); len(cols) > 5 && strings.Contains(cols[5], "logrotate") {
			rotated = append(rotated, strings.Trim(cols[1], " `"))
		}
	}
	if len(rotated) < 3 {
		t.Fatalf("the table says logrotate rotates %d files", len(rotated))
	}
	conf, err := os.ReadFile("logrotate/logtally")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	group := "root"
	if out, err := exec.Command("id", "-gn").Output(); err == nil {
		group = strings.TrimSpace(string(out))
	}
	c := strings.ReplaceAll(string(conf), "/var/log/logtally/", dir+"/")
	c = strings.ReplaceAll(c, " root logtally", " root "+group)
	c = strings.ReplaceAll(c, "/usr/lib/rsyslog/rsyslog-rotate", "touch "+filepath.Join(dir, "postrotate-ran"))
	confPath := filepath.Join(dir, "logrotate.conf")
	if err := os.WriteFile(confPath, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range rotated {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), []byte("a line\n"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("logrotate", "--force", "--state", filepath.Join(dir, "state"), confPath).CombinedOutput()
	if err != nil {
		t.Fatalf("logrotate: %v\n%s", err, out)
	}
	for _, p := range rotated {
		if _, err := os.Stat(filepath.Join(dir, filepath.Base(p)+".1")); err != nil {
			t.Errorf("%s was not rotated: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "postrotate-ran")); err != nil {
		t.Errorf("the postrotate script did not run: %v", err)
	}
}
