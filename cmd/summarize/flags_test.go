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
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"--rules", "r.yaml"}, &stderr)
	if err != nil {
		t.Fatalf("default flags on a 96-CPU host: %v", err)
	}
	if o.workers != maxWorkers {
		t.Errorf("workers = %d, want %d", o.workers, maxWorkers)
	}
	if _, err := parseFlags([]string{"--rules", "r.yaml", "--workers", "96"}, &stderr); err == nil || !strings.Contains(err.Error(), "[1, 64]") {
		t.Errorf("--workers 96: err = %v, want the range named", err)
	}
}

// A misspelt --log-level stops summarize before it starts, naming the
// accepted levels.
func TestLogLevel(t *testing.T) {
	for _, level := range []string{"debug", "info", "warn", "warning", "error", "ERROR"} {
		if _, err := parseFlags([]string{"--rules", "r.yaml", "--log-level", level}, &bytes.Buffer{}); err != nil {
			t.Errorf("--log-level %s: %v", level, err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--rules", "../../examples/asa/rules.yaml", "--syslog", "none", "--log-level", "bogus"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), `--log-level: want debug, info, warn or error, got "bogus"`) {
		t.Errorf("--log-level bogus: exit %d, stderr %q; want exit %d and the levels named", code, stderr.String(), exitUsage)
	}
}
