package rules

import (
	"bytes"

	"github.com/logtally/logtally/parsers"
)

// acMinRules is the rule count from which a category's literals are found
// with one Aho–Corasick pass instead of one bytes.Index per visited rule.
const acMinRules = 8

// condition is a category's compiled match block.
type condition struct {
	program  []*glob           // empty: any program
	host     []*glob           // empty: any host
	facility uint32            // bit per facility 0..23; 0: any
	severity uint8             // bit per severity 0..7; 0: any
	keyPos   map[string][2]int // line and column of each key written (for warnings)
}

func (c *condition) rest(rec *parsers.Record) bool {
	if c.facility != 0 && (rec.Facility < 0 || rec.Facility > 23 || c.facility&(1<<uint(rec.Facility)) == 0) {
		return false
	}
	if c.severity != 0 && (rec.Severity < 0 || rec.Severity > 7 || c.severity&(1<<uint(rec.Severity)) == 0) {
		return false
	}
	if len(c.host) > 0 && !anyGlob(c.host, rec.Host) {
		return false
	}
	return true
}

func anyGlob(gs []*glob, s []byte) bool {
	for _, g := range gs {
		if g.match(s) {
			return true
		}
	}
	return false
}

// dispatch finds the first category (in file order) whose match block
// holds. Program globs are indexed: literal programs by map, "prefix*"
// globs in a list, everything else (and categories without a program
// condition) in a list checked in full. Each list is in category order, so
// the scan of a list stops at the first hit or at the best index so far.
type dispatch struct {
	exact  map[string][]int // program -> categories listing it literally
	prefix []prefixEntry
	other  []otherEntry
}

type prefixEntry struct {
	prefix []byte
	cat    int
}

type otherEntry struct {
	globs []*glob // nil: no program condition
	cat   int
}

func (s *Set) buildDispatch() {
	d := &s.disp
	d.exact = map[string][]int{}
	for i, c := range s.Categories {
		if len(c.cond.program) == 0 {
			d.other = append(d.other, otherEntry{cat: i})
			continue
		}
		var rest []*glob
		for _, g := range c.cond.program {
			switch k, lit := g.kind(); k {
			case globLiteral:
				if l := d.exact[lit]; len(l) == 0 || l[len(l)-1] != i {
					d.exact[lit] = append(l, i)
				}
			case globPrefix:
				d.prefix = append(d.prefix, prefixEntry{[]byte(lit), i})
			default:
				rest = append(rest, g)
			}
		}
		if len(rest) > 0 {
			d.other = append(d.other, otherEntry{rest, i})
		}
	}
}

// Matcher is per-goroutine matching state: the candidate bitset of the
// current message and the captures of the last match. It is not safe for
// concurrent use; create one per goroutine with Set.NewMatcher. The Set
// itself is immutable and shared.
type Matcher struct {
	set  *Set
	cand []uint64

	candCat int
	candPtr *byte
	candLen int

	msg  []byte // message of the last match (aliases the record)
	caps []int  // submatch indices of the last match, nil without captures
	rule *Rule  // rule of the last match

	fast  fastState
	fcaps []int // submatch indices of the fast matcher (len: largest fastProg.ncap)
}

// NewMatcher returns a Matcher for s.
func (s *Set) NewMatcher() *Matcher {
	w, ncap := 0, 0
	for _, c := range s.Categories {
		w = max(w, c.words)
		for _, r := range c.Rules {
			if r.fast != nil && r.fast.caps {
				ncap = max(ncap, r.fast.ncap)
			}
		}
	}
	return &Matcher{set: s, cand: make([]uint64, w), candCat: -1, fcaps: make([]int, ncap)}
}

// Categorize returns the index of the first category (in file order) whose
// match block holds for rec, -1 when none does. It does not allocate.
func (m *Matcher) Categorize(rec *parsers.Record) int {
	s := m.set
	d := &s.disp
	best := len(s.Categories)
	if l, ok := d.exact[string(rec.Program)]; ok {
		for _, i := range l {
			if i >= best {
				break
			}
			if s.Categories[i].cond.rest(rec) {
				best = i
				break
			}
		}
	}
	for _, e := range d.prefix {
		if e.cat >= best {
			break
		}
		if bytes.HasPrefix(rec.Program, e.prefix) && s.Categories[e.cat].cond.rest(rec) {
			best = e.cat
			break
		}
	}
	for _, e := range d.other {
		if e.cat >= best {
			break
		}
		if (e.globs == nil || anyGlob(e.globs, rec.Program)) && s.Categories[e.cat].cond.rest(rec) {
			best = e.cat
			break
		}
	}
	if best == len(s.Categories) {
		return -1
	}
	return best
}

// Match returns the index of the first rule of category cat, at or after
// rule index from, that matches rec.Message; -1 when none does. The
// captures of that match are kept in m for AppendKey until the next call.
//
// To follow a rule with Continue, call Match again with the same cat and
// rec and from = the returned index + 1: the literal prefilter pass of the
// first call is reused when rec.Message is the same slice.
//
// Match does not allocate, except for one small slice per match of a rule
// whose templates use captures and whose pattern the fast matcher does not
// handle (the standard regexp package allocates the submatch indices).
func (m *Matcher) Match(cat int, rec *parsers.Record, from int) int {
	c := m.set.Categories[cat]
	msg := rec.Message
	m.rule, m.caps, m.msg = nil, nil, nil
	if from < 0 {
		from = 0
	}
	if c.ac == nil {
		for i := from; i < len(c.Rules); i++ {
			r := c.Rules[i]
			if len(r.lit) > 0 && !bytes.Contains(msg, r.lit) {
				continue
			}
			if len(r.programs) > 0 && !anyGlob(r.programs, rec.Program) {
				continue
			}
			if m.try(r, msg, false) {
				return i
			}
		}
		return -1
	}
	var p *byte
	if len(msg) > 0 {
		p = &msg[0]
	}
	if from == 0 || m.candCat != cat || m.candPtr != p || m.candLen != len(msg) {
		cand := m.cand[:c.words]
		copy(cand, c.always)
		c.ac.scan(msg, cand)
		m.candCat, m.candPtr, m.candLen = cat, p, len(msg)
	}
	for i := nextBit(m.cand[:c.words], from); i >= 0; i = nextBit(m.cand[:c.words], i+1) {
		if r := c.Rules[i]; len(r.programs) > 0 && !anyGlob(r.programs, rec.Program) {
			continue
		}
		if m.try(c.Rules[i], msg, true) {
			return i
		}
	}
	return -1
}

// try runs rule r on msg, whose literal (if any) is known to be present
// (for an Aho–Corasick hit: its first acMaxLit bytes).
func (m *Matcher) try(r *Rule, msg []byte, ac bool) bool {
	if r.verify && ac && !bytes.Contains(msg, r.lit) {
		return false
	}
	switch {
	case r.re == nil || r.litOnly:
	case r.fast != nil:
		if !m.tryFast(r, msg) {
			return false
		}
	case r.needCaps:
		loc := r.re.FindSubmatchIndex(msg)
		if loc == nil {
			return false
		}
		m.caps = loc
	default:
		if !r.re.Match(msg) {
			return false
		}
	}
	m.rule, m.msg = r, msg
	return true
}

// tryFast runs r's pattern with the fast matcher; when it gives up (step
// budget), the regexp package decides.
func (m *Matcher) tryFast(r *Rule, msg []byte) bool {
	var caps []int
	if r.fast.caps {
		caps = m.fcaps[:r.fast.ncap]
	}
	switch r.fast.exec(&m.fast, msg, caps) {
	case fastMatched:
		m.caps = caps
		return true
	case fastNoMatch:
		return false
	}
	if !r.needCaps {
		return r.re.Match(msg)
	}
	m.caps = r.re.FindSubmatchIndex(msg)
	return m.caps != nil
}

// AppendKey appends to dst the expansion of t with the captures of the last
// successful Match. A capture that did not participate in the match
// expands to nothing. t must belong to the rule the last Match returned;
// AppendKey panics otherwise. It does not allocate when dst has room.
func (m *Matcher) AppendKey(dst []byte, t *Template) []byte {
	if t.rule != m.rule {
		panic("rules: AppendKey with a template of another rule than the last match")
	}
	for _, p := range t.parts {
		if p.group < 0 {
			dst = append(dst, p.lit...)
			continue
		}
		if a, b := m.caps[2*p.group], m.caps[2*p.group+1]; a >= 0 {
			dst = append(dst, m.msg[a:b]...)
		}
	}
	return dst
}
