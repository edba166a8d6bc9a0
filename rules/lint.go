package rules

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
)

// Warning is a rule-file problem that is not an error: the file loads and
// runs, but part of it probably does not do what its author meant.
// summarize --check prints warnings and still exits 0.
type Warning struct {
	File      string
	Line, Col int
	Msg       string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d:%d: warning: %s", w.File, w.Line, w.Col, w.Msg)
}

// Lint looks for what can be proven useless in a loaded set: rules that
// can never match because an earlier rule of the category (without
// continue) matches every line they would, categories that never get a
// line, and conditions no line from rsyslog satisfies. It is conservative:
// it warns only on cases it can prove (equal or contained literals, equal
// patterns, literal prefixes), and says nothing when unsure.
func (s *Set) Lint() []Warning {
	var out []Warning
	warn := func(line, col int, format string, args ...any) {
		out = append(out, Warning{File: s.Path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
	}
	for i, c := range s.Categories {
		if cover := s.coveringCategory(i); cover != nil {
			how := "has the same match block"
			if cover.MatchText() == "" {
				how = "has no match block and takes every line"
			}
			warn(c.Line, c.Col, "category %q never gets a line: the earlier category %q (line %d) %s", c.Name, cover.Name, cover.Line, how)
		}
		for _, key := range []string{"facility", "severity"} {
			if pos, ok := c.cond.keyPos[key]; ok {
				warn(pos[0], pos[1], "category %q: %s holds only on lines that carry a priority (<PRI>): rsyslog's "+
					"RSYSLOG_ForwardFormat, RSYSLOG_TraditionalForwardFormat, RSYSLOG_SyslogProtocol23Format or JSON with syslog%s; "+
					"omprog's default template RSYSLOG_FileFormat (and the traditional file format) carry none, and then the category never matches: "+
					"set template=\"RSYSLOG_ForwardFormat\" on the omprog action", c.Name, key, key)
			}
		}
		if pos, ok := c.cond.keyPos["program"]; ok {
			for _, g := range c.cond.program {
				if impossibleProgram(g.src) {
					warn(pos[0], pos[1], "category %q: program %q never matches: a program name as rsyslog parses it has no space or ':'", c.Name, g.src)
				}
			}
		}
		for j, b := range c.Rules {
			for _, g := range b.programs {
				if impossibleProgram(g.src) {
					warn(b.Line, b.Col, "category %q: rule %q: program %q never matches: a program name as rsyslog parses it has no space or ':'", c.Name, b.Name, g.src)
				}
			}
			for _, a := range c.Rules[:j] {
				if !a.Continue && covers(a, b) {
					warn(b.Line, b.Col, "category %q: rule %q never matches: the earlier rule %q (line %d) matches every line it would, and has no \"continue: true\"", c.Name, b.Name, a.Name, a.Line)
					break
				}
			}
		}
	}
	return out
}

// coveringCategory returns an earlier category that takes every line
// category i could get, nil when none provably does.
func (s *Set) coveringCategory(i int) *Category {
	text := s.Categories[i].MatchText()
	for _, a := range s.Categories[:i] {
		if t := a.MatchText(); t == "" || t == text {
			return a
		}
	}
	return nil
}

// impossibleProgram: rsyslog's programname ends at the first space or ':',
// so a glob that needs one of them literally never matches.
func impossibleProgram(src string) bool {
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
			if i < len(src) && (src[i] == ' ' || src[i] == ':') {
				return true
			}
		case ' ', ':':
			return true
		}
	}
	return false
}

// covers reports whether rule a provably matches every line rule b
// matches.
func covers(a, b *Rule) bool {
	if len(a.programs) > 0 {
		if len(b.programs) == 0 {
			return false
		}
		for _, g := range b.programs {
			if !slices.ContainsFunc(a.programs, func(h *glob) bool { return h.src == g.src }) {
				return false
			}
		}
	}
	bLits := requiredOf(b)
	// a's substring must be inside something every b-match contains
	if a.litFromSub && !containsAny(bLits, string(a.lit)) {
		return false
	}
	if a.re == nil {
		return true
	}
	if b.re != nil && a.re.String() == b.re.String() {
		return true
	}
	as := parsed(a)
	if as == nil {
		return false
	}
	if lit, exact := requiredLiteral(as); exact {
		return containsAny(bLits, lit) // a's pattern is a substring search
	}
	if pa, ok := anchoredPrefix(as, true); ok && b.re != nil {
		if bs := parsed(b); bs != nil {
			if pb, ok := anchoredPrefix(bs, false); ok && strings.HasPrefix(pb, pa) {
				return true
			}
		}
	}
	return false
}

// requiredOf lists strings every message b matches contains.
func requiredOf(b *Rule) []string {
	var out []string
	if b.litFromSub {
		out = append(out, string(b.lit))
	}
	if b.re != nil {
		if bs := parsed(b); bs != nil {
			if lit, _ := requiredLiteral(bs); lit != "" {
				out = append(out, lit)
			}
		}
	}
	return out
}

func containsAny(haystacks []string, needle string) bool {
	for _, h := range haystacks {
		if strings.Contains(h, needle) {
			return true
		}
	}
	return false
}

func parsed(r *Rule) *syntax.Regexp {
	re, err := syntax.Parse(r.re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return re.Simplify()
}

// anchoredPrefix returns X when re is "^X…" with X a case-sensitive
// literal. With whole, re must be exactly "^X".
func anchoredPrefix(re *syntax.Regexp, whole bool) (string, bool) {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return "", false
	}
	lit := re.Sub[1]
	if lit.Op != syntax.OpLiteral || lit.Flags&syntax.FoldCase != 0 {
		return "", false
	}
	if whole && len(re.Sub) != 2 {
		return "", false
	}
	return string(lit.Rune), true
}
