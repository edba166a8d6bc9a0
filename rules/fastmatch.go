package rules

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// fastProg is a compiled pattern for the fast matcher: a byte-oriented
// backtracking matcher with leftmost-first (Perl/RE2) semantics that returns
// exactly what regexp.FindSubmatchIndex returns, for the common subset of
// patterns the rules use:
//
//   - literals (case-folded ones become classes), character classes
//     (\d \w \s \S, negated classes, . with and without s);
//   - * + ? {n,m}, greedy and non-greedy, over a single character class or
//     literal character; ? over any supported expression;
//   - capture and non-capturing groups, alternation;
//   - ^ $ \A \z (also in multi-line mode), \b \B.
//
// Everything else (repetition of a group, over 1000 instructions) makes
// compileFast return nil and the rule keeps the standard regexp. Inputs are
// matched rune by rune as the regexp package does: a non-ASCII byte is
// decoded with utf8.DecodeRune (invalid UTF-8 is U+FFFD, one byte wide)
// whenever a class can match a non-ASCII rune.
//
// A fastProg is immutable; the per-match state lives in fastState (one per
// Matcher).
type fastProg struct {
	inst   []fastInst
	ncap   int  // len of the submatch slice: 2*(groups+1)
	nslots int  // choice instructions (fRep, fAlt, fQuest): rows of the failure memo
	caps   bool // capture instructions are compiled in
	anchor bool // the pattern starts with \A: only position 0 is tried

	prefix []byte  // literal every match starts with (nil: none)
	first  byteSet // bytes a match can start with, unless firstAny
	fany   bool    // a match can be empty: every position is a candidate
	fcont  bool    // first holds continuation bytes: candidates must be stepped rune by rune
}

type fastOp uint8

const (
	fLit    fastOp = iota // lit
	fClass                // one rune of cls
	fRep                  // min..max (max < 0: unbounded) runes of cls, greedy or not
	fCap                  // caps[arg] = pos
	fAssert               // zero-width assertion syntax.EmptyOp(arg)
	fAlt                  // try alts in order
	fQuest                // greedy: body (pc+1) then arg; else arg then body
	fJmp                  // goto arg
	fMatch                // success
)

type fastInst struct {
	op     fastOp
	greedy bool
	arg    int
	min    int
	max    int
	lit    []byte
	cls    *fastClass
	alts   []int
	slot   int     // fRep, fAlt, fQuest: row in the failure memo; -1 for the others
	next   byteSet // fRep: bytes the continuation (pc+1) can start with, unless nany
	nany   bool
	nlit   []byte // fRep: literal the continuation starts with after captures
	nlitOK bool
	// fRep: no byte of the class's runes can start the continuation, so
	// (greedy) it can only start where the class stops matching.
	disjoint bool
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

// fastClass is a set of runes as regexp/syntax ranges, with an ASCII bitmap
// for the common case.
type fastClass struct {
	ascii    [2]uint64
	scan     byteSet // when allHigh or noHigh: the bytes of the class's runes
	stop     int     // when allHigh: the one ASCII byte not in the class, 256 for none, -1 for more
	allHigh  bool    // every rune >= 0x80 (U+FFFD included) is in the class
	noHigh   bool    // no rune >= 0x80 is in the class
	ranges   []rune  // pairs lo, hi of the runes >= 0x80
	hasError bool    // U+FFFD is in the class: invalid bytes match
}

func newFastClass(r []rune) *fastClass {
	c := &fastClass{}
	for i := 0; i+1 < len(r); i += 2 {
		lo, hi := r[i], r[i+1]
		for x := lo; x <= hi && x < utf8.RuneSelf; x++ {
			c.ascii[x>>6] |= 1 << (x & 63)
		}
		if hi >= utf8.RuneSelf {
			c.ranges = append(c.ranges, max(lo, utf8.RuneSelf), hi)
		}
	}
	c.noHigh = len(c.ranges) == 0
	c.allHigh = len(c.ranges) == 2 && c.ranges[0] == utf8.RuneSelf && c.ranges[1] >= unicode.MaxRune
	c.hasError = c.inHigh(utf8.RuneError)
	c.scan[0], c.scan[1] = c.ascii[0], c.ascii[1]
	c.stop = -1
	if c.allHigh {
		c.scan[2], c.scan[3] = ^uint64(0), ^uint64(0)
		missing := 0
		for b := 0; b < utf8.RuneSelf; b++ {
			if !c.scan.has(byte(b)) {
				missing++
				c.stop = b
			}
		}
		switch missing {
		case 0:
			c.stop = 256
		case 1:
		default:
			c.stop = -1
		}
	}
	return c
}

func (c *fastClass) inHigh(r rune) bool {
	rs := c.ranges
	// Binary search over pairs.
	lo, hi := 0, len(rs)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < rs[2*m]:
			hi = m
		case r > rs[2*m+1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// width returns the width of the rune at s[p] if the class holds it, 0
// otherwise. p < len(s).
func (c *fastClass) width(s []byte, p int) int {
	b := s[p]
	if b < utf8.RuneSelf {
		return int(c.ascii[b>>6] >> (b & 63) & 1)
	}
	if c.noHigh {
		return 0
	}
	r, w := utf8.DecodeRune(s[p:])
	if c.allHigh || c.inHigh(r) {
		return w
	}
	return 0
}

// firstBytes adds to set the bytes a rune of the class can start with.
func (c *fastClass) firstBytes(set *byteSet) {
	set[0] |= c.ascii[0]
	set[1] |= c.ascii[1]
	switch {
	case c.noHigh:
	case c.hasError:
		set.addRange(0x80, 0xff) // any invalid byte matches
	default:
		set.addRange(0xc2, 0xf4) // lead bytes of valid multi-byte runes
	}
}

// maxFastInst bounds the size of a compiled program (Simplify expands
// counted repetitions).
const maxFastInst = 1000

// compileFast compiles re (parsed with syntax.Perl and simplified) for the
// fast matcher, nil when re is outside the supported subset. Without caps,
// capture groups are compiled as plain groups (for existence checks).
func compileFast(re *syntax.Regexp, caps bool) *fastProg {
	c := &fastCompiler{p: &fastProg{ncap: 2 * (re.MaxCap() + 1), caps: caps}}
	if caps {
		c.emit(fastInst{op: fCap, arg: 0})
	}
	if !c.compile(re) {
		return nil
	}
	if caps {
		c.emit(fastInst{op: fCap, arg: 1})
	}
	c.emit(fastInst{op: fMatch})
	if len(c.p.inst) > maxFastInst {
		return nil
	}
	p := c.p
	for pc := range p.inst {
		in := &p.inst[pc]
		switch in.op {
		case fRep, fAlt, fQuest:
			in.slot = p.nslots
			p.nslots++
		default:
			in.slot = -1
		}
		if in.op == fRep {
			in.nany = p.firstSet(pc+1, &in.next, 0)
			in.nlit, in.nlitOK = p.leadLiteral(pc + 1)
			var cb byteSet
			in.cls.firstBytes(&cb)
			in.disjoint = !in.nany && cb[0]&in.next[0] == 0 && cb[1]&in.next[1] == 0 &&
				cb[2]&in.next[2] == 0 && cb[3]&in.next[3] == 0
		}
	}
	p.fany = p.firstSet(0, &p.first, 0)
	p.fcont = false
	for b := 0x80; b < 0xc0; b++ {
		if p.first.has(byte(b)) {
			p.fcont = true
		}
	}
	p.prefix, _ = p.leadLiteral(0)
	p.anchor = p.startsAnchored(0)
	return p
}

type fastCompiler struct {
	p *fastProg
}

func (c *fastCompiler) emit(in fastInst) int {
	c.p.inst = append(c.p.inst, in)
	return len(c.p.inst) - 1
}

// single returns the class of a one-rune expression (char class, any
// char, one literal rune), nil otherwise.
func single(re *syntax.Regexp) *fastClass {
	switch re.Op {
	case syntax.OpCharClass:
		return newFastClass(re.Rune)
	case syntax.OpAnyCharNotNL:
		return newFastClass([]rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune})
	case syntax.OpAnyChar:
		return newFastClass([]rune{0, unicode.MaxRune})
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return runeClass(re.Rune[0], re.Flags&syntax.FoldCase != 0)
		}
	}
	return nil
}

// runeClass is the class a literal rune matches: itself, and its simple
// case-folding orbit when folded (as regexp's InstRune1 with FoldCase).
func runeClass(r rune, fold bool) *fastClass {
	rs := []rune{r}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			rs = append(rs, f)
		}
	}
	var ranges []rune
	for _, x := range rs {
		ranges = append(ranges, x, x)
	}
	sortRanges(ranges)
	return newFastClass(ranges)
}

func sortRanges(r []rune) {
	for i := 2; i < len(r); i += 2 {
		for j := i; j >= 2 && r[j] < r[j-2]; j -= 2 {
			r[j], r[j-2] = r[j-2], r[j]
			r[j+1], r[j-1] = r[j-1], r[j+1]
		}
	}
}

func (c *fastCompiler) compile(re *syntax.Regexp) bool {
	if len(c.p.inst) > maxFastInst {
		return false
	}
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		var lit []byte
		flush := func() {
			if len(lit) > 0 {
				c.emit(fastInst{op: fLit, lit: lit})
				lit = nil
			}
		}
		for _, r := range re.Rune {
			// U+FFFD also matches any invalid byte; folded runes match
			// their orbit: both are classes, not bytes.
			if r == utf8.RuneError || (fold && unicode.SimpleFold(r) != r) || !utf8.ValidRune(r) {
				flush()
				c.emit(fastInst{op: fClass, cls: runeClass(r, fold)})
				continue
			}
			lit = utf8.AppendRune(lit, r)
		}
		flush()
		return true
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		c.emit(fastInst{op: fClass, cls: single(re)})
		return true
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		var op syntax.EmptyOp
		switch re.Op {
		case syntax.OpBeginLine:
			op = syntax.EmptyBeginLine
		case syntax.OpEndLine:
			op = syntax.EmptyEndLine
		case syntax.OpBeginText:
			op = syntax.EmptyBeginText
		case syntax.OpEndText:
			op = syntax.EmptyEndText
		case syntax.OpWordBoundary:
			op = syntax.EmptyWordBoundary
		default:
			op = syntax.EmptyNoWordBoundary
		}
		c.emit(fastInst{op: fAssert, arg: int(op)})
		return true
	case syntax.OpCapture:
		if c.p.caps {
			c.emit(fastInst{op: fCap, arg: 2 * re.Cap})
		}
		if !c.compile(re.Sub[0]) {
			return false
		}
		if c.p.caps {
			c.emit(fastInst{op: fCap, arg: 2*re.Cap + 1})
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !c.compile(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		alt := c.emit(fastInst{op: fAlt})
		var jmps []int
		var starts []int
		for _, sub := range re.Sub {
			starts = append(starts, len(c.p.inst))
			if !c.compile(sub) {
				return false
			}
			jmps = append(jmps, c.emit(fastInst{op: fJmp}))
		}
		for _, j := range jmps {
			c.p.inst[j].arg = len(c.p.inst)
		}
		c.p.inst[alt].alts = starts
		return true
	case syntax.OpQuest:
		q := c.emit(fastInst{op: fQuest, greedy: re.Flags&syntax.NonGreedy == 0})
		if !c.compile(re.Sub[0]) {
			return false
		}
		c.p.inst[q].arg = len(c.p.inst)
		return true
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		cls := single(re.Sub[0])
		if cls == nil {
			return false
		}
		in := fastInst{op: fRep, cls: cls, greedy: re.Flags&syntax.NonGreedy == 0, max: -1}
		switch re.Op {
		case syntax.OpPlus:
			in.min = 1
		case syntax.OpRepeat:
			in.min, in.max = re.Min, re.Max
		}
		c.emit(in)
		return true
	}
	return false
}

// firstSet adds to set the bytes a match of the program from pc can start
// with; it reports true when that match can be empty (it can then start
// with anything, or be at the end of the text).
func (p *fastProg) firstSet(pc int, set *byteSet, depth int) bool {
	for {
		if depth > 100 {
			return true
		}
		in := &p.inst[pc]
		switch in.op {
		case fLit:
			set.add(in.lit[0])
			return false
		case fClass:
			in.cls.firstBytes(set)
			return false
		case fRep:
			in.cls.firstBytes(set)
			if in.min > 0 {
				return false
			}
			pc++
		case fCap, fAssert:
			pc++
		case fJmp:
			pc = in.arg
		case fQuest:
			if p.firstSet(pc+1, set, depth+1) {
				return true
			}
			pc = in.arg
		case fAlt:
			for _, a := range in.alts {
				if p.firstSet(a, set, depth+1) {
					return true
				}
			}
			return false
		default: // fMatch
			return true
		}
		depth++
	}
}

// leadLiteral returns the literal every match from pc starts with, after
// captures only.
func (p *fastProg) leadLiteral(pc int) ([]byte, bool) {
	for ; pc < len(p.inst); pc++ {
		switch in := &p.inst[pc]; in.op {
		case fCap:
			continue
		case fLit:
			return in.lit, true
		}
		break
	}
	return nil, false
}

// startsAnchored reports whether every match from pc must start at the
// beginning of the text.
func (p *fastProg) startsAnchored(pc int) bool {
	for ; pc < len(p.inst); pc++ {
		switch in := &p.inst[pc]; in.op {
		case fCap:
			continue
		case fAssert:
			if syntax.EmptyOp(in.arg) == syntax.EmptyBeginText {
				return true
			}
			continue
		}
		break
	}
	return false
}
