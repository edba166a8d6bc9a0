package cli

import (
	"bytes"
	"strings"
	"testing"
)

func newTestCommand() (*Command, *string) {
	c := New("demo", "do a thing")
	c.Usage = []string{"[options] FILE..."}
	c.Description = "First paragraph.\n\n.starts with a dot and has a \\ backslash and --zeta."
	c.ExitCodes = []ExitCode{{0, "ok"}, {2, "bad usage"}}
	b := c.Group("Beta")
	zeta := b.StringP("zeta", "z", "z-default", "the `NAME` of zeta")
	b.Int("cpus", 8, "machine dependent")
	c.DefaultText("cpus", "the number of CPUs")
	c.Group("Alpha").Bool("alpha", false, "a switch")
	return c, zeta
}

func TestHelpGroupsInDefinitionOrder(t *testing.T) {
	c, zeta := newTestCommand()
	var stdout, stderr bytes.Buffer
	if done, code := c.Parse([]string{"--zeta", "x", "rest"}, &stdout, &stderr); done || code != 0 {
		t.Fatalf("Parse: done %v code %d", done, code)
	}
	if *zeta != "x" || len(c.Args()) != 1 || c.Args()[0] != "rest" {
		t.Fatalf("zeta %q args %q", *zeta, c.Args())
	}
	c.WriteHelp(&stdout)
	help := stdout.String()
	order := []string{"usage: demo [options] FILE...", "Beta:", "-z, --zeta NAME", `(default "z-default")`,
		"--cpus int", "(default the number of CPUs)", "Alpha:", "--alpha", "Other:", "--help", "--version", "Exit status:", "  2  bad usage"}
	pos := 0
	for _, w := range order {
		i := strings.Index(help[pos:], w)
		if i < 0 {
			t.Fatalf("help lacks %q after offset %d:\n%s", w, pos, help)
		}
		pos += i + len(w)
	}
	if strings.Contains(help, "help-man") {
		t.Errorf("help shows the hidden --help-man:\n%s", help)
	}
}

func TestManEscapes(t *testing.T) {
	c, _ := newTestCommand()
	var stdout, stderr bytes.Buffer
	if done, code := c.Parse([]string{"--help-man"}, &stdout, &stderr); !done || code != 0 {
		t.Fatalf("--help-man: done %v code %d", done, code)
	}
	man := stdout.String()
	for _, w := range []string{
		".TH DEMO 1 \"\" \"logtally\" \"logtally manual\"\n",
		".SH NAME\ndemo \\- do a thing\n",
		".B demo\n[options] FILE...\n",
		"\\&.starts with a dot and has a \\e backslash and \\-\\-zeta.",
		".SS Beta\n.TP\n\\fB\\-z\\fR, \\fB\\-\\-zeta\\fR \\fINAME\\fR\nthe NAME of zeta (default \"z-default\")\n",
		".SH EXIT STATUS\n.TP\n.B 0\nok\n",
	} {
		if !strings.Contains(man, w) {
			t.Errorf("man page lacks %q:\n%s", w, man)
		}
	}
	for _, line := range strings.Split(man, "\n") {
		if strings.HasPrefix(line, ".") && !strings.HasPrefix(line, ".TH") && !strings.HasPrefix(line, ".SH") &&
			!strings.HasPrefix(line, ".SS") && !strings.HasPrefix(line, ".TP") && !strings.HasPrefix(line, ".B ") &&
			!strings.HasPrefix(line, ".PP") && !strings.HasPrefix(line, ".br") {
			t.Errorf("text line read as a roff request: %q", line)
		}
	}
}

func TestFailPrintsHint(t *testing.T) {
	c, _ := newTestCommand()
	var stdout, stderr bytes.Buffer
	done, code := c.Parse([]string{"--zeta"}, &stdout, &stderr)
	if !done || code != ExitUsage || stdout.Len() != 0 {
		t.Fatalf("done %v code %d stdout %q", done, code, stdout.String())
	}
	if e := stderr.String(); !strings.HasPrefix(e, "demo: flag needs an argument") ||
		!strings.HasSuffix(e, "\nRun 'demo --help' for usage.\n") {
		t.Errorf("stderr %q", stderr.String())
	}
}
