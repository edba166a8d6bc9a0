package main

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/aireport/corpus"
	"github.com/logtally/logtally/rules"
)

var update = flag.Bool("update", false, "regenerate examples/aireport/spool and testdata/aireport-example")

const exampleDir = "../../examples/aireport"

// The example spool: two days of sshd and postfix lines no rule claimed
// (made from the labelled events in internal/aireport/corpus). Day two has more
// sessions (an ignore rule's count jumps) and events never seen on day one.
var exampleDays = []struct {
	day    time.Time
	events map[string]map[string]int // category -> event id -> lines
}{
	{time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), map[string]map[string]int{
		"sshd":    {"ssh-session-open": 40, "ssh-session-close": 38, "ssh-invalid-user": 25, "ssh-conn-closed": 60, "ssh-recv-disc": 12, "ssh-fail-pw": 9},
		"postfix": {"pf-connect": 30, "pf-disconnect": 30, "pf-lost": 7, "pf-client": 20, "pf-qmgr-removed": 20},
	}},
	{time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), map[string]map[string]int{
		"sshd":    {"ssh-session-open": 95, "ssh-session-close": 41, "ssh-invalid-user": 31, "ssh-conn-closed": 55, "ssh-recv-disc": 10, "ssh-fail-pw": 11, "ssh-maxauth": 4},
		"postfix": {"pf-connect": 33, "pf-disconnect": 29, "pf-lost": 6, "pf-client": 24, "pf-qmgr-removed": 24, "pf-smtp-deferred": 3},
	}},
}

func generateExampleSpool(t *testing.T) {
	spool := filepath.Join(exampleDir, "spool")
	os.RemoveAll(spool)
	r := rand.New(rand.NewPCG(11, 12))
	for _, d := range exampleDays {
		for _, cat := range []string{"postfix", "sshd"} {
			var ids []string
			for id, n := range d.events[cat] {
				for i := 0; i < n; i++ {
					ids = append(ids, id)
				}
			}
			// deterministic order: sort, then shuffle with the seeded source
			slicesSort(ids)
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			var b bytes.Buffer
			for i, id := range ids {
				line, ok := corpus.Line(r, id, d.day.Add(time.Duration(i)*37*time.Second), "mx1")
				if !ok {
					t.Fatalf("unknown event %s", id)
				}
				b.WriteString(line + "\n")
			}
			stamp := d.day.Format("20060102T150405Z")
			data, ext := zst(t, b.Bytes()), ".log.zst"
			if cat == "postfix" {
				data, ext = gz(t, b.Bytes()), ".log.gz"
			}
			writeFile(t, filepath.Join(spool, cat, "unknown-"+stamp+"-4242"+ext), data)
		}
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func withClock(t *testing.T, now time.Time) {
	old := clock
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = old })
}

// TestExampleReport runs the two commands of examples/aireport/README.md
// (day one creates the state, day two is the report shown there) and
// checks the README shows exactly what aireport prints.
func TestExampleReport(t *testing.T) {
	if *update {
		generateExampleSpool(t)
	}
	withClock(t, time.Date(2026, 11, 23, 7, 15, 0, 0, time.UTC))
	state := filepath.Join(t.TempDir(), "aireport.state")
	spool := filepath.Join(exampleDir, "spool")
	rulesPath := filepath.Join(exampleDir, "rules.yaml")
	if _, err := rules.Load(rulesPath); err != nil {
		t.Fatalf("example rule file: %v", err)
	}
	r1 := runAI(t, nil, "--rules", rulesPath, "--state", state, "--until", "2026-11-22T00:00:00Z", spool)
	if r1.code != 0 {
		t.Fatalf("day 1: exit %d: %s", r1.code, r1.stderr)
	}
	r2 := runAI(t, nil, "--rules", rulesPath, "--state", state, "--since", "2026-11-22T00:00:00Z", spool)
	if r2.code != 0 {
		t.Fatalf("day 2: exit %d: %s", r2.code, r2.stderr)
	}
	golden := "testdata/aireport-example/day2.txt"
	if *update {
		writeFile(t, golden, []byte(r2.stdout))
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if r2.stdout != string(want) {
		t.Errorf("day-2 report differs from %s (go test -run TestExampleReport -update ./cmd/aireport):\n%s", golden, r2.stdout)
	}
	for _, must := range []string{"NEW sshd: error: maximum authentication attempts", "! ", "session-opened"} {
		if !strings.Contains(r2.stdout, must) {
			t.Errorf("day-2 report lacks %q", must)
		}
	}
	readme, err := os.ReadFile(filepath.Join(exampleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, want) {
		t.Errorf("examples/aireport/README.md does not show the current day-2 report; paste %s into it", golden)
	}
}

// TestExampleCrontab runs every job of examples/aireport/crontab with its
// paths mapped into the example and a temp dir.
func TestExampleCrontab(t *testing.T) {
	withClock(t, time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC))
	tmp := t.TempDir()
	for _, d := range []string{"state", "reports", "old-spool/sshd"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// the cleanup job runs on a spool of its own: one fresh, one old file
	oldSpool := filepath.Join(tmp, "old-spool")
	fresh, old := filepath.Join(oldSpool, "sshd", "unknown-20261122T100000Z-1.log.zst"), filepath.Join(oldSpool, "sshd", "unknown-20261101T100000Z-1.log.zst")
	for _, p := range []string{fresh, old} {
		if err := os.WriteFile(p, nil, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(old, time.Now().AddDate(0, 0, -20), time.Now().AddDate(0, 0, -20)); err != nil {
		t.Fatal(err)
	}
	// replacements are tried in argument order at each position
	repl := strings.NewReplacer(
		"/etc/logtally/rules.yaml", filepath.Join(exampleDir, "rules.yaml"),
		"/var/lib/logtally/spool", filepath.Join(exampleDir, "spool"),
		"/var/lib/logtally/", tmp+"/",
	)
	data, err := os.ReadFile(filepath.Join(exampleDir, "crontab"))
	if err != nil {
		t.Fatal(err)
	}
	jobs := 0
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || strings.HasPrefix(f[0], "#") || strings.Contains(f[0], "=") {
			continue
		}
		if f[5] == "root" && f[6] == "find" {
			cmd := strings.Replace(strings.Join(f[6:], " "), "/var/lib/logtally/spool", oldSpool, 1)
			if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
				t.Errorf("%s: %v: %s", line, err, out)
			}
			if _, err := os.Stat(old); !os.IsNotExist(err) {
				t.Errorf("cleanup kept the 20-day-old spool file (%v)", err)
			}
			if _, err := os.Stat(fresh); err != nil {
				t.Errorf("cleanup removed a fresh spool file: %v", err)
			}
			continue
		}
		if f[5] != "logtally" || f[6] != "/usr/local/bin/aireport" {
			t.Fatalf("job does not run aireport as logtally: %q", line)
		}
		var args []string
		for _, a := range f[7:] {
			args = append(args, repl.Replace(a))
		}
		r := runAI(t, nil, args...)
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", line, r.code, r.stderr)
		}
		jobs++
	}
	if jobs != 4 {
		t.Errorf("%d aireport jobs, want 4", jobs)
	}
	html, err := os.ReadFile(filepath.Join(tmp, "reports", "unknown.html"))
	if err != nil || !bytes.Contains(html, []byte(`<table class="sortable">`)) || bytes.Contains(html, []byte(`src="http`)) {
		t.Errorf("HTML report missing or not self-contained (%v)", err)
	}
}
