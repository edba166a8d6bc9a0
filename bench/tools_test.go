package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, one level above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// buildCommands builds the named commands (./cmd/NAME) into dir and returns
// their paths in the same order.
func buildCommands(t testing.TB, dir string, names ...string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not in PATH: %v", err)
	}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	paths := make([]string, len(names))
	for i, n := range names {
		args = append(args, "./cmd/"+n)
		paths[i] = filepath.Join(dir, n)
	}
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(names, " "), err, out)
	}
	return paths
}

// run runs a command with stdin from the file in (none when ""), returning
// stdout; a failure ends the test with stderr.
func run(t testing.TB, env []string, in string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// readCountFile reads a top-N file of "key=count" lines (the article's
// urlcount / servercount, and logtally's top files): split at the last '=',
// comment lines ("# other=…") skipped.
func readCountFile(t testing.TB, path string) map[string]uint64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		eq := strings.LastIndexByte(line, '=')
		if eq < 0 {
			t.Fatalf("%s:%d: no '=' in %q", path, i+1, line)
		}
		key := line[:eq]
		if strings.HasPrefix(key, `"`) {
			if uq, err := strconv.Unquote(key); err == nil {
				key = uq
			}
		}
		n, err := strconv.ParseUint(line[eq+1:], 10, 64)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		m[key] += n
	}
	return m
}
