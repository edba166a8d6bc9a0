package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "loggen", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(context.Background(), args, nil, stdout, stderr)
	}, "Output:", "Content:", "--seed")
}
