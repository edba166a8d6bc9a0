package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every file summarize writes carries log text and gets --file-mode
// (default 0640) minus the umask; the checkpoint stays owner-only. Today
// top-N files, the Prometheus textfile and the key=value and JSON files
// were 0644 whatever the umask.
func TestFileModes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		umask    int
		fileMode string // "" = default
		want     fs.FileMode
	}{
		{"default", 0o022, "", 0o640},
		{"umask 077", 0o077, "", 0o600},
		{"group and others asked for", 0o022, "0644", 0o644},
		{"umask narrows the option", 0o027, "0660", 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			dir := t.TempDir()
			in, err := os.ReadFile("../../examples/asa/sample.log")
			if err != nil {
				t.Fatal(err)
			}
			in = append(in, "Nov 22 10:02:30 fw %ASA-4-999999: Failed password for invalid user Hunter2Secret!\n"...)
			args := []string{"--rules", "../../examples/asa/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none",
				"--json", filepath.Join(dir, "s.json"), "--kv", filepath.Join(dir, "s.kv"), "--prom", filepath.Join(dir, "s.prom"),
				"--top-dir", filepath.Join(dir, "top"), "--spool-dir", filepath.Join(dir, "spool"), "--rrd-dir", filepath.Join(dir, "rrd"),
				"--checkpoint", filepath.Join(dir, "checkpoint")}
			if tc.fileMode != "" {
				args = append(args, "--file-mode", tc.fileMode)
			}
			defer setNow(func() time.Time { return fixedNow })()
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, bytes.NewReader(in), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			seen := map[string]bool{}
			err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == dir {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, p)
				kind := strings.SplitN(rel, string(filepath.Separator), 2)[0]
				perm := info.Mode().Perm()
				switch {
				case d.IsDir():
					if wantDir := tc.want | (tc.want&0o444)>>2; perm != wantDir {
						t.Errorf("directory %s: mode %04o, want %04o", rel, perm, wantDir)
					}
				case kind == "checkpoint":
					seen[kind] = true
					if perm != 0o600&tc.want {
						t.Errorf("%s: mode %04o, want %04o", rel, perm, 0o600&tc.want)
					}
				default:
					seen[kind] = true
					if perm != tc.want {
						t.Errorf("%s: mode %04o, want %04o", rel, perm, tc.want)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"s.json", "s.kv", "s.prom", "top", "spool", "rrd", "checkpoint"} {
				if !seen[k] {
					t.Errorf("no file under %s: the test checked nothing there", k)
				}
			}
		})
	}
}

func TestFileModeFlag(t *testing.T) {
	for _, bad := range []string{"0755", "644x", "0040", "01640"} {
		if o, _ := parseFlags([]string{"--rules", "r.yaml", "--file-mode", bad}, &bytes.Buffer{}, &bytes.Buffer{}); o != nil {
			t.Errorf("--file-mode %s accepted", bad)
		}
	}
}
