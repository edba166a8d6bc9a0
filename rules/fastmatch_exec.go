package rules

import (
	"bytes"
	"regexp/syntax"
	"unicode/utf8"
)

// Results of fastProg.exec.
const (
	fastNoMatch = 0
	fastMatched = 1
	fastGaveUp  = -1 // step budget exhausted: ask the regexp package
)

// fastState is the per-goroutine state of the fast matcher (one per
// Matcher). It holds no per-match allocation: caps is the caller's slice.
type fastState struct {
	inst   []fastInst
	s      []byte
	caps   []int
	trail  []int // (slot, old value) of the captures set on the current path
	budget int

	// Failure memo, engaged when the soft budget runs out: one bit per
	// choice instruction (row) and input position, set when the
	// instruction is entered at that position. The program is acyclic and
	// a run's success depends on (pc, pos) only, so a second entry can
	// only fail: with the memo, matching is polynomial.
	memoOn bool
	nslots int
	stride int // bits per row: len(s)+1
	memo   []uint64
}

// fastSoftBudget is the step budget of one exec on an input of n bytes
// before the failure memo is engaged: far above what the patterns of real
// rule files need (a few steps per input byte). fastHardBudget is the
// budget after that, beyond which the regexp package takes over: a
// pathological pattern costs a few dozen microseconds more than regexp.
func fastSoftBudget(n int) int { return 256 + 8*n }
func fastHardBudget(n int) int { return 4096 + 64*n }

// engage turns the failure memo on and refills the budget, once per exec;
// it reports false when that was done already (give up).
func (st *fastState) engage() bool {
	if st.memoOn {
		return false
	}
	st.memoOn = true
	st.stride = len(st.s) + 1
	words := (st.nslots*st.stride + 63) / 64
	if cap(st.memo) < words {
		st.memo = make([]uint64, words)
	} else {
		st.memo = st.memo[:words]
		clear(st.memo)
	}
	st.budget = fastHardBudget(len(st.s))
	return true
}

// seen marks (slot, pos) visited and reports whether it was already.
func (st *fastState) seen(slot, pos int) bool {
	i := slot*st.stride + pos
	w, bit := &st.memo[i>>6], uint64(1)<<(i&63)
	if *w&bit != 0 {
		return true
	}
	*w |= bit
	return false
}

// exec matches p against s, leftmost-first, like regexp's
// FindSubmatchIndex. On fastMatched, caps (len p.ncap when p.caps) holds
// the submatch indices, -1 for groups that did not take part. On
// fastNoMatch and fastGaveUp the contents of caps are unspecified.
func (p *fastProg) exec(st *fastState, s []byte, caps []int) int {
	for i := range caps {
		caps[i] = -1
	}
	st.inst, st.s, st.caps, st.budget = p.inst, s, caps, fastSoftBudget(len(s))
	st.memoOn, st.nslots = false, p.nslots
	if cap(st.trail) < len(p.inst) {
		st.trail = make([]int, 0, 2*len(p.inst)) // a path sets each capture once
	}
	st.trail = st.trail[:0]
	if p.anchor {
		return st.result(st.run(0, 0))
	}
	pos := 0
	for {
		switch {
		case p.prefix != nil:
			i := bytes.Index(s[pos:], p.prefix)
			if i < 0 {
				return fastNoMatch
			}
			pos += i
		case p.fany:
		case !p.fcont:
			// Bytes of the set are never inside a rune: scan bytes.
			for pos < len(s) && !p.first.has(s[pos]) {
				pos++
			}
		default:
			for pos < len(s) && !p.first.has(s[pos]) {
				pos += runeWidth(s, pos)
			}
		}
		if pos >= len(s) && !p.fany {
			return fastNoMatch
		}
		if st.run(0, pos) {
			return fastMatched
		}
		st.undo(0)
		if st.budget < 0 && st.memoOn {
			return fastGaveUp
		}
		if pos >= len(s) {
			return fastNoMatch
		}
		pos += runeWidth(s, pos)
	}
}

// undo restores the captures set since the trail had length mark.
func (st *fastState) undo(mark int) {
	for t := st.trail; len(t) > mark; t = t[:len(t)-2] {
		st.caps[t[len(t)-2]] = t[len(t)-1]
	}
	st.trail = st.trail[:mark]
}

// try runs the program from pc at pos as one alternative: on failure the
// captures it set are undone.
func (st *fastState) try(pc, pos int) bool {
	mark := len(st.trail)
	if st.run(pc, pos) {
		return true
	}
	st.undo(mark)
	return false
}

// lastIndex is bytes.LastIndex for the short literals of patterns.
func lastIndex(s, lit []byte) int {
	for c, n := lit[0], len(s)-len(lit)+1; n > 0; {
		i := bytes.LastIndexByte(s[:n], c)
		if i < 0 || bytes.HasPrefix(s[i:], lit) {
			return i
		}
		n = i
	}
	return -1
}

func (st *fastState) result(ok bool) int {
	switch {
	case ok:
		return fastMatched
	case st.budget < 0 && st.memoOn:
		return fastGaveUp
	}
	return fastNoMatch
}

// runeWidth is the width of the rune at s[p] as the regexp package steps
// over it (an invalid byte is one U+FFFD). p < len(s).
func runeWidth(s []byte, p int) int {
	if s[p] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRune(s[p:])
	return w
}

// run reports whether the program from pc matches s at pos, trying
// alternatives in priority order; the first success wins (leftmost-first).
// The captures it sets are on the trail: the caller undoes them on failure.
func (st *fastState) run(pc, pos int) bool {
	s := st.s
	for {
		st.budget--
		if st.budget < 0 && !st.engage() {
			return false
		}
		in := &st.inst[pc]
		if st.memoOn && in.slot >= 0 && st.seen(in.slot, pos) {
			return false
		}
		switch in.op {
		case fLit:
			if !bytes.HasPrefix(s[pos:], in.lit) {
				return false
			}
			pos += len(in.lit)
			pc++
		case fClass:
			if pos >= len(s) {
				return false
			}
			w := in.cls.width(s, pos)
			if w == 0 {
				return false
			}
			pos += w
			pc++
		case fRep:
			return st.rep(in, pc, pos)
		case fCap:
			st.trail = append(st.trail, in.arg, st.caps[in.arg])
			st.caps[in.arg] = pos
			pc++
		case fAssert:
			if !emptyOK(syntax.EmptyOp(in.arg), s, pos) {
				return false
			}
			pc++
		case fAlt:
			last := len(in.alts) - 1
			for _, a := range in.alts[:last] {
				if st.try(a, pos) {
					return true
				}
				if st.budget < 0 && st.memoOn {
					return false
				}
			}
			pc = in.alts[last]
		case fQuest:
			first, second := pc+1, in.arg
			if !in.greedy {
				first, second = second, first
			}
			if st.try(first, pos) {
				return true
			}
			if st.budget < 0 && st.memoOn {
				return false
			}
			pc = second
		case fJmp:
			pc = in.arg
		default: // fMatch
			return true
		}
	}
}

// rep runs the repetition at pc (in) from pos, then the rest of the
// program, greedy (longest first) or not (shortest first).
func (st *fastState) rep(in *fastInst, pc, pos int) bool {
	s, cls := st.s, in.cls
	p, n := pos, 0
	for ; n < in.min; n++ {
		if p >= len(s) {
			return false
		}
		w := cls.width(s, p)
		if w == 0 {
			return false
		}
		p += w
	}
	pmin := p
	if !in.greedy {
		for {
			if in.nany || (p < len(s) && in.next.has(s[p])) {
				if st.try(pc+1, p) {
					return true
				}
				if st.budget < 0 && st.memoOn {
					return false
				}
			}
			if n == in.max || p >= len(s) {
				return false
			}
			w := cls.width(s, p)
			if w == 0 {
				return false
			}
			p += w
			n++
			st.budget--
		}
	}
	switch {
	case in.max < 0 && cls.stop == 256:
		p = len(s)
	case in.max < 0 && cls.stop >= 0:
		if i := bytes.IndexByte(s[p:], byte(cls.stop)); i >= 0 {
			p += i
		} else {
			p = len(s)
		}
	case in.max < 0 && (cls.allHigh || cls.noHigh):
		// Every byte of a non-ASCII rune is >= 0x80: bytes decide.
		for p < len(s) && cls.scan.has(s[p]) {
			p++
		}
	case in.max < 0:
		for p < len(s) {
			w := cls.width(s, p)
			if w == 0 {
				break
			}
			p += w
		}
	default:
		for ; n < in.max && p < len(s); n++ {
			w := cls.width(s, p)
			if w == 0 {
				break
			}
			p += w
		}
	}
	st.budget -= p - pmin
	if in.disjoint {
		// Nothing the class consumed can start the rest: only p can.
		return st.run(pc+1, p)
	}
	if in.nlitOK {
		// The rest starts with a literal: its occurrences (at rune starts,
		// as a literal starts with a non-continuation byte) are the only
		// end positions worth trying, last first.
		lit := in.nlit
		for {
			end := min(p+len(lit), len(s))
			if end-pmin < len(lit) {
				return false
			}
			i := lastIndex(s[pmin:end], lit)
			if i < 0 {
				return false
			}
			q := pmin + i
			if st.try(pc+1, q) {
				return true
			}
			if (st.budget < 0 && st.memoOn) || q == pmin {
				return false
			}
			p = q - 1
		}
	}
	for {
		if in.nany || (p < len(s) && in.next.has(s[p])) {
			if st.try(pc+1, p) {
				return true
			}
			if st.budget < 0 && st.memoOn {
				return false
			}
		}
		if p == pmin {
			return false
		}
		st.budget--
		if cls.noHigh || s[p-1] < utf8.RuneSelf {
			p--
		} else {
			_, w := utf8.DecodeLastRune(s[:p])
			p -= w
		}
	}
}

// emptyOK reports whether the zero-width assertion op holds at pos, as
// regexp/syntax.EmptyOpContext computes it (\b is ASCII-only).
func emptyOK(op syntax.EmptyOp, s []byte, pos int) bool {
	switch op {
	case syntax.EmptyBeginText:
		return pos == 0
	case syntax.EmptyEndText:
		return pos == len(s)
	case syntax.EmptyBeginLine:
		return pos == 0 || s[pos-1] == '\n'
	case syntax.EmptyEndLine:
		return pos == len(s) || s[pos] == '\n'
	case syntax.EmptyWordBoundary:
		return isWordByte(s, pos-1) != isWordByte(s, pos)
	case syntax.EmptyNoWordBoundary:
		return isWordByte(s, pos-1) == isWordByte(s, pos)
	}
	return false
}

func isWordByte(s []byte, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	b := s[i]
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}
