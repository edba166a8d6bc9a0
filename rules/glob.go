package rules

import (
	"bytes"
	"errors"
	"strings"
)

// glob is a compiled shell-style pattern: '*' matches any run of bytes
// (including none), '?' exactly one byte, '\' escapes the next byte. The
// match is on bytes, case-sensitive, and anchored at both ends.
type glob struct {
	src    string
	parts  []string // literal segments between '*'; '?' kept as wildQ
	star   []bool   // star[i]: a '*' precedes parts[i]
	tail   bool     // a '*' ends the pattern
	q      bool     // some part contains an unescaped '?'
	bparts [][]byte
	hasQ   []bool
}

// wildQ stands for an unescaped '?' inside a glob segment. 0xFF never occurs
// in valid UTF-8, so a pattern written in YAML cannot contain it literally.
const wildQ = 0xFF

type globKind int

const (
	globLiteral globKind = iota // no wildcard: exact comparison
	globPrefix                  // "lit*": prefix comparison
	globOther
)

func compileGlob(src string) (*glob, error) {
	g := &glob{src: src}
	var cur []byte
	star := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '\\':
			if i+1 == len(src) {
				return nil, errors.New("glob ends with a lone backslash")
			}
			i++
			cur = append(cur, src[i])
		case '*':
			if len(cur) > 0 || len(g.parts) == 0 && !star {
				g.parts = append(g.parts, string(cur))
				g.star = append(g.star, star)
				cur = cur[:0]
			}
			star = true
		case '?':
			cur = append(cur, wildQ)
			g.q = true
		default:
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 || len(g.parts) == 0 {
		g.parts = append(g.parts, string(cur))
		g.star = append(g.star, star)
	} else {
		g.tail = star
	}
	// Normalise: a leading empty part without a star carries nothing.
	if len(g.parts) > 1 && g.parts[0] == "" && !g.star[0] {
		g.parts, g.star = g.parts[1:], g.star[1:]
		g.star[0] = true
	}
	for _, p := range g.parts {
		g.bparts = append(g.bparts, []byte(p))
		g.hasQ = append(g.hasQ, strings.IndexByte(p, wildQ) >= 0)
	}
	return g, nil
}

// kind classifies g for dispatch; lit is the literal or prefix.
func (g *glob) kind() (globKind, string) {
	if g.q {
		return globOther, ""
	}
	if len(g.parts) == 1 && !g.star[0] {
		if g.tail {
			return globPrefix, g.parts[0]
		}
		return globLiteral, g.parts[0]
	}
	return globOther, ""
}

func segEq(s, p []byte) bool {
	if len(s) != len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != wildQ && p[i] != s[i] {
			return false
		}
	}
	return true
}

// segIndex finds the first position of p in s ('?' matches any byte).
func segIndex(s, p []byte, q bool) int {
	if !q {
		return bytes.Index(s, p)
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if segEq(s[i:i+len(p)], p) {
			return i
		}
	}
	return -1
}

func (g *glob) match(s []byte) bool {
	n := len(g.parts)
	for i, p := range g.bparts {
		last := i == n-1
		if !g.star[i] {
			// Anchored at the current position.
			if last && !g.tail {
				return segEq(s, p)
			}
			if len(s) < len(p) || !segEq(s[:len(p)], p) {
				return false
			}
			s = s[len(p):]
			continue
		}
		if last && !g.tail {
			// Must end the string: leftmost-longest is irrelevant here.
			return len(s) >= len(p) && segEq(s[len(s)-len(p):], p)
		}
		j := segIndex(s, p, g.hasQ[i])
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return g.tail || len(s) == 0
}
