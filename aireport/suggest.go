package aireport

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Suggestion is a rule-file snippet that would claim one group.
type Suggestion struct {
	Category string `json:"category"`
	Program  string `json:"program,omitempty"`
	Count    int64  `json:"count"`
	Name     string `json:"name"`
	Pattern  string `json:"pattern"`
	Example  string `json:"example,omitempty"`
	YAML     string `json:"yaml"` // ready to append under the category's "rules:"
}

// placeholder regexps: what each mask placeholder stands for in a pattern.
var placeholderRE = map[string]string{
	"<*>":    `\S+`,
	"<NUM>":  `-?[0-9]+(?:\.[0-9]+)?`,
	"<PORT>": `[0-9]+`,
	"<PID>":  `[0-9]+`,
	"<IP>":   `[0-9A-Za-z:.%]+`,
	"<HEX>":  `(?:0[xX])?[0-9A-Fa-f]+`,
	"<UUID>": `[0-9A-Fa-f-]{36}`,
	"<MAC>":  `[0-9A-Fa-f:-]{17}`,
	"<DUR>":  `-?[0-9][0-9.]*[a-zµ][a-zµ0-9.]*`,
	"<TIME>": `[0-9][0-9:.,]*`,
	"<DATE>": `[0-9]{4}-[0-9]{2}-[0-9]{2}`,
	"<TS>":   `[0-9]{4}-[0-9]{2}-[0-9]{2}[T_][0-9A-Za-z:.+-]*`,
	// the article's sed replacements
	"port PORT ": `port [0-9]* `,
	"[PID]":      `\[[0-9]*\]`,
	"pid=PID":    `pid=[0-9]*`,
}

// Suggester turns groups into rule snippets.
type Suggester struct {
	Count   bool   // emit counting rules ("count: <name>") instead of ignore rules
	Masks   []Mask // user masks: their literal replacements map back to their regexps
	Article bool   // templates carry the article's sed replacements
}

// PatternFor returns an anchored RE2 pattern matching every message that
// template (a masked, possibly Drain-generalized message) stands for.
func (s *Suggester) PatternFor(template string) string {
	subs := map[string]string{}
	for k, v := range placeholderRE {
		if strings.HasPrefix(k, "<") || s.Article {
			subs[k] = v
		}
	}
	for _, m := range s.Masks {
		if m.Replace != "" && !strings.Contains(m.Replace, "$") {
			subs[m.Replace] = "(?:" + m.Regexp.String() + ")"
		}
	}
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var b strings.Builder
	b.WriteString(`^\s*`)
	t := strings.TrimSpace(template)
	lit := 0
	flush := func(i int) {
		if i > lit {
			b.WriteString(regexp.QuoteMeta(t[lit:i]))
		}
	}
	for i := 0; i < len(t); {
		if t[i] == ' ' || t[i] == '\t' {
			flush(i)
			j := i
			for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
				j++
			}
			b.WriteString(`\s+`)
			i, lit = j, j
			continue
		}
		matched := false
		for _, k := range keys {
			if strings.HasPrefix(t[i:], k) {
				flush(i)
				b.WriteString(subs[k])
				i += len(k)
				lit = i
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	flush(len(t))
	b.WriteString(`\s*$`)
	return b.String()
}

// Suggest returns snippets for the n largest groups of the report (NEW or
// not), largest first. Groups whose pattern would not match their own
// examples are skipped (the reason is in skipped).
func (s *Suggester) Suggest(r *Report, n int) (out []Suggestion, skipped []string) {
	type cand struct {
		sec *Section
		g   *Group
	}
	var all []cand
	for _, sec := range r.Sections {
		for _, g := range sec.Groups {
			all = append(all, cand{sec, g})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].g.Count > all[j].g.Count })
	names := map[string]bool{}
	for _, c := range all {
		if len(out) >= n {
			break
		}
		g := c.g
		if strings.Contains(g.Template, `\x`) {
			skipped = append(skipped, fmt.Sprintf("%s: binary or invalid UTF-8 template", g.Key))
			continue
		}
		pat, err := yamlSafePattern(s.PatternFor(g.Template))
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", g.Key, err))
			continue
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", g.Key, err))
			continue
		}
		ok := true
		for _, ex := range g.Examples {
			msg := ex
			if g.Program != "" {
				msg = strings.TrimPrefix(ex, g.Program+": ")
			}
			if !re.MatchString(msg) {
				ok = false
				skipped = append(skipped, fmt.Sprintf("%s: pattern %s does not match example %q", g.Key, pat, msg))
				break
			}
		}
		if !ok {
			continue
		}
		name := ruleName(c.sec.Category, g.Template, pat, names)
		sg := Suggestion{Category: c.sec.Category, Program: g.Program, Count: g.Count, Name: name, Pattern: pat}
		if len(g.Examples) > 0 {
			sg.Example = g.Examples[0]
		}
		sg.YAML = s.yaml(sg)
		out = append(out, sg)
	}
	return out, skipped
}

func (s *Suggester) yaml(sg Suggestion) string {
	var b strings.Builder
	where := sg.Category
	if where == "" {
		where = "the category that receives program " + sg.Program
	}
	comment := fmt.Sprintf("aireport: %d lines in %s", sg.Count, where)
	if sg.Example != "" {
		ex := sg.Example
		if len(ex) > 160 {
			cut := 160
			for cut > 0 && !utf8.RuneStart(ex[cut]) {
				cut--
			}
			ex = ex[:cut] + "…"
		}
		comment += ", e.g. " + ex
	}
	// Everything in the comment may come from a log line: one escaped
	// line, so nothing can end the comment and start YAML of its own.
	fmt.Fprintf(&b, "      # %s\n", yamlCommentSafe(comment))
	fmt.Fprintf(&b, "      - name: %s\n", sg.Name)
	// sg.Pattern is yamlSafePattern's: printable, so inside single quotes
	// only the quote itself needs doubling.
	fmt.Fprintf(&b, "        pattern: '%s'\n", strings.ReplaceAll(sg.Pattern, "'", "''"))
	if s.Count {
		fmt.Fprintf(&b, "        count: %s\n", strings.ReplaceAll(sg.Name, "-", "_"))
	} else {
		b.WriteString("        ignore: true\n")
	}
	return b.String()
}

// yamlPrintable reports whether r may stand for itself in a YAML comment
// or quoted scalar: YAML's printable set without any line break (LF, CR,
// NEL U+0085, LS U+2028, PS U+2029), tab or byte-order mark.
func yamlPrintable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x2028 || r == 0x2029 || r == 0xfeff:
		return false
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}

// yamlCommentSafe escapes what yamlPrintable refuses (and invalid UTF-8)
// as \xHH, \uHHHH or \UHHHHHHHH, so s stays one comment line.
func yamlCommentSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case yamlPrintable(r):
			b.WriteString(s[i : i+n])
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r < 0x10000:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
		i += n
	}
	return b.String()
}

// yamlSafePattern rewrites every rune yamlPrintable refuses as the RE2
// escape \x{H…}, which matches the same rune: the pattern then sits in a
// single-quoted YAML scalar as one line. A pattern with invalid UTF-8 is
// refused: YAML cannot carry it and RE2 has no escape for a lone byte.
func yamlSafePattern(p string) (string, error) {
	if !utf8.ValidString(p) {
		return "", fmt.Errorf("pattern is not valid UTF-8")
	}
	var b strings.Builder
	for _, r := range p {
		if yamlPrintable(r) {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, `\x{%x}`, r)
		}
	}
	return b.String(), nil
}

// ruleName builds a unique, valid rule (and counter) name from the literal
// words of a template and a short hash of its pattern.
func ruleName(category, template, pattern string, used map[string]bool) string {
	var words []string
	for _, w := range strings.Fields(template) {
		if len(words) == 4 {
			break
		}
		var sb strings.Builder
		for _, r := range strings.ToLower(w) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				sb.WriteRune(r)
			}
		}
		if sb.Len() > 0 && !strings.ContainsAny(w, "<>") {
			words = append(words, sb.String())
		}
	}
	h := fnv.New32a()
	h.Write([]byte(category + "\x00" + pattern))
	base := "ai_" + strings.Join(words, "_")
	if len(base) > 40 {
		base = base[:40]
	}
	name := fmt.Sprintf("%s_%04x", base, h.Sum32()&0xffff)
	for i := 2; used[category+"/"+name]; i++ {
		name = fmt.Sprintf("%s_%04x_%d", base, h.Sum32()&0xffff, i)
	}
	used[category+"/"+name] = true
	return name
}
