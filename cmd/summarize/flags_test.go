package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// On a host with more CPUs than --workers allows, the default still
// starts (it is capped); an explicit value beyond the bound is an error.
func TestWorkersDefaultOnBigHost(t *testing.T) {
	old := numCPU
	numCPU = func() int { return 96 }
	defer func() { numCPU = old }()
	var stdout, stderr bytes.Buffer
	o, code := parseFlags([]string{"--rules", "r.yaml"}, &stdout, &stderr)
	if o == nil {
		t.Fatalf("default flags on a 96-CPU host: exit %d: %s", code, stderr.String())
	}
	if o.workers != maxWorkers {
		t.Errorf("workers = %d, want %d", o.workers, maxWorkers)
	}
	stderr.Reset()
	if o, _ := parseFlags([]string{"--rules", "r.yaml", "--workers", "96"}, &stdout, &stderr); o != nil || !strings.Contains(stderr.String(), "[1, 64]") {
		t.Errorf("--workers 96: accepted, or the range not named: %q", stderr.String())
	}
}

// A misspelt --log-level stops summarize before it starts, naming the
// accepted levels.
func TestLogLevel(t *testing.T) {
	for _, level := range []string{"debug", "info", "warn", "warning", "error", "ERROR"} {
		var stdout, stderr bytes.Buffer
		if o, _ := parseFlags([]string{"--rules", "r.yaml", "--log-level", level}, &stdout, &stderr); o == nil {
			t.Errorf("--log-level %s: %s", level, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--rules", "../../examples/asa/rules.yaml", "--syslog", "none", "--log-level", "bogus"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), `--log-level: want debug, info, warn or error, got "bogus"`) {
		t.Errorf("--log-level bogus: exit %d, stderr %q; want exit %d and the levels named", code, stderr.String(), exitUsage)
	}
}
