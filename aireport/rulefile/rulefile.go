// Package rulefile connects aireport to summarize's own parser and rule
// file: it strips the header of every input format summarize accepts and
// tells which rule (if any) claims a spooled line, and it converts the
// rule file's masks.
package rulefile

import (
	"time"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
)

// Classifier implements aireport.Classifier with parsers.Parser and, when
// a rule set is given, rules.Matcher.
type Classifier struct {
	p      *parsers.Parser
	set    *rules.Set
	m      *rules.Matcher
	byName map[string]int
	rec    parsers.Record
	file   time.Time // start time of the current spool file
	now    func() time.Time
}

var (
	_ aireport.Classifier  = (*Classifier)(nil)
	_ aireport.FileStarter = (*Classifier)(nil)
)

// New returns a classifier. set may be nil (header stripping only). now is
// the clock used to infer the year of traditional timestamps when the
// input file's own time is unknown; loc the zone of such timestamps.
func New(set *rules.Set, now func() time.Time, loc *time.Location) *Classifier {
	if now == nil {
		now = time.Now
	}
	c := &Classifier{set: set, now: now, byName: map[string]int{}}
	c.p = parsers.New(func() time.Time {
		if !c.file.IsZero() {
			return c.file
		}
		return c.now()
	}, loc)
	if set != nil {
		c.m = set.NewMatcher()
		for i, cat := range set.Categories {
			c.byName[cat.Name] = i
		}
	}
	return c
}

// StartFile notes the spool file's start time: traditional timestamps in it
// get their year from it, not from today.
func (c *Classifier) StartFile(src *aireport.Source) { c.file = src.Time }

// Classify parses line and matches it against the rule file: against the
// category named like the spool directory when there is one, else against
// the category summarize would dispatch the line to.
func (c *Classifier) Classify(category string, line []byte) aireport.Classified {
	err := c.p.Parse(line, &c.rec)
	out := aireport.Classified{
		OK:      err == nil,
		Time:    c.rec.Time,
		Host:    c.rec.Host,
		Program: c.rec.Program,
		Message: c.rec.Message,
	}
	if err != nil {
		out.Program, out.Host = nil, nil
		out.Message = line
	}
	if c.set == nil {
		return out
	}
	cat, ok := c.byName[category]
	if !ok {
		cat = c.m.Categorize(&c.rec)
	}
	if cat < 0 {
		return out
	}
	if i := c.m.Match(cat, &c.rec, 0); i >= 0 {
		r := c.set.Categories[cat].Rules[i]
		out.Rule = r.Name
		out.Ignore = r.Ignore
	}
	return out
}

// Masks converts the rule file's masks.
func Masks(set *rules.Set) []aireport.Mask {
	if set == nil {
		return nil
	}
	out := make([]aireport.Mask, 0, len(set.Masks))
	for _, m := range set.Masks {
		out = append(out, aireport.Mask{Name: m.Name, Regexp: m.Regexp, Replace: m.Replace})
	}
	return out
}
