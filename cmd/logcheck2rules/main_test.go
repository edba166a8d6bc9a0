package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/logtally/logtally/rules"
)

func TestConvertAndCompare(t *testing.T) {
	out := filepath.Join(t.TempDir(), "logcheck.yaml")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-o", out, "--compare", "../../examples/sshd/sample.log,../../examples/postfix/sample.log", "--debian-day"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout not empty with -o: %q", stdout.String())
	}
	set, err := rules.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Categories) != 1 || set.Categories[0].Name != "system" || len(set.Categories[0].Rules) < 1500 {
		t.Errorf("want one category \"system\" with the database's rules, got %d categories", len(set.Categories))
	}
	report := stderr.String()
	for _, want := range []string{"patterns: ", "converted: ", "not converted: ", "examples/sshd/sample.log: 600 lines", "generated Debian 12 day (seed 1): ", "all of the above: "} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	// every input: the same verdict on every line, or the others explained by the [pid]
	same := regexp.MustCompile(`same verdict on (\d+) of (\d+) lines(?:; (\d+) of the (\d+) others differ only by the \[pid\])?`)
	ms := same.FindAllStringSubmatch(report, -1)
	if len(ms) != 4 {
		t.Fatalf("want 4 comparisons, got %d:\n%s", len(ms), report)
	}
	for _, m := range ms {
		if m[1] != m[2] && m[3] != m[4] {
			t.Errorf("unexplained disagreements: %s", m[0])
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"extra"}, {"--level", "nope"}} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code == 0 || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q: want an error said on stderr", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--logcheck-dir", t.TempDir()}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "logcheck-database") {
		t.Errorf("empty database: exit %d, %q", code, stderr.String())
	}
}

func TestPrintDebianDay(t *testing.T) {
	var a, b, stderr bytes.Buffer
	if run([]string{"--print-debian-day"}, &a, &stderr) != 0 || run([]string{"--print-debian-day"}, &b, &stderr) != 0 {
		t.Fatal(stderr.String())
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Count(a.Bytes(), []byte("\n")) < 20000 {
		t.Errorf("day: %d lines, deterministic %v", bytes.Count(a.Bytes(), []byte("\n")), bytes.Equal(a.Bytes(), b.Bytes()))
	}
}
