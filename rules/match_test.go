package rules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/logtally/logtally/parsers"
)

func mustParse(t testing.TB, src string) *Set {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rec(program, host string, fac, sev int8, msg string) *parsers.Record {
	return &parsers.Record{Program: []byte(program), Host: []byte(host), Facility: fac, Severity: sev, Message: []byte(msg)}
}

func TestCategorize(t *testing.T) {
	s := mustParse(t, `categories:
  - {name: sshd, match: {program: sshd}}
  - {name: asa_fw1, match: {program: "%ASA-*", host: ["fw1", "fw1.*"]}}
  - {name: asa, match: {program: ["%ASA-*", "%FTD-?-*"]}}
  - {name: crit, match: {severity: "<=crit"}}
  - {name: mail, match: {facility: [mail, 20], severity: [">=info", "3"]}}
  - {name: sshd2, match: {program: "sshd"}}
  - {name: star, match: {program: "*d"}}
  - {name: all}
`)
	m := s.NewMatcher()
	tests := []struct {
		rec  *parsers.Record
		want string
	}{
		{rec("sshd", "h", 4, 6, ""), "sshd"},
		{rec("sshd2", "h", 4, 6, ""), "all"},
		{rec("%ASA-5-304001", "fw1", 20, 5, ""), "asa_fw1"},
		{rec("%ASA-5-304001", "fw1.example", 20, 5, ""), "asa_fw1"},
		{rec("%ASA-5-304001", "fw2", 20, 5, ""), "asa"},
		{rec("%FTD-5-430002", "fw2", 20, 5, ""), "asa"},
		{rec("%FTD-55-430002", "fw2", 20, 5, ""), "crit"}, // sev 5 > crit: falls through to... see below
		{rec("kernel", "h", 0, 2, ""), "crit"},
		{rec("kernel", "h", 0, 3, ""), "all"},
		{rec("postfix", "h", 2, 6, ""), "mail"},
		{rec("postfix", "h", 20, 3, ""), "mail"},
		{rec("postfix", "h", 20, 4, ""), "all"},
		{rec("postfix", "h", -1, -1, ""), "all"},
		{rec("named", "h", 3, 6, ""), "star"},
		{rec("", "", -1, -1, ""), "all"},
	}
	tests[6].rec.Severity = 1 // make the FTD-55 line critical: "?" matched one char only
	for _, tt := range tests {
		got := m.Categorize(tt.rec)
		name := "<none>"
		if got >= 0 {
			name = s.Categories[got].Name
		}
		if name != tt.want {
			t.Errorf("Categorize(%s host=%s fac=%d sev=%d) = %s, want %s", tt.rec.Program, tt.rec.Host, tt.rec.Facility, tt.rec.Severity, name, tt.want)
		}
	}
	s2 := mustParse(t, "categories: [{name: a, match: {program: x}}]")
	if got := s2.NewMatcher().Categorize(rec("y", "", 1, 1, "")); got != -1 {
		t.Errorf("no category: got %d", got)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		glob, s string
		want    bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"", "", true}, {"", "a", false},
		{"abc", "abc", true}, {"abc", "abcd", false}, {"a*", "a", true}, {"a*", "ba", false},
		{"*c", "abc", true}, {"*c", "abd", false}, {"a*c", "ac", true}, {"a*c", "abcbc", true},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "acb", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*?", "", false}, {"*?", "x", true}, {"?*?", "x", false}, {`a\*`, "a*", true}, {`a\*`, "ab", false},
		{"%ASA-*", "%ASA-5-304001", true}, {"*ab*ab", "abab", true}, {"*aab", "aaab", true},
		{"a*a", "a", false}, {"**", "x", true}, {"a**b", "ab", true},
	}
	for _, tt := range tests {
		g, err := compileGlob(tt.glob)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.match([]byte(tt.s)); got != tt.want {
			t.Errorf("glob %q match %q = %v, want %v", tt.glob, tt.s, got, tt.want)
		}
	}
}

func TestMatchOrderContinue(t *testing.T) {
	var b strings.Builder
	b.WriteString("categories:\n  - name: c\n    rules:\n")
	// Enough rules to use Aho–Corasick; run the same checks with few rules too.
	for _, n := range []int{3, 20} {
		b.Reset()
		b.WriteString("categories:\n  - name: c\n    rules:\n")
		b.WriteString("      - {name: first, substring: alpha, continue: true, count: a}\n")
		b.WriteString("      - {name: second, pattern: 'alpha (?P<w>\\w+)', top: {words: '${w}'}}\n")
		b.WriteString("      - {name: third, pattern: 'alpha'}\n")
		for i := 3; i < n; i++ {
			fmt.Fprintf(&b, "      - {name: filler%d, substring: 'filler %d xyz'}\n", i, i)
		}
		s := mustParse(t, b.String())
		if (s.Categories[0].ac != nil) != (n >= acMinRules) {
			t.Fatalf("n=%d: ac=%v", n, s.Categories[0].ac != nil)
		}
		m := s.NewMatcher()
		r := rec("p", "h", 1, 1, "alpha beta")
		var got []string
		for i := m.Match(0, r, 0); i >= 0; i = m.Match(0, r, i+1) {
			rule := s.Categories[0].Rules[i]
			got = append(got, rule.Name)
			for _, top := range rule.Tops {
				got = append(got, string(m.AppendKey(nil, top.Key)))
			}
			if !rule.Continue {
				break
			}
		}
		if strings.Join(got, ",") != "first,second,beta" {
			t.Errorf("n=%d: got %v", n, got)
		}
		if i := m.Match(0, rec("p", "h", 1, 1, "alphx"), 0); i != -1 {
			t.Errorf("n=%d: unexpected match %d", n, i)
		}
		if n > 5 {
			if i := m.Match(0, rec("p", "h", 1, 1, "a filler 5 xyz"), 0); i != 5 {
				t.Errorf("n=%d: filler: got %d", n, i)
			}
		}
	}
}

func TestAppendKey(t *testing.T) {
	s := mustParse(t, `categories:
  - name: c
    rules:
      - name: r
        pattern: 'user=(?P<user>\w+)(?: port=(?P<port>\d+))?'
        top: {a: '${user}:${port}', b: 'cost $$5 ${user}$$', c: 'const', d: '${1}/${2}'}
      - name: other
        pattern: 'x(?P<y>y)'
        top: {e: '${y}'}
`)
	m := s.NewMatcher()
	r := s.Categories[0].Rules[0]
	if i := m.Match(0, rec("", "", 0, 0, "login user=bob port=22"), 0); i != 0 {
		t.Fatalf("match = %d", i)
	}
	want := []string{"bob:22", "cost $5 bob$", "const", "bob/22"}
	for i, top := range r.Tops {
		if got := string(m.AppendKey(nil, top.Key)); got != want[i] {
			t.Errorf("template %q = %q, want %q", top.Key, got, want[i])
		}
	}
	m.Match(0, rec("", "", 0, 0, "user=amy"), 0)
	if got := string(m.AppendKey([]byte("k="), r.Tops[0].Key)); got != "k=amy:" {
		t.Errorf("unset capture: %q", got)
	}
	if got := r.Tops[0].Key.Captures(); strings.Join(got, ",") != "user,port" {
		t.Errorf("Captures = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("AppendKey with another rule's template did not panic")
		}
	}()
	m.AppendKey(nil, s.Categories[0].Rules[1].Tops[0].Key)
}

func TestRequiredLiteral(t *testing.T) {
	tests := []struct {
		re    string
		lit   string
		exact bool
	}{
		{`Accessed URL`, "Accessed URL", true},
		{`^Accessed URL$`, "Accessed URL", false},
		{`Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]+)`, "Accessed URL ", false},
		{`Teardown TCP connection \d+ for .* bytes (\d+)`, "Teardown TCP connection ", false},
		{`(?i)accessed`, "", false},
		{`(?i)123`, "123", true},
		{`a|b`, "", false},
		{`x*foo`, "foo", false},
		{`(foo)+bar`, "foobar", false},
		{`a{3}b`, "aaab", true},
		{`a{2,}xyz`, "axyz", false},
		{`(?:abc)?def`, "def", false},
		{`[a]bc`, "abc", true},
		{`\x{FFFD}abc`, "", false},
		{`.*`, "", false},
		{`a{2}$`, "aa", false},
		{`\bfoo\b`, "foo", false},
		{`(?P<x>ab(c))d`, "abcd", true},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		lit, exact := requiredLiteral(re.Simplify())
		if lit != tt.lit || exact != tt.exact {
			t.Errorf("requiredLiteral(%q) = %q, %v; want %q, %v", tt.re, lit, exact, tt.lit, tt.exact)
		}
	}
}

// naiveMatch is Match without any prefilter: every rule in order.
func naiveMatch(c *Category, msg []byte, from int) int {
	for i := from; i < len(c.Rules); i++ {
		r := c.Rules[i]
		if r.litFromSub && !strings.Contains(string(msg), string(r.lit)) {
			continue
		}
		if r.re == nil || r.re.Match(msg) {
			return i
		}
	}
	return -1
}

// TestPrefilterProperty compares Match (literal prefilter, Aho–Corasick
// above acMinRules rules) with naiveMatch on random rule sets and messages.
func TestPrefilterProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "abcab.xy \xff"
	word := func(n int) string {
		var b []byte
		for range 1 + rng.IntN(n) {
			b = append(b, alphabet[rng.IntN(len(alphabet)-1)])
		}
		return string(b)
	}
	atoms := []string{"a", "b", "ab", "x+", "y?", "[ab]", ".", "(?P<c>a+)", "(?:ab|ba)", "\\.", "(?i)A", "a{2}", "^", "$", "x{0,2}", "bab", "a.*b", "\\xff"}
	for iter := range 150 {
		n := 1 + rng.IntN(40)
		var b strings.Builder
		b.WriteString("categories:\n  - name: c\n    rules:\n")
		for i := range n {
			fmt.Fprintf(&b, "      - name: r%d\n", i)
			switch rng.IntN(3) {
			case 0:
				fmt.Fprintf(&b, "        substring: %q\n", word(30))
			case 1:
				var p strings.Builder
				for range 1 + rng.IntN(5) {
					p.WriteString(atoms[rng.IntN(len(atoms))])
				}
				fmt.Fprintf(&b, "        pattern: %q\n", strings.ReplaceAll(p.String(), "(?P<c>", "(?P<c"+fmt.Sprint(i)+">"))
				if strings.Contains(p.String(), "(?P<c>") {
					fmt.Fprintf(&b, "        top: {t%d: '${c%d}'}\n", i, i)
				}
			default:
				fmt.Fprintf(&b, "        substring: %q\n        pattern: %q\n", word(3), regexp.QuoteMeta(word(4))+"+")
			}
			if rng.IntN(4) == 0 {
				b.WriteString("        continue: true\n")
			}
		}
		s, err := Parse("p.yaml", []byte(b.String()))
		if err != nil {
			t.Fatalf("iter %d: %v\n%s", iter, err, b.String())
		}
		c := s.Categories[0]
		m := s.NewMatcher()
		for range 50 {
			msg := []byte(word(60))
			for from := 0; from <= n; {
				got := m.Match(0, &parsers.Record{Message: msg}, from)
				want := naiveMatch(c, msg, from)
				if got != want {
					t.Fatalf("iter %d: Match(%q, from %d) = %d, want %d\nrules:\n%s", iter, msg, from, got, want, b.String())
				}
				if got < 0 {
					break
				}
				from = got + 1
			}
		}
	}
}

func TestAhoCorasick(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "", "s", "hers"}
	ac := newAhoCorasick(lits)
	set := make([]uint64, 1)
	ac.scan([]byte("ushers"), set)
	var got []int
	for i := nextBit(set, 0); i >= 0; i = nextBit(set, i+1) {
		got = append(got, i)
	}
	if fmt.Sprint(got) != "[0 1 3 5 6]" {
		t.Errorf("got %v", got)
	}
}
