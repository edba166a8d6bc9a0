package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --check reports every error of a rule file at once, each as
// file:line:col: message, and exits non-zero; a good file says ok.
func TestCheck(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--check", "testdata/bad-rules.yaml", "--check", "../../examples/asa/rules.yaml"}, nil, &stdout, &stderr)
	if code == 0 {
		t.Fatal("--check of a bad file exited 0")
	}
	var errs []string
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !strings.Contains(l, ": warning: ") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 3 {
		t.Fatalf("want 3 errors, got %d:\n%s", len(errs), stderr.String())
	}
	for i, prefix := range []string{"testdata/bad-rules.yaml:7:18: ", "testdata/bad-rules.yaml:12:18: ", "testdata/bad-rules.yaml:13:9: "} {
		if !strings.HasPrefix(errs[i], prefix) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], prefix)
		}
	}
	if !strings.Contains(stdout.String(), "examples/asa/rules.yaml: ok") {
		t.Errorf("good file not reported ok: %q", stdout.String())
	}
}

// A bad rule file stops summarize before it reads a line.
func TestBadRulesStartNothing(t *testing.T) {
	var stdout, stderr bytes.Buffer
	in := strings.NewReader("Nov 22 10:00:01 h sshd[1]: Accepted password for ann from 10.0.0.1 port 1 ssh2\n")
	code := run(context.Background(), []string{"--rules", "testdata/bad-rules.yaml", "--syslog", "none", "--kv", "-"}, in, &stdout, &stderr)
	if code != exitUsage || stdout.Len() != 0 || in.Len() == 0 {
		t.Fatalf("exit %d, stdout %q, unread input %d bytes: want exit %d, nothing written, nothing read", code, stdout.String(), in.Len(), exitUsage)
	}
}

// --check warns, without failing, about rules that can never match and top
// files that will not be written.
func TestCheckWarnings(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--check", "testdata/shadowed-rules.yaml"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: warnings must not fail --check\n%s", code, stderr.String())
	}
	want := []string{
		`testdata/shadowed-rules.yaml:8:9: warning: category "web": rule "server_errors" never matches: the earlier rule "errors" (line 7)`,
		`testdata/shadowed-rules.yaml:13:7: warning: category "mail": facility holds only on lines that carry a priority`,
		`testdata/shadowed-rules.yaml: warning: the rules name top files (paths) but no --top-dir is set`,
	}
	got := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("want %d warnings, got:\n%s", len(want), stderr.String())
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	if !strings.Contains(stdout.String(), "ok (2 categories, 3 rules)") {
		t.Errorf("stdout %q", stdout.String())
	}
	stderr.Reset()
	run(context.Background(), []string{"--check", "testdata/shadowed-rules.yaml", "--top-dir", t.TempDir()}, nil, &stdout, &stderr)
	if strings.Contains(stderr.String(), "--top-dir") {
		t.Errorf("top-dir warning with --top-dir given: %s", stderr.String())
	}
}

// ruleFilesInTestData is every rule file of the repository's test data and
// examples.
func ruleFilesInTestData(t *testing.T) []string {
	var files []string
	for _, g := range []string{"testdata/*.yaml", "testdata/*/rules.yaml", "testdata/bad/*.yaml", "../../examples/*/rules.yaml", "../../integration/testdata/rules.yaml"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d rule files found", len(files))
	}
	return files
}

// --check and start-up reach the same verdict on every rule file: what
// --check accepts summarize starts with, with every output on, and what
// it refuses stops summarize before it reads a line. The files under
// testdata/bad are what summarize used to start with and then mishandle.
func TestCheckAndStartAgree(t *testing.T) {
	defer setNow(func() time.Time { return fixedNow })()
	for _, f := range ruleFilesInTestData(t) {
		t.Run(f, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			checked := run(context.Background(), []string{"--check", f}, nil, &stdout, &stderr)
			checkOut := stderr.String()
			dir := t.TempDir()
			stderr.Reset()
			in := strings.NewReader("Nov 22 10:00:01 h app[1]: hello\n")
			started := run(context.Background(), []string{"--rules", f, "--syslog", "none", "--clock", "event", "--tz", "UTC",
				"--json", filepath.Join(dir, "s.json"), "--kv", filepath.Join(dir, "s.kv"), "--prom", filepath.Join(dir, "s.prom"),
				"--top-dir", filepath.Join(dir, "top"), "--spool-dir", filepath.Join(dir, "spool"), "--rrd-dir", filepath.Join(dir, "rrd"),
				"--checkpoint", filepath.Join(dir, "cp")}, in, &stdout, &stderr)
			if (checked == exitOK) != (started == exitOK) {
				t.Fatalf("--check exit %d (%s), start-up exit %d (%s)", checked, checkOut, started, stderr.String())
			}
			if strings.Contains(f, "bad") && checked == exitOK {
				t.Errorf("--check accepted a bad file")
			}
			if checked != exitOK && stderr.String() != checkOut {
				t.Errorf("start-up said\n%s\n--check said\n%s", stderr.String(), checkOut)
			}
		})
	}
}

// "--check a.yaml b.yaml", as the usage line says, checks both.
func TestCheckManyFiles(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--check", "../../examples/asa/rules.yaml", "../../examples/sshd/rules.yaml", "testdata/bad/collide.yaml"}, nil, &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"examples/asa/rules.yaml: ok", "examples/sshd/rules.yaml: ok"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout %q lacks %q", stdout.String(), want)
		}
	}
	if !strings.Contains(stderr.String(), "testdata/bad/collide.yaml:9:15: ") {
		t.Errorf("stderr %q lacks the collision", stderr.String())
	}
}
