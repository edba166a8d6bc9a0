package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The report (--output) and the state file carry log text: --file-mode
// (default 0640) minus the umask. They were chmod-ed 0644 whatever the
// umask.
func TestFileModes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		umask    int
		fileMode string
		want     fs.FileMode
	}{
		{"default", 0o022, "", 0o640},
		{"umask 077", 0o077, "", 0o600},
		{"asked for 0644", 0o022, "0644", 0o644},
		{"umask narrows the option", 0o027, "0664", 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			dir := t.TempDir()
			spoolFile(t, dir, "sshd", "20261122T100000Z", "Nov 22 10:00:01 vm sshd[11]: Failed password for invalid user Hunter2Secret! from 10.0.0.1")
			out, state := filepath.Join(dir, "report.txt"), filepath.Join(dir, "aireport.state")
			args := []string{"-o", out, "--state", state, dir}
			if tc.fileMode != "" {
				args = append(args, "--file-mode", tc.fileMode)
			}
			if r := runAI(t, nil, args...); r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, p := range []string{out, state} {
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.Mode().Perm(); got != tc.want {
					t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), got, tc.want)
				}
			}
		})
	}
	if r := runAI(t, nil, "--file-mode", "0755", t.TempDir()); r.code != exitUsage {
		t.Errorf("--file-mode 0755: exit %d, want %d", r.code, exitUsage)
	}
}
