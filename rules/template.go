package rules

import (
	"fmt"
	"strings"
)

// Template is a compiled key template such as "${server}${path}": literal
// text and named captures of its rule's pattern. "$$" is a literal dollar.
// A Template belongs to one Rule; expand it with Matcher.AppendKey right
// after Match returned that rule.
type Template struct {
	src   string
	parts []tplPart
	rule  *Rule
	caps  bool // references at least one capture
}

type tplPart struct {
	lit   string
	group int // capture group number; -1 for a literal part
	name  string
}

// String returns the template as written in the rule file.
func (t *Template) String() string { return t.src }

// Captures lists the capture names the template references, in order.
func (t *Template) Captures() []string {
	var out []string
	for _, p := range t.parts {
		if p.group >= 0 {
			out = append(out, p.name)
		}
	}
	return out
}

// parseTemplate splits src into parts; capture names are resolved later
// (group stays 0 for captures until then).
func parseTemplate(src string) ([]tplPart, error) {
	var parts []tplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, tplPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '$' {
			lit.WriteByte(c)
			continue
		}
		if i+1 < len(src) && src[i+1] == '$' {
			lit.WriteByte('$')
			i++
			continue
		}
		if i+1 >= len(src) || src[i+1] != '{' {
			return nil, fmt.Errorf("bad template %q: a lone $ at offset %d (write ${name} for a capture, $$ for a dollar)", src, i)
		}
		end := strings.IndexByte(src[i+2:], '}')
		if end < 0 {
			return nil, fmt.Errorf("bad template %q: unterminated ${ at offset %d", src, i)
		}
		name := src[i+2 : i+2+end]
		if !validCaptureName(name) {
			return nil, fmt.Errorf("bad template %q: bad capture name %q", src, name)
		}
		flush()
		parts = append(parts, tplPart{name: name})
		i += 2 + end
	}
	flush()
	return parts, nil
}

func validCaptureName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// single reports whether the template is exactly one capture.
func (t *Template) single() bool {
	return len(t.parts) == 1 && t.parts[0].group >= 0
}
