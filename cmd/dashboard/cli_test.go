package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "dashboard", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(context.Background(), args, stdout, stderr)
	}, "Input:", "Serving:", "Tuning:", "--rrd-dir", "--listen", "--auth-file")
}
