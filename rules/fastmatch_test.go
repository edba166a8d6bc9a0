package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/logtally/logtally/parsers"
)

// The fast matcher must return exactly what regexp returns: the same
// match/no-match and the same submatch indices (FindSubmatchIndex) or the
// same boolean (Match, for the capture-less program). These tests compare
// the two on the example rule files and sample logs, on random mutations of
// those lines, and on random patterns of the supported grammar against
// random inputs (non-ASCII and invalid UTF-8 included).

// fastPair is a pattern compiled both ways.
type fastPair struct {
	re     *regexp.Regexp
	caps   *fastProg // nil: outside the subset
	noCaps *fastProg
}

func compilePair(tb testing.TB, pat string) (fastPair, bool) {
	re, err := regexp.Compile(pat)
	if err != nil {
		return fastPair{}, false
	}
	st, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		tb.Fatalf("%q: regexp compiles but syntax.Parse fails: %v", pat, err)
	}
	st = st.Simplify()
	return fastPair{re: re, caps: compileFast(st, true), noCaps: compileFast(st, false)}, true
}

// diff compares the fast matcher with regexp on in. It returns the number
// of executions that gave up (budget), which are not errors.
func (fp fastPair) diff(tb testing.TB, st *fastState, in []byte) (gaveUp int) {
	tb.Helper()
	if fp.caps != nil {
		caps := make([]int, fp.caps.ncap)
		want := fp.re.FindSubmatchIndex(in)
		switch fp.caps.exec(st, in, caps) {
		case fastGaveUp:
			gaveUp++
		case fastMatched:
			if !slices.Equal(caps, want) {
				tb.Fatalf("pattern %q input %q: fast %v, regexp %v", fp.re, in, caps, want)
			}
		default:
			if want != nil {
				tb.Fatalf("pattern %q input %q: fast no match, regexp %v", fp.re, in, want)
			}
		}
	}
	if fp.noCaps != nil {
		want := fp.re.Match(in)
		switch r := fp.noCaps.exec(st, in, nil); {
		case r == fastGaveUp:
			gaveUp++
		case (r == fastMatched) != want:
			tb.Fatalf("pattern %q input %q (no captures): fast %v, regexp %v", fp.re, in, r == fastMatched, want)
		}
	}
	return gaveUp
}

// examplePatterns returns every pattern of examples/*/rules.yaml and of the
// docs/rules.md example (rules and masks).
func examplePatterns(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var pats []string
	add := func(s *Set) {
		for _, m := range s.Masks {
			if !seen[m.Regexp.String()] {
				seen[m.Regexp.String()] = true
				pats = append(pats, m.Regexp.String())
			}
		}
		for _, c := range s.Categories {
			for _, r := range c.Rules {
				if r.re != nil && !seen[r.re.String()] {
					seen[r.re.String()] = true
					pats = append(pats, r.re.String())
				}
			}
		}
	}
	files, _ := filepath.Glob("../examples/*/rules.yaml")
	if len(files) == 0 {
		t.Fatal("no example rule files")
	}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		add(s)
	}
	data, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	// Every yaml block of the docs that parses as a rule file.
	for rest := string(data); ; {
		var ok bool
		if _, rest, ok = strings.Cut(rest, "```yaml\n"); !ok {
			break
		}
		var src string
		src, rest, _ = strings.Cut(rest, "```")
		if s, err := Parse("docs/rules.md", []byte(src)); err == nil {
			add(s)
		}
	}
	return pats
}

func sampleLines(t *testing.T) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("../examples/*/sample.log")
	var lines [][]byte
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		fh.Close()
	}
	if len(lines) == 0 {
		t.Fatal("no sample lines")
	}
	return lines
}

// briefPatterns are the hot capture patterns of the profile; all of them
// must take the fast path.
var briefPatterns = []string{
	`Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]*)`,
	`Accepted (?P<method>\w+) for (?P<user>\S+) from (?P<src>[0-9a-fA-F:.]+) port`,
	`^(?P<client>\S+) \S+ \S+ \[[^\]]+\] "(?P<method>[A-Z]+) (?P<path>[^ ?"]*)[^"]*" (?P<status>\d{3}) (?P<bytes>\d+|-) .*rt=(?P<rt>[0-9.]+)`,
	`connect from (?P<client>\S+?)\[`,
	`Failed password for (?:invalid user )?(?P<user>\S+) from`,
}

// mutate returns a random variation of line: bytes replaced, inserted or
// deleted (non-ASCII and invalid UTF-8 among them), or a slice of it.
func mutate(rng *rand.Rand, line []byte) []byte {
	out := bytes.Clone(line)
	pieces := []string{" ", "/", "?", "[", "]", "\"", "-", ".", ":", "\n", "é", "€", "\xff", "\xc3", "\x80", "\xe2\x82", "0", "9", "a", "Z", "_", "rt=", " port ", " from ", "\U0001F600"}
	for n := rng.IntN(4); n >= 0; n-- {
		switch i := rng.IntN(len(out) + 1); rng.IntN(4) {
		case 0:
			out = slices.Insert(out, i, []byte(pieces[rng.IntN(len(pieces))])...)
		case 1:
			if i < len(out) {
				out = slices.Delete(out, i, min(len(out), i+1+rng.IntN(3)))
			}
		case 2:
			if i < len(out) {
				p := pieces[rng.IntN(len(pieces))]
				out = append(out[:i:i], append([]byte(p), out[min(len(out), i+len(p)):]...)...)
			}
		default:
			j := rng.IntN(len(out) + 1)
			out = out[min(i, j):max(i, j)]
		}
	}
	return out
}

func TestFastMatchExamples(t *testing.T) {
	pats := append(examplePatterns(t), briefPatterns...)
	lines := sampleLines(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var st fastState
	mutations := 20
	if testing.Short() {
		mutations = 3
	}
	for _, pat := range pats {
		fp, ok := compilePair(t, pat)
		if !ok {
			t.Fatalf("%q does not compile", pat)
		}
		if fp.caps == nil {
			t.Logf("regexp only: %q", pat)
			continue
		}
		t.Logf("fast:        %q", pat)
		gaveUp, runs, matched := 0, 0, 0
		for _, line := range lines {
			// The whole line, the message (after "]: " or ": ") and every
			// suffix starting after a space.
			ins := [][]byte{line}
			for i, b := range line {
				if b == ' ' {
					ins = append(ins, line[i+1:])
				}
			}
			for _, in := range ins {
				gaveUp += fp.diff(t, &st, in)
				runs++
				if fp.re.Match(in) {
					matched++
				}
			}
			for range mutations {
				gaveUp += fp.diff(t, &st, mutate(rng, line))
				runs++
			}
		}
		if matched == 0 && !strings.Contains(pat, "PID") {
			t.Logf("  (no sample line matches)")
		}
		if gaveUp > 0 {
			t.Errorf("%q: gave up %d times of %d on realistic lines", pat, gaveUp, runs)
		}
	}
	for _, pat := range briefPatterns {
		if fp, _ := compilePair(t, pat); fp.caps == nil || fp.noCaps == nil {
			t.Errorf("%q is not on the fast path", pat)
		}
	}
}

// genPattern returns a random pattern of the supported grammar (and,
// rarely, something outside it, which must then be refused).
func genPattern(rng *rand.Rand, depth int, ncap *int) string {
	atoms := []string{"a", "b", "c", " ", "/", `\.`, "-", "é", "€", `\x{FFFD}`, "k", "K", "ſ", `\n`,
		`[a-c]`, `[^/ ]`, `[^a]`, `[^é]`, `[é-ü]`, `[\x{80}-\x{10FFFF}]`, `\d`, `\D`, `\w`, `\W`, `\s`, `\S`, `.`, `(?s:.)`,
		`[[:alpha:]]`, `\pL`, `(?i:k)`, `(?i:é)`, `(?i:s)`, `[^\n]`, `[0-9a-fA-F:.]`, `\x00`}
	var b strings.Builder
	n := 1 + rng.IntN(4)
	for range n {
		switch k := rng.IntN(20); {
		case k < 8:
			b.WriteString(atoms[rng.IntN(len(atoms))])
		case k < 13:
			b.WriteString(atoms[rng.IntN(len(atoms))])
			b.WriteString([]string{"*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "{0}"}[rng.IntN(8)])
			if rng.IntN(3) == 0 {
				b.WriteString("?")
			}
		case k < 14:
			b.WriteString([]string{"^", "$", `\A`, `\z`, `\b`, `\B`, `(?m:^)`, `(?m:$)`}[rng.IntN(8)])
		case k < 18 && depth < 3:
			var alts []string
			for range 1 + rng.IntN(3) {
				alts = append(alts, genPattern(rng, depth+1, ncap))
			}
			open := "(?:"
			if rng.IntN(2) == 0 {
				*ncap++
				open = fmt.Sprintf("(?P<g%d>", *ncap)
			}
			b.WriteString(open + strings.Join(alts, "|") + ")")
			if rng.IntN(3) == 0 {
				b.WriteString([]string{"?", "??", "*", "{1,2}"}[rng.IntN(4)])
			}
		default:
			b.WriteString([]string{"ab", "(?i)ka", "a b", "/x", "é€", "(?U)a+b*", "aab", "aba", "a a"}[rng.IntN(9)])
		}
	}
	return b.String()
}

func genInput(rng *rand.Rand) []byte {
	pieces := []string{"a", "b", "c", " ", "/", ".", "-", "é", "ü", "€", "\xef\xbf\xbd", "\xff", "\xc3", "\x80", "\xe2\x82",
		"k", "K", "\u212a", "s", "S", "ſ", "\n", "0", "7", "_", "x", "\x00", "\U0001F600", "ab", "aa"}
	var b []byte
	for n := rng.IntN(12); n > 0; n-- {
		b = append(b, pieces[rng.IntN(len(pieces))]...)
	}
	return b
}

func TestFastMatchRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var st fastState
	patterns, inputs := 3000, 200
	if testing.Short() {
		patterns = 500
	}
	fast, refused := 0, 0
	for range patterns {
		ncap := 0
		pat := genPattern(rng, 0, &ncap)
		fp, ok := compilePair(t, pat)
		if !ok {
			continue
		}
		if fp.caps == nil {
			refused++
			continue
		}
		fast++
		for range inputs {
			fp.diff(t, &st, genInput(rng))
		}
	}
	t.Logf("%d random patterns on the fast path, %d refused", fast, refused)
	if fast < patterns/2 {
		t.Errorf("only %d of %d random patterns on the fast path", fast, patterns)
	}
}

// TestFastMatchCases pins the tricky corners.
func TestFastMatchCases(t *testing.T) {
	cases := []struct {
		pat    string
		inputs []string
	}{
		{`[^é]`, []string{"é", "éa", "\xc3\xa9\xa9", "\xa9"}},
		{`[^/ ]+`, []string{"\xff\xfe/", "a\xe2\x82", "€€ x"}},
		{`\x{FFFD}`, []string{"\xff", "\xef\xbf\xbd", "a"}},
		{`(?i)k+`, []string{"kK\u212a", "\u212a"}},
		{`a.*b`, []string{"a\nb", "axxbxb"}},
		{`(?s)a.*b`, []string{"a\nb"}},
		{`\bfoo\b`, []string{"foo", "éfooé", "_foo", "xfoo foo"}},
		{`(?m)^x$`, []string{"a\nx\nb", "x", "\nx"}},
		{`(?P<a>\S+?)\[`, []string{"host[1.2.3.4]", "[", "a[b["}},
		{`(?:invalid user )?(?P<user>\S+) from`, []string{"invalid user bob from x", "invalid user  from"}},
		{`(?P<b>\d+|-) `, []string{"- ", "12 ", "-12 "}},
		{`x*`, []string{"", "yx", "xx"}},
		{`(a|ab)(c|bcd)(d*)`, []string{"abcd"}},
		{`.*rt=(?P<rt>[0-9.]+)`, []string{"rt=1 rt=2", "rt=", "rt=1rt=x"}},
		{`\d{3}`, []string{"12", "1234", "é123"}},
		{`[\x{80}-\x{10FFFF}]+`, []string{"\xc3\xa9\xa9", "\xf0\x9f\x98", "aé€"}},
	}
	var st fastState
	for _, c := range cases {
		fp, ok := compilePair(t, c.pat)
		if !ok || fp.caps == nil {
			t.Fatalf("%q not on the fast path", c.pat)
		}
		for _, in := range c.inputs {
			fp.diff(t, &st, []byte(in))
		}
	}
}

// TestFastMatchGiveUp: a pattern that backtracks exponentially exhausts
// the budget, and the Matcher then answers with the regexp package.
func TestFastMatchGiveUp(t *testing.T) {
	var st fastState
	// Exponential without the failure memo: the memo makes it cheap.
	pat := strings.Repeat("a?", 25) + strings.Repeat("a", 25)
	fp, _ := compilePair(t, pat)
	if fp.caps == nil {
		t.Fatal("not on the fast path")
	}
	fp.diff(t, &st, []byte(strings.Repeat("a", 25)))
	if !st.memoOn {
		t.Error("memo not engaged")
	}
	// Quadratic even with the memo: gives up on a long input.
	pat = `.*.*.*x`
	fp, _ = compilePair(t, pat)
	in := []byte(strings.Repeat("a", 2000) + "b")
	if r := fp.caps.exec(&st, in, make([]int, fp.caps.ncap)); r != fastGaveUp {
		t.Fatalf("exec = %d, want give up", r)
	}
	in[1000] = 'x'
	if r := fp.caps.exec(&st, in, make([]int, fp.caps.ncap)); r != fastGaveUp {
		t.Fatalf("exec = %d, want give up", r)
	}
	s := mustParse(t, "categories:\n  - name: c\n    rules:\n      - name: r\n        pattern: '(?P<x>"+pat+")'\n        top: {t: '${x}'}\n")
	m := s.NewMatcher()
	rec := &parsers.Record{Message: in}
	if i := m.Match(0, rec, 0); i != 0 {
		t.Fatalf("Match = %d", i)
	}
	if got := string(m.AppendKey(nil, s.Categories[0].Rules[0].Tops[0].Key)); got != string(in[:1001]) {
		t.Fatalf("key %q", got)
	}
}

// TestFastMatchRefused: patterns outside the subset keep the regexp.
func TestFastMatchRefused(t *testing.T) {
	for _, pat := range []string{`(?:ab)+`, `(a|b)*`, `(?:a b)*c`} {
		if fp, _ := compilePair(t, pat); fp.caps != nil {
			t.Errorf("%q compiled, want refused", pat)
		}
	}
}

// FuzzFastMatch: for any pattern regexp accepts and the fast matcher
// compiles, both agree on any input.
func FuzzFastMatch(f *testing.F) {
	for _, p := range briefPatterns {
		f.Add(p, "sshd: Accepted publickey for root from 10.0.0.1 port 22")
	}
	f.Add(`(?P<a>\S+?)\[`, "connect from host[1.2.3.4]")
	f.Add(`[^é]+|x`, "é\xffa")
	f.Add(`(?i)\bk(?:é|s)?$`, "\u212aſ")
	f.Add(`^(?P<c>\S+) \S+ \[[^\]]+\] (?P<s>\d{3})`, "1.2.3.4 - [x] 200")
	f.Fuzz(func(t *testing.T, pat, in string) {
		if len(pat) > 200 {
			return
		}
		fp, ok := compilePair(t, pat)
		if !ok {
			return
		}
		var st fastState
		fp.diff(t, &st, []byte(in))
	})
}

// hotPatterns are the capture patterns of the profile with a typical
// matching message each.
var hotPatterns = []struct{ name, pat, msg string }{
	{"url", briefPatterns[0], "10.1.2.3 Accessed URL 93.184.216.34:/index.html?q=1"},
	{"accepted", briefPatterns[1], "Accepted publickey for root from 2001:db8::7 port 52311 ssh2"},
	{"nginx", briefPatterns[2], `10.0.0.6 - - [22/Nov/2026:10:00:00 +0000] "GET /p/1fh.html HTTP/1.1" 200 95602 "-" "Mozilla/5.0" rt=0.104`},
	{"connect", briefPatterns[3], "connect from mail196.example.net[190.71.209.31]"},
	{"failed", briefPatterns[4], "Failed password for invalid user admin from 203.0.113.9 port 4711 ssh2"},
	{"postfix", `to=<(?P<rcpt>[^>]*)>, relay=(?P<relay>[^\[,]+).*delay=(?P<delay>[0-9.]+), .*status=sent`,
		"3F1A2B4C5D: to=<alice@example.org>, relay=mx.example.org[192.0.2.25]:25, delay=0.42, delays=0.1/0/0.2/0.12, dsn=2.0.0, status=sent (250 2.0.0 OK)"},
	{"ufw", `\[UFW BLOCK\] .*SRC=(?P<src>[0-9a-fA-F:.]+) .*PROTO=(?P<proto>\w+) .*DPT=(?P<dport>\d+)`,
		"[UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:00:00:01 SRC=203.0.113.9 DST=198.51.100.2 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=0 DF PROTO=TCP SPT=4711 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0"},
}

// BenchmarkMatchCaptures: one capture extraction, the regexp package
// (FindSubmatchIndex: the matcher before the fast path) against the fast
// matcher.
func BenchmarkMatchCaptures(b *testing.B) {
	for _, h := range hotPatterns {
		fp, _ := compilePair(b, h.pat)
		if fp.caps == nil {
			b.Fatalf("%s: not on the fast path", h.name)
		}
		msg := []byte(h.msg)
		if fp.re.FindSubmatchIndex(msg) == nil {
			b.Fatalf("%s: no match", h.name)
		}
		b.Run(h.name+"/regexp", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if fp.re.FindSubmatchIndex(msg) == nil {
					b.Fatal("no match")
				}
			}
		})
		b.Run(h.name+"/fast", func(b *testing.B) {
			var st fastState
			caps := make([]int, fp.caps.ncap)
			b.ReportAllocs()
			for b.Loop() {
				if fp.caps.exec(&st, msg, caps) != fastMatched {
					b.Fatal("no match")
				}
			}
		})
	}
}

// BenchmarkMatchRules: the hot patterns as rules with templates, through
// Matcher.Match and AppendKey (the per-line path).
func BenchmarkMatchRules(b *testing.B) {
	for _, h := range hotPatterns {
		re := regexp.MustCompile(h.pat)
		var tpl []string
		for _, n := range re.SubexpNames()[1:] {
			tpl = append(tpl, "${"+n+"}")
		}
		src := fmt.Sprintf("categories:\n  - name: c\n    rules:\n      - name: r\n        pattern: '%s'\n        top: {k: '%s'}\n",
			strings.ReplaceAll(h.pat, "'", "''"), strings.Join(tpl, " "))
		s, err := Parse("bench.yaml", []byte(src))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(h.name, func(b *testing.B) {
			m := s.NewMatcher()
			rec := &parsers.Record{Message: []byte(h.msg)}
			key := make([]byte, 0, 256)
			tk := s.Categories[0].Rules[0].Tops[0].Key
			b.ReportAllocs()
			for b.Loop() {
				if m.Match(0, rec, 0) != 0 {
					b.Fatal("no match")
				}
				key = m.AppendKey(key[:0], tk)
			}
		})
	}
}

func TestLastIndex(t *testing.T) {
	for _, s := range []string{"", "s", "status=sent", "status=sent (x)", "a status=sentstatus=sen", "xx status=sent status=sent yy", "sss"} {
		for _, lit := range []string{"s", "status=sent", "ss", "sent"} {
			if got, want := lastIndex([]byte(s), []byte(lit)), strings.LastIndex(s, lit); got != want {
				t.Errorf("lastIndex(%q, %q) = %d, want %d", s, lit, got, want)
			}
		}
	}
}

// BenchmarkMatchExists: match/no-match only (rules without captured
// templates), regexp.Match against the capture-less fast program.
func BenchmarkMatchExists(b *testing.B) {
	cases := []struct{ name, pat, msg string }{
		{"anchored_miss", `^Deny inbound TCP connection .* v12$`, benchMessages[2].msg},
		{"digits_miss", `AAA request \d+ v5\b`, benchMessages[3].msg},
		{"digits_hit", `Teardown TCP connection \d+ for`, benchMessages[1].msg},
		{"status5xx", `" 5\d\d `, `10.0.0.6 - - [22/Nov/2026:10:00:00 +0000] "GET /p/1fh.html HTTP/1.1" 503 95602 "-" "Mozilla/5.0" rt=0.104`},
		{"built", `^Built (inbound|outbound) (TCP|UDP) connection`, "Built outbound TCP connection 1 for outside:10.0.0.1/443"},
	}
	for _, c := range cases {
		fp, _ := compilePair(b, c.pat)
		msg := []byte(c.msg)
		want := fp.re.Match(msg)
		b.Run(c.name+"/regexp", func(b *testing.B) {
			for b.Loop() {
				if fp.re.Match(msg) != want {
					b.Fatal("mismatch")
				}
			}
		})
		b.Run(c.name+"/fast", func(b *testing.B) {
			var st fastState
			b.ReportAllocs()
			for b.Loop() {
				if (fp.noCaps.exec(&st, msg, nil) == fastMatched) != want {
					b.Fatal("mismatch")
				}
			}
		})
	}
}
