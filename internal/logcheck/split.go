package logcheck

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
)

// Split is a logcheck pattern taken apart the way logtally sees a line:
// the program tag (dispatch) and a pattern on the message (the rule).
type Split struct {
	// Names are the exact program names the pattern accepts; Globs are
	// logtally globs for the tags that are not a short list of names ("*":
	// any program). A rule has names, globs, or both.
	Names []string
	Globs []string
	// Message is the RE2 pattern on logtally's message (the text after
	// "tag: ").
	Message string
	// Approx says how the converted rule is wider than the original, "" if
	// it is exact (beyond the caveats every conversion shares: see
	// docs/logcheck.md).
	Approx string
}

// knownHeaders are the syslog-header prefixes the database uses, in Go
// syntax after translation: timestamp (traditional or RFC 3339 with
// microseconds), host, one space. logtally's parser has already split all
// of it off.
var knownHeaders = func() map[string]bool {
	m := map[string]bool{}
	for _, h := range []string{
		`(\w{3} [ :[:digit:]]{11}|[0-9T:.+-]{32}) [._[:alnum:]-]+ `,
		`(\w{3} [ :0-9]{11}|[0-9T:.+-]{32}) [._[:alnum:]-]+ `,
		`([[:alpha:]]{3} [ :[:digit:]]{11}|[0-9T:.+-]{32}) [._[:alnum:]-]+ `,
		`\w{3} [ :[:digit:]]{11} [._[:alnum:]-]+ `,
		`\w{3} [ :0-9]{11} [._[:alnum:]-]+ `,
	} {
		n, err := parseERE(h)
		if err != nil {
			panic(err)
		}
		m[goText(unwrap(n))] = true
	}
	return m
}()

// pidText matches the Go text of a "[pid]" part: "\[", digits, "\]".
var pidText = regexp.MustCompile(`^\\\[(?:\[0-9\]|\[\[:digit:\]\])(?:\+|\*|\{[0-9]+(?:,[0-9]*)?\})\\\]$`)

// maxNames bounds the expansion of a program alternative like
// "(pop3|imap)(-login|d)" into names.
const maxNames = 64

// splitBranch takes one top-level alternative of a parsed logcheck pattern
// apart.
func splitBranch(c *node) (*Split, error) {
	s, err := splitPieces(c)
	if err != nil {
		return nil, err
	}
	// The tree is valid ERE, but RE2 has limits of its own (nesting
	// depth, repeat counts): a pattern it refuses is reported, not emitted.
	if _, err := regexp.Compile(s.Message); err != nil {
		return nil, fmt.Errorf("RE2 refuses the translated message pattern: %w", err)
	}
	return s, nil
}

// splitPieces does splitBranch's work; splitBranch checks its result.
func splitPieces(c *node) (*Split, error) {
	pieces := c.subs
	anchored := len(pieces) > 0 && pieces[0].kind == kindAssert && pieces[0].text == "^"
	s := &Split{}
	if anchored {
		k, ok := headerEnd(pieces)
		if !ok {
			return nil, fmt.Errorf("the line does not start with a syslog header this converter knows (%s…)", clip(goText(c), 60))
		}
		pieces = pieces[k:]
	}
	sep, spaceOnly := tagEnd(pieces)
	if sep <= 0 {
		if anchored {
			// "host -- MARK --": logtally sees no program and the whole rest
			// as the message
			s.Globs = []string{"*"}
			s.Message = "^" + goText(endTolerant(&node{kind: kindConcat, subs: pieces}))
			s.Approx = "no program tag: applied to the start of every program's message"
			return s, nil
		}
		// "text" anywhere in the line: any program, anywhere in the message
		s.Globs = []string{"*"}
		s.Message = goText(c)
		s.Approx = "unanchored pattern without a program tag: applied to every program's message (not to the header)"
		return s, nil
	}
	if !anchored {
		s.Approx = "unanchored pattern: read as the program tag at its usual place in the line"
	}
	tag := stripPID(pieces[:sep])
	if len(tag) == 1 && tag[0].kind == kindRepeat && tag[0].min == 0 && tag[0].max == 1 {
		// "(prog[pid])?: msg": also lines with an empty tag
		tag = stripPID(unwrap(tag[0].sub).subs)
		s.Approx = joinApprox(s.Approx, "the optional tag is taken as required")
	}
	if len(tag) == 0 {
		return nil, fmt.Errorf("empty program tag")
	}
	if err := s.programs(tag); err != nil {
		return nil, err
	}
	rest := &node{kind: kindConcat, subs: pieces[sep+1:]}
	if spaceOnly {
		s.Message = "^" + goText(endTolerant(rest))
		return s, nil
	}
	msg, err := afterSpace(rest)
	if err != nil {
		return nil, err
	}
	s.Message = msg
	return s, nil
}

// tagEnd finds the end of the program tag: the first ':' piece, or a space
// right after a "[pid]" ("dhclient[12] Trying …", which logtally's parser
// also splits). spaceOnly says it was the space.
func tagEnd(pieces []*node) (int, bool) {
	for i, p := range pieces {
		if isLit(p, ':') || (p.kind == kindRepeat && p.min == 0 && p.max == 1 && isLit(p.sub, ':')) {
			return i, false // "prog[pid]:? msg" parses the same either way
		}
		if isLit(p, ' ') {
			if i > 0 && len(stripPID(pieces[:i])) < i {
				return i, true
			}
			return -1, false
		}
	}
	return -1, false
}

// stripPID drops a trailing "[pid]" part, in the forms the database
// writes it: \[[0-9]+\], (\[[0-9]+\])? or dhcpd's [[[:digit:]]+].
func stripPID(tag []*node) []*node {
	n := len(tag)
	switch {
	case n >= 3 && isLit(tag[n-3], '[') && isLit(tag[n-1], ']') && pidText.MatchString(goText(&node{kind: kindConcat, subs: tag[n-3:]})):
		return tag[:n-3]
	case n >= 1 && tag[n-1].kind == kindRepeat && tag[n-1].min == 0 && tag[n-1].max == 1 && pidText.MatchString(goText(unwrap(tag[n-1].sub))):
		return tag[:n-1]
	case n >= 2 && isLit(tag[n-1], ']') && tag[n-2].kind == kindRepeat && tag[n-2].sub.kind == kindClass &&
		(tag[n-2].sub.text == `[\[[:digit:]]` || tag[n-2].sub.text == `[\[0-9]`):
		return tag[:n-2]
	}
	return tag
}

// programs fills Names and Globs from the tag's pieces: a top-level
// alternation is taken branch by branch.
func (s *Split) programs(tag []*node) error {
	branches := [][]*node{tag}
	if len(tag) == 1 && tag[0].kind == kindGroup && len(tag[0].subs) > 1 {
		branches = branches[:0]
		for _, b := range tag[0].subs {
			branches = append(branches, b.subs)
		}
	}
	for _, b := range branches {
		b = stripPID(b)
		text := goText(&node{kind: kindConcat, subs: b})
		if strings.Contains(text, `\[`) {
			return fmt.Errorf("program tag %q has a [pid] part this converter does not recognise", text)
		}
		if names, ok := expandNames(text); ok {
			for _, n := range names {
				if strings.ContainsAny(n, " :") {
					return fmt.Errorf("program tag %q contains a space or ':': rsyslog never parses such a program name", text)
				}
			}
			s.Names = append(s.Names, names...)
			continue
		}
		g := globOf(b)
		if strings.ContainsAny(strings.ReplaceAll(g, `\`, ""), " :") {
			return fmt.Errorf("program tag %q contains a space or ':': rsyslog never parses such a program name", text)
		}
		s.Globs = append(s.Globs, g)
		s.Approx = joinApprox(s.Approx, fmt.Sprintf("program %q widened to the glob %q", text, g))
	}
	return nil
}

// endTolerant lets a final "$" also match before trailing white space:
// logcheck strips it from every line before matching, logtally's message
// keeps it.
func endTolerant(n *node) *node {
	if n.kind == kindConcat && len(n.subs) > 0 {
		if last := n.subs[len(n.subs)-1]; last.kind == kindAssert && last.text == "$" {
			subs := append([]*node(nil), n.subs[:len(n.subs)-1]...)
			subs = append(subs, &node{kind: kindRepeat, sub: &node{kind: kindClass, text: "[[:space:]]"}, min: 0, max: -1}, last)
			return &node{kind: kindConcat, subs: subs}
		}
	}
	return n
}

func joinApprox(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func isLit(n *node, r rune) bool { return n.kind == kindLit && n.lit == r }

// headerEnd returns the index of the first piece after "^header host ".
func headerEnd(pieces []*node) (int, bool) {
	for k := 2; k <= len(pieces) && k <= 8; k++ {
		if knownHeaders[goText(&node{kind: kindConcat, subs: pieces[1:k]})] {
			return k, true
		}
	}
	return 0, false
}

// expandNames lists the strings a program-tag pattern matches, if they are
// few.
func expandNames(goPattern string) ([]string, bool) {
	re, err := syntax.Parse(goPattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	names, ok := enumerate(re.Simplify())
	if !ok || len(names) == 0 {
		return nil, false
	}
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if n == "" || (i > 0 && n == names[i-1]) {
			continue
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

func enumerate(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) >= maxNames {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpCapture:
		return enumerate(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := enumerate(re.Sub[0])
		return append([]string{""}, sub...), ok && len(sub) < maxNames
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := enumerate(s)
			if !ok || len(out)+len(sub) > maxNames {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := enumerate(s)
			if !ok || len(out)*len(sub) > maxNames {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(sub))
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// globOf writes a tag pattern as a logtally glob: literal characters stay,
// anything else becomes "*". The glob accepts every name the pattern does,
// and possibly more.
func globOf(tag []*node) string {
	var b strings.Builder
	star := false
	for _, p := range tag {
		if p.kind == kindLit {
			if strings.ContainsRune(`*?\`, p.lit) {
				b.WriteByte('\\')
			}
			b.WriteRune(p.lit)
			star = false
			continue
		}
		if p.kind == kindAny || p.kind == kindClass {
			b.WriteByte('?')
			continue
		}
		if !star {
			b.WriteByte('*')
			star = true
		}
	}
	return b.String()
}

// globName escapes a program name for use as a logtally glob.
func globName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// afterSpace turns the part of a logcheck pattern after "tag:" into a
// pattern on logtally's message, which starts after that colon and one
// space: the result matches msg exactly when rest matches " "+msg at its
// start (the derivative of rest by a space).
func afterSpace(rest *node) (string, error) {
	d, err := derive(rest, ' ')
	if err != nil {
		return "", err
	}
	if d == nil {
		if len(rest.subs) == 1 && rest.subs[0].kind == kindAssert && rest.subs[0].text == "$" {
			return `^[[:space:]]*$`, nil // "tag:" and nothing after it
		}
		return "", fmt.Errorf("the text after the tag's ':' cannot start with a space")
	}
	return "^" + goText(endTolerant(d)), nil
}

// derive returns a node matching the strings s such that string(r)+s is
// matched by n at its start (nil: none), or an error when n holds an
// assertion right where the space is.
func derive(n *node, r rune) (*node, error) {
	switch n.kind {
	case kindLit:
		if n.lit == r {
			return &node{kind: kindConcat}, nil
		}
		return nil, nil
	case kindAny:
		return &node{kind: kindConcat}, nil
	case kindClass:
		re, err := regexp.Compile("^" + n.text + "$")
		if err != nil {
			return nil, err
		}
		if re.MatchString(string(r)) {
			return &node{kind: kindConcat}, nil
		}
		return nil, nil
	case kindAssert:
		if n.text == "$" {
			return nil, nil // handled by afterSpace
		}
		return nil, fmt.Errorf("assertion %s right after the tag's ':'", n.text)
	case kindGroup:
		var alts []*node
		for _, s := range n.subs {
			d, err := derive(s, r)
			if err != nil {
				return nil, err
			}
			if d != nil {
				alts = append(alts, d)
			}
		}
		return alt(alts), nil
	case kindRepeat:
		d, err := derive(n.sub, r)
		if err != nil || d == nil {
			return nil, err
		}
		rest := &node{kind: kindRepeat, sub: n.sub, min: max(n.min-1, 0), max: n.max}
		if n.max > 0 {
			rest.max = n.max - 1
		}
		return concat(d, rest), nil
	case kindConcat:
		var alts []*node
		for i, p := range n.subs {
			d, err := derive(p, r)
			if err != nil {
				return nil, err
			}
			if d != nil {
				alts = append(alts, concat(append([]*node{d}, n.subs[i+1:]...)...))
			}
			if !nullable(p) {
				break
			}
		}
		return alt(alts), nil
	}
	return nil, fmt.Errorf("unexpected node")
}

func nullable(n *node) bool {
	switch n.kind {
	case kindLit, kindAny, kindClass:
		return false
	case kindAssert:
		return false // conservative: derive then stops before it
	case kindGroup:
		for _, s := range n.subs {
			if nullable(s) {
				return true
			}
		}
		return false
	case kindRepeat:
		return n.min == 0 || nullable(n.sub)
	case kindConcat:
		for _, s := range n.subs {
			if !nullable(s) {
				return false
			}
		}
		return true
	}
	return false
}

func concat(ns ...*node) *node {
	c := &node{kind: kindConcat}
	for _, n := range ns {
		if n.kind == kindConcat {
			c.subs = append(c.subs, n.subs...)
		} else if !(n.kind == kindRepeat && n.max == 0) {
			c.subs = append(c.subs, n)
		}
	}
	return c
}

func alt(alts []*node) *node {
	switch len(alts) {
	case 0:
		return nil
	case 1:
		return alts[0]
	}
	return &node{kind: kindGroup, subs: alts}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
