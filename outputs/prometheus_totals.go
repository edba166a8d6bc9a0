package outputs

import (
	"slices"
	"time"

	"github.com/logtally/logtally/tally"
)

// promTotals keeps the cumulative counters of the Prometheus output, per
// category: the sum of every minute before the latest one (base) plus the
// latest minute's own counts (cur). A minute emitted again (SIGUSR1's
// partial snapshot, then the whole minute) replaces cur instead of adding
// to it, so each minute is counted once and the totals never go down.
type promTotals map[string]*categoryTotals

type categoryTotals struct {
	curMinute time.Time
	base, cur lineTotals
	names     []string // rule counter names in the order first seen
	baseEv    map[string]uint64
	curEv     map[string]uint64
}

type lineTotals [len(lineCounts)]uint64

func (t promTotals) add(minute []tally.Summary) {
	for i := range minute {
		s := &minute[i]
		c := t[s.Category]
		if c == nil {
			c = &categoryTotals{curMinute: s.Minute, baseEv: map[string]uint64{}, curEv: map[string]uint64{}}
			t[s.Category] = c
		}
		switch {
		case s.Minute.After(c.curMinute): // a new minute: the latest one is final
			for k := range c.base {
				c.base[k] += c.cur[k]
			}
			for n, v := range c.curEv {
				c.baseEv[n] += v
			}
			c.curMinute = s.Minute
		case s.Minute.Before(c.curMinute): // an older minute (not expected): count it as final
			for k, lc := range lineCounts {
				c.base[k] += lc.value(s)
			}
			for _, v := range s.Counters {
				c.note(v.Name)
				c.baseEv[v.Name] += v.Value
			}
			continue
		}
		for k, lc := range lineCounts {
			c.cur[k] = lc.value(s)
		}
		clear(c.curEv)
		for _, v := range s.Counters {
			c.note(v.Name)
			c.curEv[v.Name] = v.Value
		}
	}
}

func (c *categoryTotals) note(name string) {
	if _, ok := c.baseEv[name]; !ok {
		c.baseEv[name] = 0
		c.names = append(c.names, name)
	}
}

// appendTo writes the counter families, categories sorted by name.
func (t promTotals) appendTo(dst []byte) []byte {
	w := promWriter{dst: dst}
	cats := make([]string, 0, len(t))
	for name := range t {
		cats = append(cats, name)
	}
	slices.Sort(cats)
	for k, lc := range lineCounts {
		name := lc.name + "_total"
		w.family(name, "counter", lc.help+" since summarize started.")
		for _, cat := range cats {
			c := t[cat]
			w.sample(name, float64(c.base[k]+c.cur[k]), "category", cat)
		}
	}
	w.family("logtally_events_total", "counter", "Lines a rule counted (count: NAME) since summarize started.")
	for _, cat := range cats {
		c := t[cat]
		for _, n := range c.names {
			w.sample("logtally_events_total", float64(c.baseEv[n]+c.curEv[n]), "category", cat, "name", n)
		}
	}
	return w.dst
}
