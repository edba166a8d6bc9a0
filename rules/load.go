package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/logtally/logtally/holtwinters"

	"go.yaml.in/yaml/v3"

	"github.com/logtally/logtally/internal/facility"
)

// Load reads and parses the rule file at path. Validation problems come
// back as an ErrorList (errors.Is(err, ErrInvalid)); a read failure as the
// wrapped *fs.PathError.
func Load(path string) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return Parse(path, data)
}

// Parse validates and compiles a rule file. name is used in error
// positions (and as Set.Path). Every problem is reported at once, as an
// ErrorList sorted by position.
func Parse(name string, data []byte) (set *Set, err error) {
	l := &loader{file: name}
	defer func() {
		// The YAML library reports some failures by panicking; never let
		// a rule file take the process down.
		if r := recover(); r != nil {
			set, err = nil, ErrorList{{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("yaml: internal error: %v", r)}}
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{File: name, Line: 1, Col: 1, Msg: "empty rule file: no categories"}}
		}
		return nil, ErrorList{yamlSyntaxError(name, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errf(&extra, "only one YAML document is allowed in a rule file")
	} else if !errors.Is(err, io.EOF) {
		l.errs = append(l.errs, yamlSyntaxError(name, err))
	}
	if len(doc.Content) != 1 {
		l.errf(&doc, "empty rule file: no categories")
		return nil, l.errs
	}
	if !l.noAliases(doc.Content[0], 0) {
		l.errs.sort()
		return nil, l.errs
	}
	s := l.set(doc.Content[0])
	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, l.errs
	}
	s.Path = name
	s.buildDispatch()
	return s, nil
}

// noAliases rejects YAML aliases (and merge keys, which need them): they
// would let a small file expand into a huge rule set.
func (l *loader) noAliases(n *yaml.Node, depth int) bool {
	if depth > 100 {
		l.errf(n, "rule file nests deeper than 100 levels")
		return false
	}
	if n.Kind == yaml.AliasNode {
		l.errf(n, "YAML aliases (*%s) are not supported in rule files", n.Value)
		return false
	}
	ok := true
	for _, c := range n.Content {
		ok = l.noAliases(c, depth+1) && ok
	}
	return ok
}

var topKeys = []string{"masks", "categories"}

func (l *loader) set(root *yaml.Node) *Set {
	s := &Set{}
	byKey, _, ok := l.fields("", root, "the rule file", topKeys)
	if !ok {
		return s
	}
	if f, ok := byKey["masks"]; ok {
		l.masks(s, f)
	}
	f, ok := byKey["categories"]
	if !ok {
		l.errf(root, "missing key \"categories\"")
		return s
	}
	cats := l.seq("", f)
	if f.val.Kind == yaml.SequenceNode && len(cats) == 0 {
		l.errf(f.val, "\"categories\" must list at least one category")
	}
	seen := map[string]*yaml.Node{}
	files := map[string]*yaml.Node{}
	for _, n := range cats {
		c := l.category(n, seen, files)
		if c != nil {
			c.Index = len(s.Categories)
			s.Categories = append(s.Categories, c)
		}
	}
	return s
}

var maskKeys = []string{"name", "pattern", "replace"}

func (l *loader) masks(s *Set, f field) {
	seen := map[string]*yaml.Node{}
	for _, n := range l.seq("", f) {
		ctx := "mask: "
		if name, ok := peekName(n); ok {
			ctx = fmt.Sprintf("mask %q: ", name)
		}
		byKey, _, ok := l.fields(ctx, n, "mask", maskKeys)
		if !ok {
			continue
		}
		ctx = "mask: "
		var m Mask
		nf, ok := byKey["name"]
		if !ok {
			l.errf(n, "mask: missing key \"name\"")
		} else if name, ok := l.name("", "mask", nf, nameRE); ok {
			m.Name = name
			ctx = fmt.Sprintf("mask %q: ", name)
			if prev, dup := seen[name]; dup {
				l.errf(nf.val, "duplicate mask name %q (first at %d:%d)", name, prev.Line, prev.Column)
			}
			seen[name] = nf.val
		}
		if pf, ok := byKey["pattern"]; !ok {
			l.errf(n, "%smissing key \"pattern\"", ctx)
		} else if p, ok := l.str(ctx, pf); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				l.errf(pf.val, "%sbad pattern: %v", ctx, err)
			}
			m.Regexp = re
		}
		if rf, ok := byKey["replace"]; !ok {
			l.errf(n, "%smissing key \"replace\"", ctx)
		} else if rf.val.Kind == yaml.ScalarNode && rf.val.ShortTag() == "!!null" {
			m.Replace = ""
		} else if r, ok := l.str(ctx, rf); ok {
			m.Replace = r
		}
		s.Masks = append(s.Masks, m)
	}
}

var categoryKeys = []string{"name", "match", "unknown", "forecast", "rules"}

// catBuild is the per-category state while rules are read.
type catBuild struct {
	c         *Category
	counters  map[string]int
	tops      map[string]*yaml.Node
	distincts map[string]*yaml.Node
	stats     map[string]*yaml.Node
	files     map[string]*yaml.Node // top files, shared by the whole set
	outputs   map[string]outputName // key=value output names, see claim
}

func (l *loader) category(n *yaml.Node, seen, files map[string]*yaml.Node) *Category {
	ctx := "category: "
	if name, ok := peekName(n); ok {
		ctx = fmt.Sprintf("category %q: ", name)
	}
	byKey, _, ok := l.fields(ctx, n, "category", categoryKeys)
	if !ok {
		return nil
	}
	c := &Category{Forecast: DefaultForecast, Line: n.Line, Col: n.Column}
	ctx = "category: "
	if nf, ok := byKey["name"]; !ok {
		l.errf(n, "category: missing key \"name\"")
	} else if name, ok := l.name(ctx, "category", nf, nameRE); ok {
		c.Name = name
		ctx = fmt.Sprintf("category %q: ", name)
		if reservedCategory(name) {
			l.errf(nf.val, "category name %q is reserved (%q is summarize's own category, names starting with \"_\" are its spool's)", name, SelfCategory)
		}
		if prev, dup := seen[name]; dup {
			l.errf(nf.val, "duplicate category name %q (first at %d:%d)", name, prev.Line, prev.Column)
		}
		seen[name] = nf.val
	}
	c.Schema.Category = c.Name
	if f, ok := byKey["match"]; ok {
		l.match(ctx, f, &c.cond)
	}
	if f, ok := byKey["unknown"]; ok {
		if v, ok := l.str(ctx, f); ok {
			switch v {
			case "spool":
				c.Unknown = UnknownSpool
			case "drop":
				c.Unknown = UnknownDrop
			default:
				l.errf(f.val, "%s\"unknown\" must be spool or drop, got %q", ctx, v)
			}
		}
	}
	if f, ok := byKey["forecast"]; ok {
		l.forecast(ctx, f, &c.Forecast)
	}
	b := &catBuild{c: c, counters: map[string]int{}, tops: map[string]*yaml.Node{},
		distincts: map[string]*yaml.Node{}, stats: map[string]*yaml.Node{}, files: files,
		outputs: map[string]outputName{}}
	if f, ok := byKey["rules"]; ok {
		ruleNames := map[string]*yaml.Node{}
		for _, rn := range l.seq(ctx, f) {
			if r := l.rule(ctx, rn, b, ruleNames); r != nil {
				c.Rules = append(c.Rules, r)
			}
		}
	}
	c.compilePrefilter()
	return c
}

// globs compiles a glob or a list of globs (match program/host, a rule's
// program).
func (l *loader) globs(ctx string, f field) []*glob {
	var out []*glob
	for _, sn := range l.scalars(ctx, f) {
		if sn.Value == "" {
			l.errf(sn, "%sempty glob", ctx)
			continue
		}
		g, err := compileGlob(sn.Value)
		if err != nil {
			l.errf(sn, "%s%v", ctx, err)
			continue
		}
		out = append(out, g)
	}
	return out
}

var matchKeys = []string{"program", "host", "facility", "severity"}

func (l *loader) match(ctx string, f field, cond *condition) {
	if f.val.Kind == yaml.ScalarNode && f.val.ShortTag() == "!!null" {
		return // "match:" with nothing: match all
	}
	byKey, _, ok := l.fields(ctx, f.val, "match", matchKeys)
	if !ok {
		return
	}
	cond.keyPos = map[string][2]int{}
	for k, kf := range byKey {
		cond.keyPos[k] = [2]int{kf.key.Line, kf.key.Column}
	}
	globs := func(key string) []*glob {
		gf, ok := byKey[key]
		if !ok {
			return nil
		}
		return l.globs(ctx+"match "+key+": ", gf)
	}
	cond.program = globs("program")
	cond.host = globs("host")
	if ff, ok := byKey["facility"]; ok {
		for _, sn := range l.scalars(ctx, ff) {
			v, ok := facilityValue(sn.Value)
			if !ok {
				l.errf(sn, "%smatch facility: unknown facility %q (want a name like local4 or a number 0-23)", ctx, sn.Value)
				continue
			}
			cond.facility |= 1 << uint(v)
		}
	}
	if sf, ok := byKey["severity"]; ok {
		for _, sn := range l.scalars(ctx, sf) {
			mask, err := severityMask(sn.Value)
			if err != nil {
				l.errf(sn, "%smatch severity: %v", ctx, err)
				continue
			}
			if mask == 0 {
				l.errf(sn, "%smatch severity: %q matches no severity", ctx, sn.Value)
			}
			cond.severity |= mask
		}
	}
}

func facilityValue(s string) (int, bool) {
	if v, ok := facility.Code(s); ok {
		return v, true
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= 0 && v <= 23
}

// severityMask parses "warning", "4", "<=warning", ">3", ... into a bit
// set of severities. Comparisons are numeric: "<=warning" is emerg through
// warning, the more severe end.
func severityMask(s string) (uint8, error) {
	op := ""
	for _, p := range []string{"<=", ">=", "<", ">", "="} {
		if strings.HasPrefix(s, p) {
			op, s = p, strings.TrimSpace(s[len(p):])
			break
		}
	}
	v, ok := facility.SeverityCode(s)
	if !ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 7 {
			return 0, fmt.Errorf("unknown severity %q (want a name like warning or a number 0-7, optionally after <=, >=, < or >)", s)
		}
		v = n
	}
	var m uint8
	for sev := range 8 {
		var in bool
		switch op {
		case "", "=":
			in = sev == v
		case "<=":
			in = sev <= v
		case ">=":
			in = sev >= v
		case "<":
			in = sev < v
		case ">":
			in = sev > v
		}
		if in {
			m |= 1 << uint(sev)
		}
	}
	return m, nil
}

var forecastKeys = []string{"period", "model", "alpha", "beta", "gamma", "gamma_dev",
	"delta_pos", "delta_neg", "threshold", "window"}

func (l *loader) forecast(ctx string, f field, fc *Forecast) {
	errsBefore := len(l.errs)
	byKey, _, ok := l.fields(ctx, f.val, "forecast", forecastKeys)
	if !ok {
		return
	}
	ctx += "forecast: "
	if pf, ok := byKey["period"]; ok {
		if v, ok := l.integer(ctx, pf, 2, 527040); ok {
			fc.Period = v
		}
	}
	if mf, ok := byKey["model"]; ok {
		if v, ok := l.str(ctx, mf); ok {
			switch v {
			case "additive":
				fc.Multiplicative = false
			case "multiplicative":
				fc.Multiplicative = true
			default:
				l.errf(mf.val, "%s\"model\" must be additive or multiplicative, got %q", ctx, v)
			}
		}
	}
	unit := func(key string, dst *float64) {
		if ff, ok := byKey[key]; ok {
			if v, ok := l.float(ctx, ff); ok {
				if !(v > 0 && v < 1) {
					l.errf(ff.val, "%s%q must be strictly between 0 and 1, got %v", ctx, key, v)
					return
				}
				*dst = v
			}
		}
	}
	unit("alpha", &fc.Alpha)
	unit("beta", &fc.Beta)
	unit("gamma", &fc.Gamma)
	unit("gamma_dev", &fc.GammaDev)
	delta := func(key string, dst *float64) {
		if ff, ok := byKey[key]; ok {
			if v, ok := l.float(ctx, ff); ok {
				if !(v >= holtwinters.MinDelta && v <= holtwinters.MaxDelta) {
					l.errf(ff.val, "%s%q must be between %v and %v, got %v", ctx, key, holtwinters.MinDelta, holtwinters.MaxDelta, v)
					return
				}
				*dst = v
			}
		}
	}
	delta("delta_pos", &fc.DeltaPos)
	delta("delta_neg", &fc.DeltaNeg)
	tf, tok := byKey["threshold"]
	wf, wok := byKey["window"]
	if tok {
		if v, ok := l.integer(ctx, tf, 1, 28); ok {
			fc.Threshold = v
		} else {
			tok = false
		}
	}
	if wok {
		if v, ok := l.integer(ctx, wf, 1, 28); ok {
			fc.Window = v
		} else {
			wok = false
		}
	}
	if fc.Threshold > fc.Window {
		at := f.val
		switch {
		case tok:
			at = tf.val
		case wok:
			at = wf.val
		}
		l.errf(at, "%sthreshold (%d) must not exceed window (%d)", ctx, fc.Threshold, fc.Window)
		return
	}
	// The model's own check, so that nothing the RRD output would refuse
	// passes here (each key's check above gives the precise position).
	if len(l.errs) == errsBefore {
		if err := fc.Params().Validate(); err != nil {
			l.errf(f.val, "%s%v", ctx, err)
		}
	}
}
