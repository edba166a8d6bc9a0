package rules

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/logtally/logtally/tally"
)

var ruleKeys = []string{"name", "program", "substring", "pattern", "count", "top", "distinct", "stats", "ignore", "continue"}
var topLongKeys = []string{"key", "k", "file"}
var distinctLongKeys = []string{"key", "exact"}

// reservedCounters are the built-in per-minute values of every summary;
// a counter of the same name would clash with them in key=value output.
var reservedCounters = []string{"lines", "matched", "ignored", "unknown", "late", "category", "minute", "partial"}

// The limits are the aggregation's own (tally clamps beyond them): a
// larger value is an error naming the maximum, not a silent clamp.
const (
	defaultTopK     = 100
	maxTopK         = tally.MaxTopK
	defaultExact    = 1000
	maxExact        = tally.MaxExact
	maxPatternBytes = 64 << 10
)

func (l *loader) rule(catCtx string, n *yaml.Node, b *catBuild, names map[string]*yaml.Node) *Rule {
	ctx := catCtx + "rule: "
	if name, ok := peekName(n); ok {
		ctx = fmt.Sprintf("%srule %q: ", catCtx, name)
	}
	byKey, ordered, ok := l.fields(ctx, n, "rule", ruleKeys)
	if !ok {
		return nil
	}
	r := &Rule{Line: n.Line, Col: n.Column}
	ctx = catCtx + "rule: "
	if nf, ok := byKey["name"]; !ok {
		l.errf(n, "%srule: missing key \"name\"", catCtx)
	} else if name, ok := l.name(ctx, "rule", nf, ruleNameRE); ok {
		r.Name = name
		ctx = fmt.Sprintf("%srule %q: ", catCtx, name)
		if prev, dup := names[name]; dup {
			l.errf(nf.val, "%sduplicate rule name %q (first at %d:%d)", catCtx, name, prev.Line, prev.Column)
		}
		names[name] = nf.val
	}

	if f, ok := byKey["program"]; ok {
		r.programs = l.globs(ctx+"program: ", f)
	}

	var substring string
	sf, hasSub := byKey["substring"]
	if hasSub {
		if s, ok := l.str(ctx, sf); ok {
			if s == "" {
				l.errf(sf.val, "%s\"substring\" must not be empty", ctx)
			}
			substring = s
		}
	}
	pf, hasPat := byKey["pattern"]
	patOK := true
	if hasPat {
		patOK = false
		if p, ok := l.str(ctx, pf); ok {
			switch re, err := regexp.Compile(p); {
			case len(p) > maxPatternBytes:
				l.errf(pf.val, "%spattern longer than %d bytes", ctx, maxPatternBytes)
			case err != nil:
				l.errf(pf.val, "%sbad pattern: %v", ctx, err)
			default:
				r.re, patOK = re, true
			}
		}
	}
	if !hasSub && !hasPat {
		l.errf(n, "%sneeds a \"substring\" or a \"pattern\" (or both)", ctx)
	}

	if f, ok := byKey["ignore"]; ok {
		r.Ignore, _ = l.boolean(ctx, f)
	}
	if f, ok := byKey["continue"]; ok {
		r.Continue, _ = l.boolean(ctx, f)
	}
	if r.Ignore {
		for _, k := range []string{"count", "top", "distinct", "stats", "continue"} {
			if f, ok := byKey[k]; ok && !(k == "continue" && !r.Continue) {
				l.errf(f.key, "%s\"ignore: true\" excludes %q", ctx, k)
			}
		}
	}

	// Actions, in the order written: that order fixes the schema order.
	for _, f := range ordered {
		switch f.key.Value {
		case "count":
			for _, cn := range l.scalars(ctx, f) {
				name, ok := l.metricName(ctx, "counter", cn)
				if !ok {
					continue
				}
				if contains(reservedCounters, name) {
					l.errf(cn, "%scounter name %q is reserved for a built-in summary value", ctx, name)
					continue
				}
				idx, ok := b.counters[name]
				if !ok && !l.claim(ctx, b, cn, "counter "+strconv.Quote(name), name) {
					continue
				}
				if !ok {
					idx = len(b.c.Schema.Counters)
					b.counters[name] = idx
					b.c.Schema.Counters = append(b.c.Schema.Counters, name)
				}
				if contains2(r.Counters, idx) {
					l.errf(cn, "%scounter %q listed twice", ctx, name)
					continue
				}
				r.Counters = append(r.Counters, idx)
			}
		case "top":
			l.eachNamed(ctx, f, "top", b.tops, func(nameNode *yaml.Node, name string, v *yaml.Node) {
				keyNode, k, file := v, defaultTopK, ""
				if v.Kind == yaml.MappingNode {
					lk, _, ok := l.fields(ctx, v, fmt.Sprintf("top %q", name), topLongKeys)
					if !ok {
						return
					}
					kf, ok := lk["key"]
					if !ok {
						l.errf(v, "%stop %q: missing key \"key\"", ctx, name)
						return
					}
					keyNode = kf.val
					if f, ok := lk["k"]; ok {
						k, _ = l.integer(ctx+fmt.Sprintf("top %q: ", name), f, 1, maxTopK)
					}
					if f, ok := lk["file"]; ok {
						if s, ok := l.str(ctx, f); ok {
							if !fileNameRE.MatchString(s) || s == "." || s == ".." {
								l.errf(f.val, "%stop %q: file %q must be a plain file name ([A-Za-z0-9_.-], no directory)", ctx, name, s)
							} else if prev, dup := b.files[s]; dup {
								l.errf(f.val, "%stop %q: file %q already used (at %d:%d)", ctx, name, s, prev.Line, prev.Column)
							} else {
								b.files[s] = f.val
								file = s
							}
						}
					}
				}
				l.claim(ctx, b, nameNode, fmt.Sprintf("top %q", name), name+"_total")
				t := l.template(ctx, fmt.Sprintf("top %q", name), keyNode, r, patOK)
				idx := len(b.c.Schema.Tops)
				b.c.Schema.Tops = append(b.c.Schema.Tops, tally.TopSpec{Name: name, K: max(k, 1)})
				if file != "" {
					b.c.TopFiles = append(b.c.TopFiles, TopFile{Top: idx, Name: file})
				}
				r.Tops = append(r.Tops, KeyAction{Index: idx, Key: t})
			})
		case "distinct":
			l.eachNamed(ctx, f, "distinct", b.distincts, func(nameNode *yaml.Node, name string, v *yaml.Node) {
				keyNode, exact := v, defaultExact
				if v.Kind == yaml.MappingNode {
					lk, _, ok := l.fields(ctx, v, fmt.Sprintf("distinct %q", name), distinctLongKeys)
					if !ok {
						return
					}
					kf, ok := lk["key"]
					if !ok {
						l.errf(v, "%sdistinct %q: missing key \"key\"", ctx, name)
						return
					}
					keyNode = kf.val
					if f, ok := lk["exact"]; ok {
						if e, ok := l.integer(ctx+fmt.Sprintf("distinct %q: ", name), f, 0, maxExact); ok {
							exact = e
						}
					}
				}
				l.claim(ctx, b, nameNode, fmt.Sprintf("distinct %q", name), name+"_distinct")
				t := l.template(ctx, fmt.Sprintf("distinct %q", name), keyNode, r, patOK)
				idx := len(b.c.Schema.Distincts)
				b.c.Schema.Distincts = append(b.c.Schema.Distincts, tally.DistinctSpec{Name: name, Exact: exact})
				r.Distincts = append(r.Distincts, KeyAction{Index: idx, Key: t})
			})
		case "stats":
			l.eachNamed(ctx, f, "stats", b.stats, func(nameNode *yaml.Node, name string, v *yaml.Node) {
				for _, suffix := range statsSuffixes {
					if !l.claim(ctx, b, nameNode, fmt.Sprintf("stats %q", name), name+suffix) {
						break
					}
				}
				t := l.template(ctx, fmt.Sprintf("stats %q", name), v, r, patOK)
				if t != nil && !t.single() {
					l.errf(v, "%sstats %q: template must be exactly one capture, like \"${bytes}\", got %q", ctx, name, v.Value)
				}
				idx := len(b.c.Schema.Stats)
				b.c.Schema.Stats = append(b.c.Schema.Stats, name)
				r.Stats = append(r.Stats, FieldAction{Index: idx, Key: t})
			})
		}
	}

	// Prefilter literal.
	if hasSub {
		r.lit, r.litFromSub = []byte(substring), true
	}
	if r.re != nil {
		if st, err := syntax.Parse(r.re.String(), syntax.Perl); err == nil {
			st = st.Simplify()
			r.fast = compileFast(st, r.needCaps)
			lit, exact := requiredLiteral(st)
			if r.lit == nil && lit != "" {
				r.lit = []byte(lit)
			}
			// An exact pattern is a substring search, unless a template
			// needs its captures or a separate substring must also hold.
			r.litOnly = exact && !hasSub && !r.needCaps
		}
	}
	return r
}

// statsSuffixes are the key=value names of a stats block, after its name.
var statsSuffixes = []string{"_count", "_sum", "_min", "_max", "_mean", "_p50", "_p95", "_p99"}

// rrdBuiltins are the series the RRD output keeps beside the counters
// (DIR/<category>/<name>.rrd): a counter of the same name would share the
// file.
var rrdBuiltins = []string{"_lines", "_unknown"}

// SelfCategory is summarize's report about itself: reserved, as is every
// name starting with "_" (the spool of uncategorized lines is
// "_uncategorized").
const SelfCategory = "logtally"

func reservedCategory(name string) bool {
	return name == SelfCategory || strings.HasPrefix(name, "_")
}

// outputName records what first produced a name in a category's summary.
type outputName struct {
	what string
	at   *yaml.Node
}

// claim reserves key, a name in the category's key=value summary line
// (and, for a counter, the name of its RRD file), for what. A second
// claim is an error: a counter users_total beside a top table users would
// print users_total twice and share one users_total.rrd.
func (l *loader) claim(ctx string, b *catBuild, n *yaml.Node, what, key string) bool {
	if prev, dup := b.outputs[key]; dup {
		l.errf(n, "%s%s: output name %q is already %s's (at %d:%d)", ctx, what, key, prev.what, prev.at.Line, prev.at.Column)
		return false
	}
	if contains(rrdBuiltins, key) {
		l.errf(n, "%s%s: output name %q is the RRD output's built-in series", ctx, what, key)
		return false
	}
	b.outputs[key] = outputName{what, n}
	return true
}

func contains2(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (l *loader) metricName(ctx, kind string, n *yaml.Node) (string, bool) {
	if !nameRE.MatchString(n.Value) {
		l.errf(n, "%s%s name %q must match [a-z0-9_]+", ctx, kind, n.Value)
		return "", false
	}
	return n.Value, true
}

// eachNamed walks a "name: template-or-mapping" block, checking names for
// syntax and uniqueness within the category.
func (l *loader) eachNamed(ctx string, f field, kind string, seen map[string]*yaml.Node, fn func(nameNode *yaml.Node, name string, v *yaml.Node)) {
	_, ordered, ok := l.fields(ctx, f.val, fmt.Sprintf("%q", kind), nil)
	if !ok {
		return
	}
	for _, e := range ordered {
		name, ok := l.metricName(ctx, kind, e.key)
		if !ok {
			continue
		}
		if prev, dup := seen[name]; dup {
			l.errf(e.key, "%sduplicate %s name %q in this category (first at %d:%d)", ctx, kind, name, prev.Line, prev.Column)
			continue
		}
		seen[name] = e.key
		fn(e.key, name, e.val)
	}
}

// template compiles the key template in n against r's pattern. patOK is
// false when the rule's pattern failed to compile: capture names are then
// not checked (the pattern error is reported already).
func (l *loader) template(ctx, what string, n *yaml.Node, r *Rule, patOK bool) *Template {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errf(n, "%s%s: key template must be a string, got %s", ctx, what, describe(n))
		return nil
	}
	parts, err := parseTemplate(n.Value)
	if err != nil {
		l.errf(n, "%s%s: %v", ctx, what, err)
		return nil
	}
	t := &Template{src: n.Value, parts: parts, rule: r}
	for i := range t.parts {
		p := &t.parts[i]
		if p.group < 0 {
			continue
		}
		t.caps = true
		g := -1
		if r.re != nil {
			g = r.re.SubexpIndex(p.name)
			if n, err := strconv.Atoi(p.name); err == nil && g < 0 && n >= 0 && n <= r.re.NumSubexp() {
				g = n
			}
		}
		if g < 0 {
			if patOK {
				if r.re == nil {
					l.errf(n, "%stemplate references capture %q but the rule has no pattern", ctx, p.name)
				} else {
					l.errf(n, "%stemplate references unknown capture %q", ctx, p.name)
				}
			}
			return nil
		}
		p.group = g
	}
	if t.caps {
		r.needCaps = true
	}
	return t
}

// compilePrefilter sets up the literal prefilter of c's rules.
func (c *Category) compilePrefilter() {
	c.words = (len(c.Rules) + 63) / 64
	if len(c.Rules) < acMinRules {
		return
	}
	lits := make([]string, len(c.Rules))
	c.always = make([]uint64, c.words)
	for i, r := range c.Rules {
		if len(r.lit) == 0 {
			c.always[i>>6] |= 1 << (uint(i) & 63)
			continue
		}
		lit := string(r.lit)
		if len(lit) > acMaxLit {
			lit = lit[:acMaxLit]
			// The cut literal no longer proves the whole one is there: check
			// it when no regexp will (substring-only, exact pattern, or a
			// substring the regexp does not imply).
			r.verify = r.re == nil || r.litOnly || r.litFromSub
		}
		lits[i] = lit
	}
	c.ac = newAhoCorasick(lits)
}
