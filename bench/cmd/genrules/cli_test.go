package main

import (
	"bytes"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "genrules", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(args, stdout, stderr)
	})
}
