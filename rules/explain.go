package rules

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/logtally/logtally/internal/facility"
	"github.com/logtally/logtally/parsers"
)

// Outcome is what happened to one rule for one line.
type Outcome uint8

const (
	NotTried        Outcome = iota // an earlier rule claimed the line (without continue)
	ProgramMismatch                // the rule's own program condition does not hold
	LiteralAbsent                  // the required literal is not in the message
	NoMatch                        // the literal is there, the pattern does not match
	Matched                        // the rule matched: its actions run
)

func (o Outcome) String() string {
	return [...]string{"not tried", "program does not match", "literal absent", "no match", "matched"}[o]
}

// Trial is one rule's result for one line.
type Trial struct {
	Rule     *Rule
	Outcome  Outcome
	Literal  string    // the rule's required literal ("" = none)
	Captures []Capture // Matched: the named (or numbered) groups of the pattern
	Keys     []Effect  // Matched: what the rule adds to the minute
}

// Capture is one group of a match.
type Capture struct {
	Name  string // the group's name, or its number
	Value string
	Set   bool // false: the group did not take part in the match
}

// Effect is one thing a matched rule adds to the minute: "count" (Name +1),
// "top"/"distinct" (Key under Name), "stats" (Key, a number, into Name),
// "ignore".
type Effect struct {
	Kind, Name, Key string
}

// Explanation says, for one parsed line, which category took it and what
// every rule of that category did with it. It uses the same Matcher as
// summarize, so it tells what summarize does.
type Explanation struct {
	Category int // -1: no category took the line
	Trials   []Trial
	Claimed  bool // some rule matched; false: the line is "unknown"
}

// Explain runs rec through the set the way summarize does and records
// every step. It is meant for people (summarize --explain), not for the hot
// path: it allocates.
func (s *Set) Explain(rec *parsers.Record) Explanation {
	m := s.NewMatcher()
	e := Explanation{Category: m.Categorize(rec)}
	if e.Category < 0 {
		return e
	}
	c := s.Categories[e.Category]
	e.Trials = make([]Trial, len(c.Rules))
	for i, r := range c.Rules {
		e.Trials[i] = Trial{Rule: r, Literal: string(r.lit)}
	}
	from := 0
	for from < len(c.Rules) {
		i := m.Match(e.Category, rec, from)
		end := i
		if i < 0 {
			end = len(c.Rules)
		}
		for j := from; j < end; j++ {
			e.Trials[j].Outcome = whyNot(c.Rules[j], rec)
		}
		if i < 0 {
			break
		}
		e.Claimed = true
		t := &e.Trials[i]
		t.Outcome = Matched
		t.Captures = captures(c.Rules[i], rec.Message)
		t.Keys = effects(m, c, c.Rules[i])
		if !c.Rules[i].Continue {
			break
		}
		from = i + 1
	}
	return e
}

// whyNot says why rule r did not match rec (the Matcher said it did not).
func whyNot(r *Rule, rec *parsers.Record) Outcome {
	if len(r.programs) > 0 && !anyGlob(r.programs, rec.Program) {
		return ProgramMismatch
	}
	if len(r.lit) > 0 && !bytes.Contains(rec.Message, r.lit) {
		return LiteralAbsent
	}
	return NoMatch
}

func captures(r *Rule, msg []byte) []Capture {
	if r.re == nil {
		return nil
	}
	loc := r.re.FindSubmatchIndex(msg)
	if loc == nil {
		return nil
	}
	var out []Capture
	for g, name := range r.re.SubexpNames() {
		if g == 0 {
			continue
		}
		if name == "" {
			name = strconv.Itoa(g)
		}
		c := Capture{Name: name}
		if loc[2*g] >= 0 {
			c.Value, c.Set = string(msg[loc[2*g]:loc[2*g+1]]), true
		}
		out = append(out, c)
	}
	return out
}

func effects(m *Matcher, c *Category, r *Rule) []Effect {
	if r.Ignore {
		return []Effect{{Kind: "ignore"}}
	}
	var out []Effect
	for _, idx := range r.Counters {
		out = append(out, Effect{Kind: "count", Name: c.Schema.Counters[idx]})
	}
	for _, a := range r.Tops {
		out = append(out, Effect{Kind: "top", Name: c.Schema.Tops[a.Index].Name, Key: string(m.AppendKey(nil, a.Key))})
	}
	for _, a := range r.Distincts {
		out = append(out, Effect{Kind: "distinct", Name: c.Schema.Distincts[a.Index].Name, Key: string(m.AppendKey(nil, a.Key))})
	}
	for _, a := range r.Stats {
		out = append(out, Effect{Kind: "stats", Name: c.Schema.Stats[a.Index], Key: string(m.AppendKey(nil, a.Key))})
	}
	return out
}

// MatchText describes a category's match block ("program=%ASA-* facility=…"),
// "" when it matches every line.
func (c *Category) MatchText() string {
	var parts []string
	globs := func(key string, gs []*glob) {
		if len(gs) == 0 {
			return
		}
		srcs := make([]string, len(gs))
		for i, g := range gs {
			srcs[i] = g.src
		}
		parts = append(parts, key+"="+strings.Join(srcs, ","))
	}
	globs("program", c.cond.program)
	globs("host", c.cond.host)
	if c.cond.facility != 0 {
		var fs []string
		for f := 0; f < 24; f++ {
			if c.cond.facility&(1<<uint(f)) != 0 {
				fs = append(fs, facility.Name(f))
			}
		}
		parts = append(parts, "facility="+strings.Join(fs, ","))
	}
	if c.cond.severity != 0 {
		var ss []string
		for v := 0; v < 8; v++ {
			if c.cond.severity&(1<<uint(v)) != 0 {
				ss = append(ss, facility.SeverityName(v))
			}
		}
		parts = append(parts, "severity="+strings.Join(ss, ","))
	}
	return strings.Join(parts, " ")
}

// ProgramText is a rule's own program condition, "" when it has none.
func (r *Rule) ProgramText() string {
	srcs := make([]string, len(r.programs))
	for i, g := range r.programs {
		srcs[i] = g.src
	}
	return strings.Join(srcs, ",")
}
