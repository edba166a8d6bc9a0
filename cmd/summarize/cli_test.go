package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "summarize", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(context.Background(), args, strings.NewReader(""), stdout, stderr)
	}, "Rules:", "Input:", "Outputs:", "rsyslog:", "Tuning:", "--rules", "--confirm", "(default the number of CPUs)")
}
