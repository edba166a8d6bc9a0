package rules

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// requiredLiteral returns the longest byte string that every match of re
// must contain, "" when there is none. exact reports that re matches
// exactly that string and nothing else (so a substring search replaces the
// regexp entirely).
func requiredLiteral(re *syntax.Regexp) (lit string, exact bool) {
	if s, ok := exactString(re, true); ok {
		if s != "" && validLiteral(s) {
			return s, true
		}
	}
	return longestRequired(re), false
}

// validLiteral rejects literals containing U+FFFD: the regexp engine
// matches it against any invalid UTF-8 byte, so its encoding is not
// required to be present in the input.
func validLiteral(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError {
			return false
		}
	}
	return true
}

// exactString reports the one string re matches, if it matches exactly one.
// Unless strict, zero-width assertions count as the empty string: they
// consume nothing, so a match of the concatenation still contains the
// neighbours' text contiguously (but the regexp is no longer equivalent to
// a substring search).
func exactString(re *syntax.Regexp, strict bool) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			for _, r := range re.Rune {
				if hasFold(r) {
					return "", false
				}
			}
		}
		return string(re.Rune), true
	case syntax.OpCharClass:
		if len(re.Rune) == 2 && re.Rune[0] == re.Rune[1] {
			return string(re.Rune[0]), true
		}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return "", !strict || re.Op == syntax.OpEmptyMatch
	case syntax.OpCapture:
		return exactString(re.Sub[0], strict)
	case syntax.OpConcat:
		var b []byte
		for _, sub := range re.Sub {
			s, ok := exactString(sub, strict)
			if !ok {
				return "", false
			}
			b = append(b, s...)
		}
		return string(b), true
	case syntax.OpRepeat:
		if re.Min == re.Max && re.Min <= 16 {
			s, ok := exactString(re.Sub[0], strict)
			if !ok {
				return "", false
			}
			var b []byte
			for range re.Min {
				b = append(b, s...)
			}
			return string(b), true
		}
	}
	return "", false
}

// hasFold reports whether r has other case forms.
func hasFold(r rune) bool {
	return unicode.SimpleFold(r) != r
}

// longestRequired returns the longest literal every match must contain.
func longestRequired(re *syntax.Regexp) string {
	best := ""
	consider := func(s string) {
		if len(s) > len(best) && validLiteral(s) {
			best = s
		}
	}
	switch re.Op {
	case syntax.OpCapture:
		return longestRequired(re.Sub[0])
	case syntax.OpPlus:
		return longestRequired(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return longestRequired(re.Sub[0])
		}
		return ""
	case syntax.OpConcat:
		var run []byte
		for _, sub := range flatten(re.Sub, nil) {
			if s, ok := exactString(sub, false); ok {
				run = append(run, s...)
				continue
			}
			// x+ starts and ends with x: it can end one run and start the next.
			if sub.Op == syntax.OpPlus {
				if s, ok := exactString(sub.Sub[0], false); ok {
					run = append(run, s...)
					consider(string(run))
					run = append(run[:0], s...)
					continue
				}
			}
			consider(string(run))
			run = run[:0]
			consider(longestRequired(sub))
		}
		consider(string(run))
		return best
	default:
		if s, ok := exactString(re, false); ok {
			consider(s)
		}
		return best
	}
}

// flatten inlines nested concatenations (and captures of them): captures
// do not change the text a match covers.
func flatten(subs []*syntax.Regexp, dst []*syntax.Regexp) []*syntax.Regexp {
	for _, s := range subs {
		for s.Op == syntax.OpCapture {
			s = s.Sub[0]
		}
		if s.Op == syntax.OpConcat {
			dst = flatten(s.Sub, dst)
			continue
		}
		dst = append(dst, s)
	}
	return dst
}
