package main

import (
	"bytes"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "logcheck2rules", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(args, stdout, stderr)
	}, "Database:", "Output:", "Comparison with logcheck:", "--compare", "--debian-day")
}
