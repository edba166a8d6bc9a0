package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/cli/clitest"
)

func TestCLIConventions(t *testing.T) {
	clitest.Conventions(t, "rrdgraph", func(args []string, stdout, stderr *bytes.Buffer) int {
		return run(context.Background(), args, nil, stdout, stderr, time.Now)
	}, "Input:", "Outputs:", "--file", "--out")
}
