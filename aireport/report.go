package aireport

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is the finished ranking, ready to render.
type Report struct {
	Generated time.Time     `json:"generated"`
	Since     *time.Time    `json:"since,omitempty"`
	Until     *time.Time    `json:"until,omitempty"`
	Masks     string        `json:"masks"`
	Grouping  string        `json:"grouping"`
	Header    string        `json:"header"`
	StateFile string        `json:"state_file,omitempty"`
	FirstRun  bool          `json:"first_run,omitempty"` // no state file existed: nothing is marked NEW
	Inputs    []InputResult `json:"inputs"`
	Errors    []string      `json:"errors,omitempty"`
	Sections  []*Section    `json:"sections"`
	Suggest   []Suggestion  `json:"suggestions,omitempty"`
	NewOnly   bool          `json:"new_only,omitempty"`
}

// InputResult is one input's outcome.
type InputResult struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Lines    int64  `json:"lines"`
	Error    string `json:"error,omitempty"`
}

// Section is one category's part of the report.
type Section struct {
	Category    string      `json:"category"`
	Lines       int64       `json:"lines"`   // in the time range
	Ranked      int64       `json:"ranked"`  // in Groups
	Ignored     int64       `json:"ignored"` // dropped by ignore rules
	Claimed     int64       `json:"claimed"` // matched by counting rules (summarize would not spool them)
	OutOfRange  int64       `json:"out_of_range"`
	Unparsed    int64       `json:"unparsed"` // header not recognised: grouped as whole lines
	Binary      int64       `json:"binary"`
	InvalidUTF8 int64       `json:"invalid_utf8"`
	LongLines   int64       `json:"long_lines"` // over 64 KiB
	NewGroups   int         `json:"new_groups"`
	Rules       []RuleCount `json:"rules"`
	Groups      []*Group    `json:"groups"`
}

// RuleCount is one rule's count with its change since the previous report.
type RuleCount struct {
	Rule     string `json:"rule"`
	Ignore   bool   `json:"ignore"`
	Count    int64  `json:"count"`
	Previous *int64 `json:"previous,omitempty"`
	Change   string `json:"change"`          // "+12.5%", "-3.0%", "new", "gone", "" (no previous report)
	Alert    bool   `json:"alert,omitempty"` // doubled, halved, new or gone
}

// Group is one row of the ranking.
type Group struct {
	ID        string     `json:"id"`  // GroupID: stable across runs
	Key       string     `json:"key"` // program: template, escaped
	Program   string     `json:"program,omitempty"`
	Template  string     `json:"template"`
	Count     int64      `json:"count"`
	New       bool       `json:"new,omitempty"`
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	Examples  []string   `json:"examples,omitempty"`
	raw       string     // unescaped key, for the uniq format
	order     int        // first appearance in the input: the tie-breaker
}

// Build turns the aggregated counts into a report. When st is non-nil it
// marks groups missing from it as NEW (unless fresh: a first run marks
// nothing) and updates it with this report's sightings and rule counts.
func (a *Aggregator) Build(st *State, fresh bool, now time.Time) *Report {
	r := &Report{Generated: now.UTC()}
	a.settleExact()
	names := make([]string, 0, len(a.cats))
	for n := range a.cats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.Sections = append(r.Sections, a.section(a.cats[n], st, fresh, now))
	}
	if st != nil {
		st.Updated = now.UTC()
	}
	return r
}

func (a *Aggregator) section(c *category, st *State, fresh bool, now time.Time) *Section {
	s := &Section{
		Category: c.name, Lines: c.lines, Ignored: c.ignored, Claimed: c.claimed,
		OutOfRange: c.outOfRange, Unparsed: c.unparsed, Binary: c.binary,
		InvalidUTF8: c.invalidUTF8, LongLines: c.longLine,
	}
	var sc *StateCategory
	if st != nil {
		sc = st.category(c.name)
	}
	exact := a.opt.Grouping == GroupExact
	var byKey map[string]*Group
	if !exact {
		byKey = map[string]*Group{}
	}
	s.Groups = make([]*Group, 0, len(c.groups)+len(c.table.ents))
	seedOf := map[string]string{}
	for i := range c.table.ents {
		e := &c.table.ents[i]
		raw := string(c.table.key(i))
		out := &Group{Key: Escape(raw), Template: raw, Count: c.table.count(i), raw: raw, order: i}
		if e.prog > 0 {
			out.Program, out.Template = Escape(raw[:e.prog]), raw[e.prog+2:]
		}
		if out.Key != raw {
			out.Template = Escape(out.Template)
		}
		if e.first != 0 {
			f, l := time.Unix(e.first, 0).UTC(), time.Unix(e.last, 0).UTC()
			out.FirstSeen, out.LastSeen = &f, &l
		}
		for _, ex := range c.tableEx[i] {
			out.Examples = append(out.Examples, Escape(ex))
		}
		s.Ranked += out.Count
		s.Groups = append(s.Groups, out)
	}
	for _, g := range c.groups {
		if g.count == 0 {
			continue
		}
		tmpl := g.sub.Template()
		raw := tmpl
		if g.program != "" {
			raw = g.program + ": " + tmpl
		}
		s.Ranked += g.count
		key := Escape(raw)
		var out *Group
		if !exact {
			// two clusters may end with the same template: one row
			out = byKey[key]
		}
		if out == nil {
			out = &Group{Key: key, Program: Escape(g.program), Template: Escape(tmpl), raw: raw, order: int(g.firstSeq)}
			if !exact {
				byKey[key] = out
			}
			s.Groups = append(s.Groups, out)
		}
		out.Count += g.count
		out.order = min(out.order, int(g.firstSeq))
		if g.first != 0 {
			f, l := time.Unix(g.first, 0).UTC(), time.Unix(g.last, 0).UTC()
			if out.FirstSeen == nil || f.Before(*out.FirstSeen) {
				out.FirstSeen = &f
			}
			if out.LastSeen == nil || l.After(*out.LastSeen) {
				out.LastSeen = &l
			}
		}
		for _, e := range g.examples {
			if len(out.Examples) < a.opt.MaxExamples {
				out.Examples = append(out.Examples, Escape(e))
			}
		}
		if g.seedKey != "" && g.seedKey != key {
			seedOf[key] = g.seedKey
		}
	}
	for _, g := range s.Groups {
		g.ID = GroupID(c.name, g.Key)
	}
	if sc != nil {
		nowU := now.UTC()
		for _, g := range s.Groups {
			t := sc.Templates[g.Key]
			if t == nil {
				if old := seedOf[g.Key]; old != "" && sc.Templates[old] != nil && byKey[old] == nil {
					// the template generalized since the last run: same
					// messages (unless a row of its own still has the old key)
					t = sc.Templates[old]
					delete(sc.Templates, old)
					sc.Templates[g.Key] = t
				}
			}
			if t == nil {
				g.New = !fresh
				first := nowU
				if g.FirstSeen != nil {
					first = *g.FirstSeen
				}
				t = &StateTemplate{First: first}
				sc.Templates[g.Key] = t
			}
			t.Program, t.Template = g.Program, g.Template
			last := nowU
			if g.LastSeen != nil {
				last = *g.LastSeen
			}
			if last.After(t.Last) {
				t.Last = last
			}
			if g.FirstSeen != nil && g.FirstSeen.Before(t.First) {
				t.First = *g.FirstSeen
			}
			t.Total += g.Count
			t.Reports++
			f, l := t.First, t.Last
			g.FirstSeen, g.LastSeen = &f, &l
			if g.New {
				s.NewGroups++
			}
		}
	}
	slices.SortFunc(s.Groups, func(gi, gj *Group) int {
		if gi.New != gj.New {
			if gi.New {
				return -1
			}
			return 1
		}
		if gi.Count != gj.Count {
			return cmp.Compare(gj.Count, gi.Count)
		}
		return cmp.Compare(gi.order, gj.order)
	})
	s.Rules = ruleCounts(c, sc)
	return s
}

func ruleCounts(c *category, sc *StateCategory) []RuleCount {
	var out []RuleCount
	seen := map[string]bool{}
	for name, n := range c.rules {
		rc := RuleCount{Rule: name, Ignore: c.ruleIgnore[name], Count: n}
		if sc != nil && sc.Rules != nil {
			if p, ok := sc.Rules[name]; ok {
				rc.Previous = &p
			}
		}
		seen[name] = true
		out = append(out, rc)
	}
	if sc != nil {
		for name, p := range sc.Rules {
			if !seen[name] && p > 0 {
				p := p
				out = append(out, RuleCount{Rule: name, Ignore: true, Previous: &p})
			}
		}
	}
	hadPrev := sc != nil && sc.Rules != nil
	for i := range out {
		rc := &out[i]
		rc.Change, rc.Alert = change(rc.Count, rc.Previous, hadPrev)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Rule < out[j].Rule
	})
	if sc != nil {
		sc.Rules = map[string]int64{}
		for name, n := range c.rules {
			sc.Rules[name] = n
		}
	}
	return out
}

// change describes count against the previous report's count. Alert marks
// what the article asks to notice: an insignificant event whose number
// changed drastically (doubled or halved, by at least 10 lines), appeared
// or disappeared.
func change(n int64, prev *int64, hadPrev bool) (string, bool) {
	switch {
	case prev == nil && !hadPrev:
		return "", false
	case prev == nil || *prev == 0:
		return "new", n > 0
	case n == 0:
		return "gone", true
	}
	p := *prev
	pct := float64(n-p) / float64(p) * 100
	d := n - p
	if d < 0 {
		d = -d
	}
	alert := d >= 10 && (n >= 2*p || 2*n <= p)
	return formatPct(pct), alert
}

func formatPct(p float64) string {
	sign := "+"
	if p < 0 {
		sign = "-"
		p = -p
	}
	return sign + strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// Escape makes b safe to show: printable UTF-8 stays, every invalid byte
// and control character (except tab) becomes \xNN.
func Escape(b string) string {
	clean := true
	for i := 0; i < len(b); i++ {
		if c := b[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	var sb strings.Builder
	const hex = "0123456789abcdef"
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRuneInString(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			for k := 0; k < size || k == 0; k++ {
				c := b[i+k]
				sb.WriteString(`\x`)
				sb.WriteByte(hex[c>>4])
				sb.WriteByte(hex[c&15])
			}
			if size == 0 {
				size = 1
			}
		default:
			sb.WriteString(b[i : i+size])
		}
		i += size
	}
	return sb.String()
}
