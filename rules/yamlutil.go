package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loader collects every error of one rule file.
type loader struct {
	file string
	errs ErrorList
}

func (l *loader) errf(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, max(n.Column, 1)
	}
	l.errs = append(l.errs, Error{File: l.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// field is one key/value pair of a YAML mapping.
type field struct {
	key, val *yaml.Node
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "boolean " + n.Value
		case "!!int", "!!float":
			return "number " + n.Value
		}
		return fmt.Sprintf("string %q", n.Value)
	}
	return "an alias"
}

// fields checks that n is a mapping whose keys are all in allowed (no
// duplicates), and returns its fields by key plus in order.
func (l *loader) fields(ctx string, n *yaml.Node, what string, allowed []string) (map[string]field, []field, bool) {
	if n.Kind != yaml.MappingNode {
		l.errf(n, "%s%s must be a mapping, got %s", ctx, what, describe(n))
		return nil, nil, false
	}
	byKey := make(map[string]field, len(n.Content)/2)
	var ordered []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errf(k, "%skeys of %s must be strings, got %s", ctx, what, describe(k))
			continue
		}
		if allowed != nil && !contains(allowed, k.Value) {
			where := " in " + what
			if what == "rule" || what == "category" || what == "mask" {
				where = ""
			}
			l.errf(k, "%sunknown key %q%s%s", ctx, k.Value, where, suggest(k.Value, allowed))
			continue
		}
		if prev, dup := byKey[k.Value]; dup {
			l.errf(k, "%sduplicate key %q in %s (first at %d:%d)", ctx, k.Value, what, prev.key.Line, prev.key.Column)
			continue
		}
		f := field{k, v}
		byKey[k.Value] = f
		ordered = append(ordered, f)
	}
	return byKey, ordered, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str returns a scalar's text; numbers and booleans are accepted as
// written (substring: 404 is the string "404").
func (l *loader) str(ctx string, f field) (string, bool) {
	n := f.val
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errf(n, "%s%q must be a string, got %s", ctx, f.key.Value, describe(n))
		return "", false
	}
	return n.Value, true
}

func (l *loader) boolean(ctx string, f field) (bool, bool) {
	n := f.val
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, true
		}
	}
	l.errf(n, "%s%q must be true or false, got %s", ctx, f.key.Value, describe(n))
	return false, false
}

func (l *loader) integer(ctx string, f field, lo, hi int) (int, bool) {
	n := f.val
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var v int
		if err := n.Decode(&v); err == nil {
			if v < lo || v > hi {
				l.errf(n, "%s%q must be between %d and %d, got %d", ctx, f.key.Value, lo, hi, v)
				return 0, false
			}
			return v, true
		}
	}
	l.errf(n, "%s%q must be an integer, got %s", ctx, f.key.Value, describe(n))
	return 0, false
}

func (l *loader) float(ctx string, f field) (float64, bool) {
	n := f.val
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		var v float64
		if err := n.Decode(&v); err == nil {
			return v, true
		}
	}
	l.errf(n, "%s%q must be a number, got %s", ctx, f.key.Value, describe(n))
	return 0, false
}

// scalars accepts a scalar or a list of scalars.
func (l *loader) scalars(ctx string, f field) []*yaml.Node {
	n := f.val
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() != "!!null" {
			return []*yaml.Node{n}
		}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			l.errf(n, "%s%q must not be an empty list", ctx, f.key.Value)
			return nil
		}
		out := make([]*yaml.Node, 0, len(n.Content))
		ok := true
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode || e.ShortTag() == "!!null" {
				l.errf(e, "%s%q: list entries must be strings or numbers, got %s", ctx, f.key.Value, describe(e))
				ok = false
			}
			out = append(out, e)
		}
		if ok {
			return out
		}
		return nil
	}
	l.errf(n, "%s%q must be a string or a list of strings, got %s", ctx, f.key.Value, describe(n))
	return nil
}

// seq checks that f's value is a list.
func (l *loader) seq(ctx string, f field) []*yaml.Node {
	if f.val.Kind != yaml.SequenceNode {
		l.errf(f.val, "%s%q must be a list, got %s", ctx, f.key.Value, describe(f.val))
		return nil
	}
	return f.val.Content
}

var nameRE = regexp.MustCompile(`^[a-z0-9_]+$`)
var ruleNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
var fileNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

func (l *loader) name(ctx, what string, f field, re *regexp.Regexp) (string, bool) {
	s, ok := l.str(ctx, f)
	if !ok {
		return "", false
	}
	if !re.MatchString(s) {
		want := "[a-z0-9_]+"
		if re == ruleNameRE {
			want = "[A-Za-z0-9_.-]+"
		}
		l.errf(f.val, "%s%s name %q must match %s", ctx, what, s, want)
		return "", false
	}
	return s, true
}

// yamlParserProblems are the messages of the YAML library's parser (as
// opposed to its scanner). For them the library reports the 0-based line
// where the enclosing block or flow collection starts.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator", "did not find expected <document start>",
	"did not find expected key", "did not find expected node content",
	"found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// yamlSyntaxError converts a yaml error ("yaml: line 3: ...") to an Error.
// The library gives no column: Col is 1.
func yamlSyntaxError(file string, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, hasLine := 0, false
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg, hasLine = n, rest[i+2:], true
			}
		}
	}
	if contains(yamlParserProblems, msg) {
		line++
		msg += " (in the collection starting on this line)"
	}
	if !hasLine && line == 0 || line < 1 {
		line = 1
	}
	return Error{File: file, Line: line, Col: 1, Msg: "yaml syntax: " + msg}
}

// peekName returns the scalar value of n's "name" key, for error context
// before the mapping is validated.
func peekName(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value, true
		}
	}
	return "", false
}
