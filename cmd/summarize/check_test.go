package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// --check reports every error of a rule file at once, each as
// file:line:col: message, and exits non-zero; a good file says ok.
func TestCheck(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--check", "testdata/bad-rules.yaml", "--check", "../../examples/asa/rules.yaml"}, nil, &stdout, &stderr)
	if code == 0 {
		t.Fatal("--check of a bad file exited 0")
	}
	errs := strings.Split(strings.TrimSpace(stderr.String()), "\n")
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
