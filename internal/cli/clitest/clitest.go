// Package clitest checks that a binary's main follows the conventions of
// package cli: --help on stdout with exit 0 and every flag group and exit
// code in it, --version, flag errors on stderr with a hint and exit 2.
package clitest

import (
	"bytes"
	"strings"
	"testing"
)

// Run is a main's testable entry point: arguments in, exit status out.
type Run func(args []string, stdout, stderr *bytes.Buffer) int

// Conventions runs name's main with --help, -h, --version and an unknown
// flag; wantInHelp are strings the help must contain (group titles, flags).
func Conventions(t *testing.T, name string, run Run, wantInHelp ...string) {
	t.Helper()
	call := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	for _, h := range []string{"--help", "-h"} {
		code, out, errOut := call(h)
		if code != 0 || errOut != "" {
			t.Errorf("%s %s: exit %d, stderr %q; want 0 and nothing on stderr", name, h, code, errOut)
		}
		if !strings.HasPrefix(out, "usage: "+name+" ") || !strings.Contains(out, "\nExit status:\n  0  ") {
			t.Errorf("%s %s: stdout lacks the usage line or the exit codes:\n%s", name, h, out)
		}
		for _, w := range append([]string{"--version", "--help"}, wantInHelp...) {
			if !strings.Contains(out, w) {
				t.Errorf("%s %s: help lacks %q", name, h, w)
			}
		}
	}
	code, out, errOut := call("--version")
	if code != 0 || !strings.HasPrefix(out, name+" ") || !strings.Contains(out, "go1.") || errOut != "" {
		t.Errorf("%s --version: exit %d, stdout %q, stderr %q", name, code, out, errOut)
	}
	code, out, errOut = call("--no-such-flag")
	if code != 2 || out != "" || !strings.Contains(errOut, "unknown flag: --no-such-flag") ||
		!strings.Contains(errOut, "Run '"+name+" --help' for usage.") {
		t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q; want 2, the error and the hint on stderr", name, code, out, errOut)
	}
	code, out, _ = call("--help-man")
	if code != 0 || !strings.HasPrefix(out, ".TH "+strings.ToUpper(name)+" 1 ") || !strings.Contains(out, "\n.SH EXIT STATUS\n") {
		t.Errorf("%s --help-man: exit %d, not a man page:\n%s", name, code, out)
	}
}
