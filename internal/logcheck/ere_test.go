package logcheck

import (
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Each case is checked against GNU grep itself: the translation must
// accept exactly the inputs `grep -E` accepts.
var ereCases = []struct {
	ere, re2 string
	inputs   []string
}{
	{`^\w{3} [ :[:digit:]]{11}`, `^[0-9A-Z_a-z]{3} [ :[:digit:]]{11}`, []string{"Nov 22 01:37:32", "No 22 01:37:32", "Nov 22 01:37"}},
	{`[\]]`, `[\\]\]`, []string{`\]`, `]`, `\`}},                 // backslash is literal inside brackets
	{`[^]a]+`, `[^\]a]+`, []string{"]]", "b", "a]"}},             // "]" first is literal
	{`a{,2}b`, `a{0,2}b`, []string{"b", "aab", "c"}},             // GNU's {,n}
	{`a{`, `a\{`, []string{"a{", "a"}},                           // "{" that starts no interval
	{`x\d`, `xd`, []string{"xd", "x1"}},                          // stray backslash: the letter itself
	{`(a|)b`, `(?:a|)b`, []string{"b", "ab", "c"}},               // empty alternative
	{`a+?b`, `(?:a+)?b`, []string{"b", "ab", "aab", "c"}},        // stacked repetitions, not lazy
	{`[a-c-]x`, `[a-c\-]x`, []string{"-x", "bx", "dx"}},          // trailing "-" is literal
	{`\bfoo\B`, `\bfoo\B`, []string{"foox", "foo bar", "xfoox"}}, // word boundaries
	{`^\(pam_unix\) .*$`, `^\(pam_unix\) .*$`, []string{"(pam_unix) x", "pam_unix x"}},
	{`[[:alnum:]_.-]+@[[:alpha:]]+`, `[[:alnum:]_.\-]+@[[:alpha:]]+`, []string{"a.b@example", "@x", "a@1"}},
}

func TestTranslateEREAgreesWithGrep(t *testing.T) {
	for _, c := range ereCases {
		got, err := TranslateERE(c.ere)
		if err != nil {
			t.Errorf("TranslateERE(%q): %v", c.ere, err)
			continue
		}
		if got != c.re2 {
			t.Errorf("TranslateERE(%q) = %q, want %q", c.ere, got, c.re2)
		}
		re := regexp.MustCompile(got)
		for _, in := range c.inputs {
			if g, w := re.MatchString(in), grepMatches(t, c.ere, in); g != w {
				t.Errorf("%q on %q: RE2 %q says %v, grep -E says %v", c.ere, in, got, g, w)
			}
		}
	}
}

func grepMatches(t *testing.T, ere, line string) bool {
	t.Helper()
	cmd := exec.Command("grep", "-E", "--text", "-e", ere)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.Stdin = strings.NewReader(line + "\n")
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return false
	}
	if err != nil {
		t.Fatalf("grep -E %q: %v", ere, err)
	}
	return true
}

func TestTranslateERERefusals(t *testing.T) {
	for ere, reason := range map[string]string{
		`(a)\1`:     "back-reference",
		`\<word`:    "word-edge",
		`[[.a.]]`:   "collating element",
		`*a`:        "nothing to repeat",
		`a{2000}`:   "limit",
		`[[:foo:]]`: "unknown character class",
		`(ab`:       "unmatched '('",
		`[ab`:       "unmatched '['",
		`trailing\`: "trailing backslash",
		`[z-a]`:     "reversed range",
	} {
		_, err := TranslateERE(ere)
		var ue *UntranslatableError
		if !errors.As(err, &ue) || !strings.Contains(ue.Reason, reason) {
			t.Errorf("TranslateERE(%q) = %v, want an UntranslatableError about %q", ere, err, reason)
		}
	}
}

func TestSplitBranch(t *testing.T) {
	const h = `^(\w{3} [ :[:digit:]]{11}|[0-9T:.+-]{32}) [._[:alnum:]-]+ `
	for _, c := range []struct {
		ere          string
		names, globs []string
		msg          string
	}{
		{h + `sshd\[[0-9]+\]: Accepted publickey for [a-z]+$`, []string{"sshd"}, nil, `^Accepted publickey for [a-z]+[[:space:]]*$`},
		{h + `(postfix/smtpd|postfix/lmtp)\[[[:digit:]]+\]: connect from .*$`, []string{"postfix/smtpd", "postfix/lmtp"}, nil, `^connect from .*[[:space:]]*$`},
		{h + `su(\[[0-9]+\])?: .*$`, []string{"su"}, nil, `^.*[[:space:]]*$`},
		{h + `kernel:( \[ *[[:digit:]]+\.[[:digit:]]+\])? end_request`, []string{"kernel"}, nil, `^(?:\[ *[[:digit:]]+\.[[:digit:]]+\] end_request|end_request)`},
		{h + `dhclient\[[[:digit:]]+\] Trying recorded lease`, []string{"dhclient"}, nil, `^Trying recorded lease`},
		{h + `in.tftpd\[[0-9]+\]: connect`, nil, []string{"in?tftpd"}, `^connect`},
		{h + `-- MARK --$`, nil, []string{"*"}, `^-- MARK --[[:space:]]*$`},
	} {
		tree, err := parseERE(c.ere)
		if err != nil {
			t.Fatal(err)
		}
		s, err := splitBranch(tree.subs[0])
		if err != nil {
			t.Errorf("%s: %v", c.ere, err)
			continue
		}
		if strings.Join(s.Names, ",") != strings.Join(c.names, ",") || strings.Join(s.Globs, ",") != strings.Join(c.globs, ",") || s.Message != c.msg {
			t.Errorf("%s:\n got names %q globs %q message %q\nwant names %q globs %q message %q", c.ere, s.Names, s.Globs, s.Message, c.names, c.globs, c.msg)
		}
	}
}

func FuzzTranslateERE(f *testing.F) {
	for _, c := range ereCases {
		f.Add(c.ere)
	}
	f.Add(`^(\w{3} [ :0-9]{11}|[0-9T:.+-]{32}) [._[:alnum:]-]+ kernel:( \[ *[0-9]+\.[0-9]+\])? x$`)
	f.Fuzz(func(t *testing.T, ere string) {
		got, err := TranslateERE(ere)
		if err != nil {
			return
		}
		if _, err := regexp.Compile(got); err != nil {
			t.Fatalf("TranslateERE(%q) = %q, which RE2 rejects: %v", ere, got, err)
		}
		tree, _ := parseERE(ere)
		for _, br := range tree.subs {
			if s, err := splitBranch(br); err == nil {
				if _, err := regexp.Compile(s.Message); err != nil {
					t.Fatalf("split of %q gives message pattern %q, which RE2 rejects: %v", ere, s.Message, err)
				}
			}
		}
	})
}

// Valid ERE beyond RE2's nesting limit is reported as untranslatable, never
// emitted as a pattern the rule loader would refuse (found by FuzzTranslateERE).
func TestTranslateERETooDeep(t *testing.T) {
	ere := strings.Repeat("(", 1200) + "a" + strings.Repeat(")*", 1200)
	if got, err := TranslateERE(ere); err == nil {
		t.Errorf("TranslateERE(1200 nested repeated groups) = %.40q…, want an error", got)
	}
}
