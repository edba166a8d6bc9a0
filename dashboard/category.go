package dashboard

import (
	"errors"
	"math"
	"path/filepath"
	"sort"
	"time"
)

var nan = math.NaN()

// ErrNotFound is returned for a category or counter the dashboard does not
// know.
var ErrNotFound = errors.New("not found")

// CounterView is one counter of a category page: its series over the range
// and a summary of it that reads without the chart.
type CounterView struct {
	Name     string   `json:"name"`
	Latest   *float64 `json:"latest,omitempty"` // the latest summary's value
	Series   *Series  `json:"series,omitempty"`
	Last     *float64 `json:"last,omitempty"` // newest known value of the series
	Min      *float64 `json:"min,omitempty"`
	Mean     *float64 `json:"mean,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Failures int      `json:"failure_points"` // points of the range in failure
	Error    string   `json:"error,omitempty"`
}

// TopView is a top-N table: the latest minute's, or summed over the last hour.
type TopView struct {
	Name  string    `json:"name"`
	Items []TopItem `json:"items"`
	Other uint64    `json:"other"`
	Total uint64    `json:"total"`
}

// StatView is one statistic: the latest minute and percentiles over the
// history window (Times are minute starts, Unix seconds).
type StatView struct {
	Name   string    `json:"name"`
	Latest StatValue `json:"latest"`
	Times  []int64   `json:"times"`
	P50    Floats    `json:"p50"`
	P95    Floats    `json:"p95"`
	P99    Floats    `json:"p99"`
}

// CategoryView is everything of one category.
type CategoryView struct {
	Name      string        `json:"name"`
	State     State         `json:"state"`
	Range     string        `json:"range"`
	Latest    *Summary      `json:"latest,omitempty"`
	Counters  []CounterView `json:"counters"`
	Distinct  []NamedValue  `json:"distinct"`
	TopLatest []TopView     `json:"top_latest"`
	TopHour   []TopView     `json:"top_hour"`
	HourFrom  *time.Time    `json:"top_hour_from,omitempty"` // first minute summed in TopHour
	Stats     []StatView    `json:"stats"`
	Alerts    []Alert       `json:"alerts"` // this category's, newest first
	Failing   []string      `json:"failing"`
}

// Category builds a category page over the named range (see Ranges).
func (d *Dashboard) Category(name string, rg Range) (*CategoryView, error) {
	sn := d.snapshot(name)
	if !contains(d.categoryNames(sn), name) {
		return nil, ErrNotFound
	}
	latest := sn.latest[name]
	v := &CategoryView{Name: name, Range: rg.Name, Latest: latest, Failing: failing(sn.alerts)[name],
		Counters: []CounterView{}, Distinct: []NamedValue{}, TopLatest: []TopView{}, TopHour: []TopView{},
		Stats: []StatView{}, Alerts: []Alert{}}
	if v.Failing == nil {
		v.Failing = []string{}
	}

	// Counters: the built-in series, then the rule file's order, then any
	// other file in the category's directory.
	var names []string
	seen := map[string]bool{}
	var files []string
	if d.cfg.RRDDir != "" {
		files = listNames(filepath.Join(d.cfg.RRDDir, fileName(name)), false)
	}
	add := func(n string) {
		if !seen[fileName(n)] {
			seen[fileName(n)] = true
			names = append(names, n)
		}
	}
	for _, n := range []string{linesName, unknownRRD} {
		if contains(files, n) {
			add(n)
		}
	}
	if latest != nil {
		for _, n := range latest.Order {
			add(n)
		}
	}
	for _, n := range files {
		add(n)
	}
	// The series of all counters end together, at the category's newest
	// update, so the charts line up.
	var end time.Time
	for _, n := range names {
		if contains(files, fileName(n)) {
			if h, err := d.rrd.header(d.rrdPath(name, n)); err == nil && h.lastUpdate.After(end) {
				end = h.lastUpdate
			}
		}
	}
	v.Counters = make([]CounterView, len(names))
	parallel(len(names), func(i int) {
		n := names[i]
		cv := CounterView{Name: n}
		if latest != nil {
			if x, ok := latest.Counters[n]; ok {
				cv.Latest = &x
			}
		}
		if contains(files, fileName(n)) {
			s, err := d.rrd.readSeries(d.rrdPath(name, n), name, n, end, rg)
			if err != nil {
				cv.Error = err.Error()
			} else {
				cv.Series = s
				describe(&cv)
			}
		}
		v.Counters[i] = cv
	})
	var lines *Series
	if len(v.Counters) > 0 {
		lines = v.Counters[0].Series
	}
	v.State = stateOf(latest, v.Failing, lines)

	if latest != nil {
		for _, n := range sortedKeys(latest.Distinct) {
			v.Distinct = append(v.Distinct, NamedValue{n, float64(latest.Distinct[n].Value)})
		}
		for _, n := range sortedKeys(latest.Top) {
			t := latest.Top[n]
			v.TopLatest = append(v.TopLatest, TopView{n, t.Items, t.Other, t.Total})
		}
		recent := sn.recent[name]
		if len(recent) > 0 {
			from := recent[0].Minute
			v.HourFrom = &from
		}
		for _, n := range sortedKeys(latest.Top) {
			v.TopHour = append(v.TopHour, sumTop(n, recent, 2*len(latest.Top[n].Items)))
		}
		stats := sn.stats[name]
		for _, n := range sortedKeys(latest.Stats) {
			sv := StatView{Name: n, Latest: latest.Stats[n]}
			for _, p := range stats {
				pct, ok := p.get(n)
				if !ok {
					continue
				}
				sv.Times = append(sv.Times, p.minute.Unix())
				sv.P50 = append(sv.P50, pct[0])
				sv.P95 = append(sv.P95, pct[1])
				sv.P99 = append(sv.P99, pct[2])
			}
			v.Stats = append(v.Stats, sv)
		}
	}
	for i := len(sn.alerts) - 1; i >= 0 && len(v.Alerts) < 100; i-- {
		if sn.alerts[i].Category == name {
			v.Alerts = append(v.Alerts, sn.alerts[i])
		}
	}
	return v, nil
}

// describe fills a counter's last, min, mean, max and failure count.
func describe(cv *CounterView) {
	s := cv.Series
	lo, hi, sum, n := math.Inf(1), math.Inf(-1), 0.0, 0
	for _, x := range s.Value {
		if math.IsNaN(x) {
			continue
		}
		lo, hi, sum, n = math.Min(lo, x), math.Max(hi, x), sum+x, n+1
	}
	if n > 0 {
		last, mean := lastKnown(s.Value), sum/float64(n)
		cv.Last, cv.Min, cv.Mean, cv.Max = &last, &lo, &mean, &hi
	}
	for _, f := range s.Failures {
		if f == 1 {
			cv.Failures++
		}
	}
}

// sumTop adds a table's items over the minutes (space-saving tables of
// different minutes add: each key's count and error bound, other, total)
// and keeps the k (at least 50) largest; the rest is added to other.
func sumTop(name string, minutes []*Summary, k int) TopView {
	type acc struct{ count, err uint64 }
	keys := map[string]*acc{}
	tv := TopView{Name: name, Items: []TopItem{}}
	for _, s := range minutes {
		t, ok := s.Top[name]
		if !ok {
			continue
		}
		tv.Other += t.Other
		tv.Total += t.Total
		for _, it := range t.Items {
			a := keys[it.Key]
			if a == nil {
				a = &acc{}
				keys[it.Key] = a
			}
			a.count += it.Count
			a.err += it.Error
		}
	}
	for key, a := range keys {
		tv.Items = append(tv.Items, TopItem{Key: key, Count: a.count, Error: a.err})
	}
	sort.Slice(tv.Items, func(i, j int) bool {
		if tv.Items[i].Count != tv.Items[j].Count {
			return tv.Items[i].Count > tv.Items[j].Count
		}
		return tv.Items[i].Key < tv.Items[j].Key
	})
	k = max(k, 50)
	if len(tv.Items) > k {
		for _, it := range tv.Items[k:] {
			tv.Other += it.Count
		}
		tv.Items = tv.Items[:k]
	}
	return tv
}

func deref(p *float64) float64 {
	if p == nil {
		return nan
	}
	return *p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AlertSpan is a period a counter was in failure: from the "on" record's
// minute to the "off" record's (nil while still on).
type AlertSpan struct {
	Category string     `json:"category"`
	Counter  string     `json:"counter"`
	On       time.Time  `json:"on"`
	Off      *time.Time `json:"off,omitempty"`
	Minutes  int        `json:"minutes,omitempty"` // Off − On, when closed
	Peak     *float64   `json:"observed_at_on,omitempty"`
}

// Alerts is the alerts timeline: every record, newest first, and the
// failure periods they delimit.
type Alerts struct {
	Records []Alert     `json:"records"`
	Spans   []AlertSpan `json:"spans"`
	Failing int         `json:"failing"`
	// Timeline places each counter's failure periods on one time axis
	// (From … To) for the page's drawing; not part of the JSON API.
	Timeline []TimelineRow `json:"-"`
	From, To time.Time     `json:"-"`
}

// TimelineRow is one counter's failure periods as fractions of the
// timeline's width (0…1000).
type TimelineRow struct {
	Category, Counter string
	Bars              []TimelineBar
}

// TimelineBar is one failure period on the timeline.
type TimelineBar struct {
	X, W  float64
	Title string
}

// Alerts returns the last limit alert records (newest first) and their spans.
func (d *Dashboard) Alerts(limit int) *Alerts {
	sn := d.snapshot("")
	out := &Alerts{Records: []Alert{}, Spans: []AlertSpan{}}
	open := map[[2]string]int{} // index into Spans of a span still on
	for _, a := range sn.alerts {
		k := [2]string{a.Category, a.Counter}
		switch a.State {
		case "on":
			if _, ok := open[k]; ok {
				continue // already on: a repeated record after a restart
			}
			open[k] = len(out.Spans)
			out.Spans = append(out.Spans, AlertSpan{Category: a.Category, Counter: a.Counter, On: a.Minute, Peak: a.Observed})
		case "off":
			if i, ok := open[k]; ok {
				off := a.Minute
				out.Spans[i].Off = &off
				out.Spans[i].Minutes = int(off.Sub(out.Spans[i].On) / time.Minute)
				delete(open, k)
			}
		}
	}
	out.Failing = len(open)
	out.timeline(sn.newest)
	for i, j := 0, len(out.Spans)-1; i < j; i, j = i+1, j-1 {
		out.Spans[i], out.Spans[j] = out.Spans[j], out.Spans[i]
	}
	for i := len(sn.alerts) - 1; i >= 0 && len(out.Records) < limit; i-- {
		out.Records = append(out.Records, sn.alerts[i])
	}
	return out
}

// timeline lays the spans (oldest first, before the newest-first reversal)
// on one axis from the first "on" to the last "off" or, while a failure is
// still on, the newest summary minute.
func (a *Alerts) timeline(newest time.Time) {
	if len(a.Spans) == 0 {
		return
	}
	from, to := a.Spans[0].On, a.Spans[0].On
	for _, s := range a.Spans {
		end := s.On.Add(time.Minute)
		if s.Off != nil {
			end = *s.Off
		} else if newest.After(end) {
			end = newest.Add(time.Minute)
		}
		if end.After(to) {
			to = end
		}
	}
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	a.From, a.To = from, to
	width := float64(to.Sub(from))
	rows := map[[2]string]int{}
	for _, s := range a.Spans {
		k := [2]string{s.Category, s.Counter}
		i, ok := rows[k]
		if !ok {
			i = len(a.Timeline)
			rows[k] = i
			a.Timeline = append(a.Timeline, TimelineRow{Category: s.Category, Counter: s.Counter})
		}
		end := to
		title := s.On.UTC().Format("2006-01-02 15:04Z") + " – still on"
		if s.Off != nil {
			end = *s.Off
			title = s.On.UTC().Format("2006-01-02 15:04Z") + " – " + s.Off.UTC().Format("15:04Z")
		}
		x := 1000 * float64(s.On.Sub(from)) / width
		w := max(1000*float64(end.Sub(s.On))/width, 2) // visible even when short
		a.Timeline[i].Bars = append(a.Timeline[i].Bars, TimelineBar{X: x, W: w, Title: title})
	}
}
