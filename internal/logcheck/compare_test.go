package logcheck

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/debianday"
	"github.com/logtally/logtally/rules"
)

// debianDB loads Debian's logcheck database, installed by scripts/deps.sh
// (package logcheck-database).
func debianDB(t *testing.T) *Database {
	t.Helper()
	db, err := LoadDatabase("/etc/logcheck", "server")
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Patterns) == 0 {
		t.Fatal("no logcheck database in /etc/logcheck: scripts/deps.sh installs logcheck-database")
	}
	return db
}

// TestConvertedRulesAgreeWithLogcheck converts Debian's whole database and
// classifies the shipped example logs and a generated Debian day with
// logcheck's own grep -E matching and with the converted rules: every line
// must get the same verdict, except lines whose verdicts differ only by a
// [pid] (logtally's rules do not look at it), which must be explained as
// such by logcheck's verdict on the line with the [pid] toggled.
func TestConvertedRulesAgreeWithLogcheck(t *testing.T) {
	db := debianDB(t)
	cv := Convert(db)
	if n := cv.ConvertedPatterns(); n < len(db.Patterns)*95/100 {
		t.Errorf("converted %d of %d patterns, want at least 95 %%", n, len(db.Patterns))
	}
	for _, f := range cv.Failures {
		if f.Reason == "" {
			t.Errorf("%s: not converted, with no reason", f.From.Where())
		}
	}
	var file bytes.Buffer
	if err := cv.WriteRules(&file, "system"); err != nil {
		t.Fatal(err)
	}
	set, err := rules.Parse("converted.yaml", file.Bytes())
	if err != nil {
		t.Fatalf("converted rules do not load: %v", err)
	}

	var lines []string
	samples, _ := filepath.Glob("../../examples/*/sample.log")
	if len(samples) < 6 {
		t.Fatalf("found %d example logs, want the 6 shipped ones", len(samples))
	}
	for _, p := range samples {
		lines = append(lines, readTestLines(t, p)...)
	}
	lines = append(lines, debianday.Day(debianday.Config{Seed: 1, Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})...)

	c, err := Measure(db, set, lines, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	c.WriteComparison(&sb, "examples + Debian day")
	t.Log(sb.String())
	for _, d := range c.Disagree {
		if !d.OnlyPID {
			t.Errorf("line %d: logcheck says %s, the converted rules say %s: %s", d.Line, d.Logcheck, d.Logtally, d.Text)
		}
	}
	// the comparison must exercise every verdict, or it proves little
	for v := Reported; v <= Attack; v++ {
		if c.Logcheck[v] < 10 {
			t.Errorf("only %d lines that logcheck classifies %s; the inputs should have some of each", c.Logcheck[v], v)
		}
	}
}

func readTestLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestLogcheckVerdictOrder checks the combination of grep answers on a
// small database written for the purpose: attacks win over violations,
// violation ignores cancel violations, and a violation is never "ignored"
// by ignore.d.
func TestLogcheckVerdictOrder(t *testing.T) {
	root := t.TempDir()
	h := `^\w{3} [ :0-9]{11} [._[:alnum:]-]+ `
	write := func(dir, name string, pats ...string) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, name), []byte("# comment\n\n"+strings.Join(pats, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cracking.d", "app", h+`app\[[0-9]+\]: attack`)
	write("violations.d", "app", h+`app\[[0-9]+\]: .*(attack|denied|bad)`)
	write("violations.ignore.d", "logcheck-app", h+`app\[[0-9]+\]: denied by policy$`)
	write("ignore.d.server", "app", h+`app\[[0-9]+\]: (started|bad thing|denied by policy)$`)
	write("ignore.d.paranoid", "app", h+`app\[[0-9]+\]: ping$`)
	db, err := LoadDatabase(root, "server")
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"Nov 22 10:00:00 h app[1]: attack from x",    // cracking
		"Nov 22 10:00:00 h app[1]: access denied",    // violation
		"Nov 22 10:00:00 h app[1]: denied by policy", // violation, ignored by violations.ignore.d
		"Nov 22 10:00:00 h app[1]: bad thing",        // violation even though ignore.d matches
		"Nov 22 10:00:00 h app[1]: started",          // ignore.d.server
		"Nov 22 10:00:00 h app[1]: ping   ",          // ignore.d.paranoid, after stripping trailing space
		"Nov 22 10:00:00 h app[1]: something new",    // reported
		"Nov 22 10:00:00 h other[1]: started",        // reported: another program
	}
	want := []Verdict{Attack, Violation, Ignored, Violation, Ignored, Ignored, Reported, Reported}
	got, err := LogcheckVerdicts(db, lines)
	if err != nil {
		t.Fatal(err)
	}
	cv := Convert(db)
	var file bytes.Buffer
	if err := cv.WriteRules(&file, "system"); err != nil {
		t.Fatal(err)
	}
	set, err := rules.Parse("converted.yaml", file.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, file.String())
	}
	lt := LogtallyVerdicts(set, lines)
	for i := range lines {
		if got[i] != want[i] {
			t.Errorf("logcheck on %q: %s, want %s", lines[i], got[i], want[i])
		}
		if lt[i] != want[i] {
			t.Errorf("converted rules on %q: %s, want %s", lines[i], lt[i], want[i])
		}
	}
}
