package logcheck

import (
	"fmt"
	"io"
	"strings"
)

// WriteRules writes the conversion as a logtally rule file with one
// category, named category, for every program.
func (cv *Conversion) WriteRules(w io.Writer, category string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# logtally rules converted from logcheck's database in %s (report level %s)\n", cv.DB.Root, cv.DB.Level)
	fmt.Fprintf(&b, "# by logcheck2rules: %d of %d patterns converted, %d not (listed at the end).\n",
		cv.ConvertedPatterns(), len(cv.DB.Patterns), len(cv.Failures))
	b.WriteString("# logcheck's order: cracking.d (count: attacks), violations.ignore.d (ignore),\n" +
		"# violations.d (count: violations), ignore.d.* (ignore). Lines no rule claims are\n" +
		"# what logcheck reports as system events: they go to the unknown spool (aireport).\n\n")
	b.WriteString("categories:\n")
	fmt.Fprintf(&b, "  - name: %s\n", category)
	b.WriteString("    unknown: spool\n    rules:\n")
	for _, r := range cv.Rules {
		fmt.Fprintf(&b, "      - name: %s\n", r.Name)
		if progs := r.Split.programGlobs(); len(progs) == 1 {
			fmt.Fprintf(&b, "        program: %s\n", yamlQuote(progs[0]))
		} else if len(progs) > 1 {
			b.WriteString("        program: [")
			for i, p := range progs {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(yamlQuote(p))
			}
			b.WriteString("]\n")
		}
		fmt.Fprintf(&b, "        pattern: %s\n", yamlQuote(r.Split.Message))
		switch r.From.Class {
		case ClassAttack:
			fmt.Fprintf(&b, "        count: %s\n", CounterAttacks)
		case ClassViolation:
			fmt.Fprintf(&b, "        count: %s\n", CounterViolations)
		default:
			b.WriteString("        ignore: true\n")
		}
	}
	if len(cv.Failures) > 0 {
		b.WriteString("\n# Patterns not converted:\n")
		for _, f := range cv.Failures {
			fmt.Fprintf(&b, "#   %s: %s\n", f.From.Where(), oneLine(f.Reason))
		}
	}
	if len(cv.Approx) > 0 {
		b.WriteString("#\n# Rules wider than their pattern:\n")
		for _, r := range cv.Approx {
			fmt.Fprintf(&b, "#   %s (%s): %s\n", r.From.Where(), r.Name, oneLine(r.Split.Approx))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// programGlobs is the rule's program condition; nil when any program will
// do.
func (s *Split) programGlobs() []string {
	var out []string
	for _, n := range s.Names {
		out = append(out, globName(n))
	}
	for _, g := range s.Globs {
		if g == "*" {
			return nil
		}
		out = append(out, g)
	}
	return out
}

// ConvertedPatterns counts the database patterns that became rules.
func (cv *Conversion) ConvertedPatterns() int {
	return len(cv.DB.Patterns) - len(cv.Failures)
}

// yamlQuote writes s as a single-quoted YAML scalar: no escapes other than
// ” for a quote, so a regexp stays as written.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
