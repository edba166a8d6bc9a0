package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "aireport", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(context.Background(), args, strings.NewReader(""), stdout, stderr)
	}, "Input:", "Rules:", "Outputs:", "State:", "--masks", "--state")
}
