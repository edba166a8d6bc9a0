// Package logcheck converts Debian's logcheck-database rules (POSIX
// extended regular expressions matched by `grep -E` against whole syslog
// lines) into a logtally rule file, and classifies lines the way logcheck
// does so that the conversion can be measured against the real thing.
//
// The work is in three steps: translate a GNU ERE into Go's RE2 syntax
// (ere.go), split a translated whole-line pattern into the syslog header,
// the program tag and the message (split.go), and group the rules by
// program into logtally categories (convert.go). classify.go holds
// logcheck's own decision procedure (attack, violation, ignored, reported)
// over grep's answers, and logtally's over the converted rules.
package logcheck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// node is one element of a parsed ERE. Only what the translation and the
// header/program/message split need is kept: the split walks the top-level
// concatenation, the translation prints every node in Go syntax.
type node struct {
	kind nodeKind
	lit  rune    // kindLit
	text string  // kindClass: the Go bracket expression; kindAssert: Go text
	subs []*node // kindGroup: alternatives (each a kindConcat); kindConcat: pieces
	sub  *node   // kindRepeat: the repeated node
	min  int     // kindRepeat
	max  int     // kindRepeat, -1 = unbounded
}

type nodeKind uint8

const (
	kindLit    nodeKind = iota // one literal character
	kindAny                    // .
	kindClass                  // bracket expression, or \w \s …
	kindAssert                 // ^ $ \b \B \` \'
	kindGroup                  // ( a | b )
	kindConcat                 // a b c
	kindRepeat                 // x* x+ x? x{m,n}
)

// maxRepeat is RE2's limit on a counted repetition.
const maxRepeat = 1000

// UntranslatableError says why a POSIX ERE has no RE2 equivalent.
type UntranslatableError struct {
	Offset int // byte offset in the pattern
	Reason string
}

func (e *UntranslatableError) Error() string {
	return fmt.Sprintf("at byte %d: %s", e.Offset, e.Reason)
}

// ereParser parses GNU grep's ERE dialect (what `grep -E` accepts).
type ereParser struct {
	src string
	pos int
}

// parseERE parses src as `grep -E` would and returns its top-level
// alternation (a kindGroup without capture meaning).
func parseERE(src string) (*node, error) {
	p := &ereParser{src: src}
	n, err := p.alternation(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) { // a ')' with no '(' : GNU takes it literally
		return nil, p.fail("unmatched ')'")
	}
	return n, nil
}

func (p *ereParser) fail(reason string) error {
	return &UntranslatableError{Offset: p.pos, Reason: reason}
}

func (p *ereParser) alternation(depth int) (*node, error) {
	g := &node{kind: kindGroup}
	for {
		c, err := p.concat(depth)
		if err != nil {
			return nil, err
		}
		g.subs = append(g.subs, c)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		return g, nil
	}
}

func (p *ereParser) concat(depth int) (*node, error) {
	c := &node{kind: kindConcat}
	for p.pos < len(p.src) {
		ch := p.src[p.pos]
		if ch == '|' || (ch == ')' && depth > 0) {
			break
		}
		if ch == ')' {
			return nil, p.fail("unmatched ')'")
		}
		if ch == '*' || ch == '+' || ch == '?' {
			return nil, p.fail(fmt.Sprintf("%q with nothing to repeat (GNU grep ignores it, RE2 rejects it)", ch))
		}
		atom, err := p.atom(depth)
		if err != nil {
			return nil, err
		}
		for {
			min, max, ok, err := p.repeat()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			atom = &node{kind: kindRepeat, sub: atom, min: min, max: max}
		}
		c.subs = append(c.subs, atom)
	}
	return c, nil
}

// repeat consumes one repetition operator after an atom, if any. GNU grep
// reads "{" that does not start a valid interval as a literal.
func (p *ereParser) repeat() (min, max int, ok bool, err error) {
	if p.pos >= len(p.src) {
		return 0, 0, false, nil
	}
	switch p.src[p.pos] {
	case '*':
		p.pos++
		return 0, -1, true, nil
	case '+':
		p.pos++
		return 1, -1, true, nil
	case '?':
		p.pos++
		return 0, 1, true, nil
	case '{':
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 {
			return 0, 0, false, nil
		}
		body := p.src[p.pos+1 : p.pos+end]
		lo, hi, comma := strings.Cut(body, ",")
		if !validCount(lo, true) || (comma && !validCount(hi, true)) || (!comma && lo == "") {
			return 0, 0, false, nil
		}
		min = atoiOr(lo, 0)
		max = min
		if comma {
			max = atoiOr(hi, -1)
		}
		if min > maxRepeat || max > maxRepeat {
			return 0, 0, false, p.fail(fmt.Sprintf("repetition {%s} exceeds RE2's limit of %d", body, maxRepeat))
		}
		if max >= 0 && max < min {
			return 0, 0, false, p.fail(fmt.Sprintf("invalid repetition {%s}", body))
		}
		p.pos += end + 1
		return min, max, true, nil
	}
	return 0, 0, false, nil
}

func validCount(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) <= 6
}

func atoiOr(s string, def int) int {
	if s == "" {
		return def
	}
	n, _ := strconv.Atoi(s)
	return n
}

func (p *ereParser) atom(depth int) (*node, error) {
	ch := p.src[p.pos]
	switch ch {
	case '(':
		p.pos++
		g, err := p.alternation(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.fail("unmatched '('")
		}
		p.pos++
		return g, nil
	case '[':
		return p.bracket()
	case '.':
		p.pos++
		return &node{kind: kindAny}, nil
	case '^':
		p.pos++
		return &node{kind: kindAssert, text: "^"}, nil
	case '$':
		p.pos++
		return &node{kind: kindAssert, text: "$"}, nil
	case '\\':
		return p.escape()
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return &node{kind: kindLit, lit: r}, nil
}

// escape handles a backslash outside brackets. GNU grep knows \w \W \s \S
// \b \B \< \> \` \' and back-references; before any other character the
// backslash is dropped (grep 3.8 warns "stray \").
func (p *ereParser) escape() (*node, error) {
	if p.pos+1 >= len(p.src) {
		return nil, p.fail("trailing backslash")
	}
	start := p.pos
	r, size := utf8.DecodeRuneInString(p.src[p.pos+1:])
	p.pos += 1 + size
	switch r {
	case 'w':
		return &node{kind: kindClass, text: `[0-9A-Z_a-z]`}, nil
	case 'W':
		return &node{kind: kindClass, text: `[^0-9A-Z_a-z]`}, nil
	case 's':
		return &node{kind: kindClass, text: `[[:space:]]`}, nil
	case 'S':
		return &node{kind: kindClass, text: `[^[:space:]]`}, nil
	case 'b':
		return &node{kind: kindAssert, text: `\b`}, nil
	case 'B':
		return &node{kind: kindAssert, text: `\B`}, nil
	case '`':
		return &node{kind: kindAssert, text: `\A`}, nil
	case '\'':
		return &node{kind: kindAssert, text: `\z`}, nil
	case '<', '>':
		p.pos = start
		return nil, p.fail(fmt.Sprintf(`word-edge anchor \%c (RE2 has only \b, which does not say which edge)`, r))
	}
	if r >= '1' && r <= '9' {
		p.pos = start
		return nil, p.fail(fmt.Sprintf(`back-reference \%c (RE2 has none)`, r))
	}
	return &node{kind: kindLit, lit: r}, nil
}

// bracket parses a POSIX bracket expression. Inside brackets a backslash is
// an ordinary character; "]" first (after an optional "^") is literal.
func (p *ereParser) bracket() (*node, error) {
	start := p.pos
	p.pos++ // [
	var b strings.Builder
	b.WriteByte('[')
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		b.WriteByte('^')
		p.pos++
	}
	first := true
	for {
		if p.pos >= len(p.src) {
			p.pos = start
			return nil, p.fail("unmatched '['")
		}
		ch := p.src[p.pos]
		if ch == ']' && !first {
			p.pos++
			break
		}
		first = false
		if ch == '[' && p.pos+1 < len(p.src) && strings.IndexByte(":.=", p.src[p.pos+1]) >= 0 {
			kind := p.src[p.pos+1]
			end := strings.Index(p.src[p.pos+2:], string(kind)+"]")
			if end < 0 {
				return nil, p.fail("unterminated [" + string(kind))
			}
			name := p.src[p.pos+2 : p.pos+2+end]
			if kind != ':' {
				return nil, p.fail(fmt.Sprintf("collating element [%c%s%c] (RE2 has none)", kind, name, kind))
			}
			if !posixClasses[name] {
				return nil, p.fail(fmt.Sprintf("unknown character class [:%s:]", name))
			}
			b.WriteString("[:" + name + ":]")
			p.pos += 2 + end + 2
			continue
		}
		lo, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
		// a range lo-hi, unless "-" is the last character before "]"
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			hi, hsize := utf8.DecodeRuneInString(p.src[p.pos+1:])
			if hi == '[' {
				return nil, p.fail("range ending in a character class")
			}
			if hi < lo {
				return nil, p.fail(fmt.Sprintf("reversed range %c-%c", lo, hi))
			}
			p.pos += 1 + hsize
			b.WriteString(classRune(lo) + "-" + classRune(hi))
			continue
		}
		b.WriteString(classRune(lo))
	}
	b.WriteByte(']')
	return &node{kind: kindClass, text: b.String()}, nil
}

// posixClasses are the names both POSIX and RE2 know. RE2's are ASCII-only;
// so are grep's in the C locale logcheck runs in under cron.
var posixClasses = map[string]bool{
	"alnum": true, "alpha": true, "blank": true, "cntrl": true, "digit": true, "graph": true,
	"lower": true, "print": true, "punct": true, "space": true, "upper": true, "xdigit": true,
}

// classRune writes r for use inside a Go bracket expression.
func classRune(r rune) string {
	switch r {
	case '\\', '[', ']', '^', '-':
		return `\` + string(r)
	}
	if r < ' ' || r == 0x7f {
		return fmt.Sprintf(`\x{%x}`, r)
	}
	return string(r)
}

// goText prints n in Go's RE2 syntax. Groups print as non-capturing: rules
// converted from logcheck only match, they never capture.
func goText(n *node) string {
	var b strings.Builder
	writeGo(&b, n)
	return b.String()
}

func writeGo(b *strings.Builder, n *node) {
	switch n.kind {
	case kindLit:
		b.WriteString(quoteRune(n.lit))
	case kindAny:
		b.WriteByte('.')
	case kindClass, kindAssert:
		b.WriteString(n.text)
	case kindConcat:
		for _, s := range n.subs {
			writeGo(b, s)
		}
	case kindGroup:
		b.WriteString("(?:")
		for i, s := range n.subs {
			if i > 0 {
				b.WriteByte('|')
			}
			writeGo(b, s)
		}
		b.WriteByte(')')
	case kindRepeat:
		// RE2 reads "x+?" as a lazy x+ and rejects "x**": GNU stacks them,
		// so a repeated repetition gets its own group.
		if n.sub.kind == kindRepeat || n.sub.kind == kindConcat {
			b.WriteString("(?:")
			writeGo(b, n.sub)
			b.WriteByte(')')
		} else {
			writeGo(b, n.sub)
		}
		switch {
		case n.min == 0 && n.max == -1:
			b.WriteByte('*')
		case n.min == 1 && n.max == -1:
			b.WriteByte('+')
		case n.min == 0 && n.max == 1:
			b.WriteByte('?')
		case n.max == -1:
			fmt.Fprintf(b, "{%d,}", n.min)
		case n.min == n.max:
			fmt.Fprintf(b, "{%d}", n.min)
		default:
			fmt.Fprintf(b, "{%d,%d}", n.min, n.max)
		}
	}
}

func quoteRune(r rune) string {
	if r < 0x80 && strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
		return `\` + string(r)
	}
	if r < ' ' || r == 0x7f {
		return fmt.Sprintf(`\x{%x}`, r)
	}
	return string(r)
}

// TranslateERE translates a `grep -E` pattern into an equivalent RE2
// pattern (Go syntax), or says why it cannot.
func TranslateERE(src string) (string, error) {
	n, err := parseERE(src)
	if err != nil {
		return "", err
	}
	out := goText(unwrap(n))
	// Valid ERE can still exceed RE2's own limits (nesting depth, repeat
	// counts): such a pattern is untranslatable, with RE2's reason.
	if _, err := regexp.Compile(out); err != nil {
		return "", fmt.Errorf("RE2 refuses the translation: %w", err)
	}
	return out, nil
}

// unwrap drops the outer group of a single-branch alternation.
func unwrap(n *node) *node {
	if n.kind == kindGroup && len(n.subs) == 1 {
		return n.subs[0]
	}
	return n
}
