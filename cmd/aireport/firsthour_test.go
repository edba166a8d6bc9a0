package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logtally/logtally/rules"
)

// The first hour on a real host: the spool holds only files summarize is
// still writing. aireport says so (not "empty directory"), fails, and
// leaves the state file alone, so the first real run is still a first run.
func TestInProgressSpoolAndState(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	state := filepath.Join(dir, "state.json")
	line := []byte("Nov 22 10:00:01 h sshd[1]: something new\n")
	writeFile(t, filepath.Join(spool, "sshd", "unknown-20261122T100000Z-7.log.zst.tmp"), nil)
	writeFile(t, filepath.Join(spool, "postfix", "unknown-20261122T100000Z-7.log.zst.tmp"), nil)

	r := runAI(t, nil, "--state", state, spool)
	if r.code != exitInput {
		t.Errorf("exit %d, want %d", r.code, exitInput)
	}
	if !strings.Contains(r.stderr, "no input yet: 2 files still being written (summarize completes them after --spool-max-age, or at once on SIGUSR2)") || strings.Contains(r.stderr, "empty directory") {
		t.Errorf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Fatalf("a run that read nothing wrote the state file (%v)", err)
	}
	r = runAI(t, nil, "--state", state, filepath.Join(dir, "missing"))
	if _, err := os.Stat(state); r.code == 0 || !os.IsNotExist(err) {
		t.Fatalf("a failed run: exit %d, state file %v", r.code, err)
	}
	if !strings.Contains(r.stderr, "not updated") {
		t.Errorf("the state file left alone is not said: %q", r.stderr)
	}

	// one file completed (SIGUSR2), one still in progress: a report, a note
	if err := os.Remove(filepath.Join(spool, "sshd", "unknown-20261122T100000Z-7.log.zst.tmp")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(spool, "sshd", "unknown-20261122T100000Z-7.log.zst"), zst(t, line))
	r = runAI(t, nil, "--state", state, spool)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "1 file still being written, skipped") || !strings.Contains(r.stderr, "postfix/unknown-20261122T100000Z-7.log.zst.tmp") {
		t.Errorf("in-progress file not named: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "nothing is marked NEW on a first run") {
		t.Errorf("the first real run is not a first run:\n%s", r.stdout)
	}
}

// --suggest on the spool of lines no category took proposes categories,
// not rules to append to a category that does not exist.
func TestSuggestUncategorized(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 5; i++ {
		b.WriteString("Nov 22 10:00:01 h myapp[12]: worker 3 restarted after 2 failures\n")
		b.WriteString("Nov 22 10:00:02 h otherd: cache flushed in 12 ms\n")
	}
	writeFile(t, filepath.Join(dir, "_uncategorized", "unknown-20261122T100000Z-7.log.zst"), zst(t, []byte(b.String())))
	r := runAI(t, nil, "--suggest", "5", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`add these categories under "categories:"`,
		"  - name: myapp\n    match: {program: 'myapp'}\n    rules:\n",
		"  - name: otherd\n    match: {program: 'otherd'}\n    rules:\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("suggestions lack %q:\n%s", want, r.stdout)
		}
	}
	if _, err := rules.Parse("suggested", []byte("categories:\n"+r.stdout)); err != nil {
		t.Errorf("the suggested categories do not load: %v\n%s", err, r.stdout)
	}
	if strings.Contains(r.stdout, "append under its") {
		t.Errorf("suggests appending to a category that does not exist:\n%s", r.stdout)
	}
}
