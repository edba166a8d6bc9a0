// Package testenv decides, for tests that need a system program (rsyslogd,
// rrdtool, sec, sed, ...), whether they run: never under `go test -short`
// (the fast tier, which needs nothing but Go), always otherwise — and then a
// missing program is a failure with the package to install, never a silent
// skip. `make test` runs without -short and fails on any skipped test.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sbinDirs are searched after PATH: daemons live in sbin, which a normal
// user's PATH on Debian does not include.
var sbinDirs = []string{"/usr/sbin", "/sbin"}

// RequireBinary returns the path of the program name. Under -short it skips
// the test, saying which program it needs; otherwise a missing program
// fails the test with a hint to run `make deps`.
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs the system program %s: skipped under -short (make test runs it)", name)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range sbinDirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatalf("system program %s not found in PATH or %v: run `make deps` (scripts/deps.sh installs it)", name, sbinDirs)
	return ""
}

// RequireBinaries is RequireBinary for several programs, in order.
func RequireBinaries(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = RequireBinary(t, n)
	}
	return paths
}

// RequireRoot is for tests that change the machine (install a Debian
// package, create a system user): under -short it skips, saying why;
// otherwise it fails unless the test runs as root (CI does).
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs root to %s: skipped under -short (make test runs it, as root)", why)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("needs root to %s: run make test as root", why)
	}
}
