package rules

import (
	"fmt"
	"strings"
	"testing"
)

// A rule's own program condition narrows it within its category, with and
// without the Aho–Corasick prefilter.
func TestRuleProgram(t *testing.T) {
	for _, n := range []int{2, 12} {
		var b strings.Builder
		b.WriteString("categories:\n  - name: sys\n    rules:\n")
		b.WriteString("      - {name: ssh, program: sshd, pattern: '^session opened', ignore: true}\n")
		b.WriteString("      - {name: mail, program: ['postfix/*', exim4], substring: 'session opened', count: mail}\n")
		for i := 2; i < n; i++ {
			fmt.Fprintf(&b, "      - {name: filler%d, substring: 'filler %d xyz'}\n", i, i)
		}
		s := mustParse(t, b.String())
		m := s.NewMatcher()
		for prog, want := range map[string]int{"sshd": 0, "postfix/smtpd": 1, "exim4": 1, "cron": -1, "": -1} {
			if got := m.Match(0, rec(prog, "h", -1, -1, "session opened for x"), 0); got != want {
				t.Errorf("n=%d program %q: rule %d, want %d", n, prog, got, want)
			}
		}
	}
	_, err := Parse("t.yaml", []byte("categories:\n  - name: c\n    rules:\n      - {name: r, program: '', substring: x}\n"))
	if err == nil || !strings.Contains(err.Error(), `rule "r": program: empty glob`) {
		t.Errorf("empty program glob: got %v", err)
	}
}
