// Package dashboard is the read-only live dashboard over what summarize and
// aireport already wrote: the per-counter RRD files (series, Holt-Winters
// bands, failures), the JSON-lines summaries and aberration alerts, and
// aireport's JSON reports. It never reads raw logs and keeps no state of
// its own, so it survives summarize's restarts; cmd/dashboard serves it.
//
// A Dashboard answers the JSON API's questions (Overview, Category,
// Alerts, Unknown); Server (server.go) turns them into HTML pages and
// JSON. Everything taken from logs (top-N keys, templates, examples,
// category and counter names) is attacker-controlled text: pages escape
// it with html/template, and no URL reaches a file that is not a known
// counter's RRD or the newest report.
package dashboard

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/logtally/logtally/aireport"
)

// Config says where summarize's and aireport's files are.
type Config struct {
	RRDDir     string   // summarize --rrd-dir
	JSONFiles  []string // summarize --json files (summaries and alerts)
	ReportsDir string   // directory of aireport -f json (and -f html) reports
	// History is how long statistics percentiles are kept in memory for
	// their charts (counters come from the RRD files, any range). Default 6h.
	History time.Duration
	// OverviewSpan is how far back the overview's charts go. Default 6h.
	OverviewSpan time.Duration
	// StaleAfter: when the newest minute is older than this (by Now), the
	// pages say that summarize may not be running. Zero means 5m, a
	// negative value never (replayed data).
	StaleAfter time.Duration
	Now        func() time.Time
}

// Dashboard reads the configured files; its methods are safe for
// concurrent use. Poll must be called (by one goroutine) to see new data.
type Dashboard struct {
	cfg  Config
	sums *summaries
	rrd  *rrdReader
	reps *reports
}

// New checks the configuration and returns a Dashboard; the first Poll
// reads the files.
func New(cfg Config) (*Dashboard, error) {
	if cfg.RRDDir == "" && len(cfg.JSONFiles) == 0 && cfg.ReportsDir == "" {
		return nil, errors.New("dashboard: nothing to show: give an RRD directory, a JSON-lines file or a reports directory")
	}
	if cfg.History <= 0 {
		cfg.History = 6 * time.Hour
	}
	if cfg.OverviewSpan <= 0 {
		cfg.OverviewSpan = 6 * time.Hour
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dashboard{
		cfg:  cfg,
		sums: newSummaries(cfg.JSONFiles, cfg.History),
		rrd:  newRRDReader(),
		reps: &reports{dir: cfg.ReportsDir},
	}, nil
}

// Poll reads what summarize appended since the last call.
func (d *Dashboard) Poll() error { return d.sums.poll() }

// Version changes whenever the data behind the pages may have changed: a
// new JSON line or a new report. Live pages reload their data when it does.
func (d *Dashboard) Version() string {
	d.sums.mu.RLock()
	v := d.sums.version
	d.sums.mu.RUnlock()
	_, mtime := newestFile(d.cfg.ReportsDir, ".json")
	return fmt.Sprintf("%d-%d", v, mtime.UnixNano())
}

// State is a category's current condition.
type State string

// The states a category can be in.
const (
	StateNormal   State = "normal"   // data arrives, no counter in failure
	StateAberrant State = "aberrant" // some counter's Holt-Winters failure is on
	StateSilent   State = "silent"   // the latest minute had no lines
)

// NamedValue is a counter's value in a minute.
type NamedValue struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// CategoryOverview is one row of the overview.
type CategoryOverview struct {
	Name     string       `json:"name"`
	State    State        `json:"state"`
	Minute   *time.Time   `json:"minute,omitempty"` // latest summary's minute
	Partial  bool         `json:"partial,omitempty"`
	Lines    *uint64      `json:"lines,omitempty"`
	Matched  *uint64      `json:"matched,omitempty"`
	Unknown  *uint64      `json:"unknown,omitempty"`
	Counters []NamedValue `json:"counters"`
	Failing  []string     `json:"failing"` // counters whose latest alert is "on"
	// Series is lines per minute (the _lines RRD, or the first counter's
	// when summarize was not run with its built-in series), from the
	// first minute the file has, at most OverviewSpan back; the band with
	// 4 significant digits (/api/series has them all).
	Series *Series `json:"series,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Overview is every category at a glance.
type Overview struct {
	Generated  time.Time          `json:"generated"`
	Newest     *time.Time         `json:"newest_minute,omitempty"`
	Stale      bool               `json:"stale"` // the newest minute is older than StaleAfter
	Categories []CategoryOverview `json:"categories"`
	Failing    int                `json:"failing"` // counters in failure, all categories
	BadLines   int                `json:"bad_lines"`
}

// stale says whether the newest minute is too old for a live summarize.
func (d *Dashboard) stale(newest time.Time) bool {
	return d.cfg.StaleAfter > 0 && d.cfg.Now().Sub(newest.Add(time.Minute)) > d.cfg.StaleAfter
}

// snapshot copies what a view needs from the summaries under the lock.
type snapshot struct {
	latest  map[string]*Summary
	recent  map[string][]*Summary
	stats   map[string][]statPoint
	alerts  []Alert
	newest  time.Time
	badLine int
}

func (d *Dashboard) snapshot(category string) snapshot {
	s := d.sums
	s.mu.RLock()
	defer s.mu.RUnlock()
	sn := snapshot{latest: map[string]*Summary{}, recent: map[string][]*Summary{}, stats: map[string][]statPoint{},
		alerts: s.alerts, newest: s.newest, badLine: s.bad}
	for name, c := range s.categories {
		sn.latest[name] = c.latest
		if name == category {
			sn.recent[name] = append([]*Summary(nil), c.recent...)
			sn.stats[name] = append([]statPoint(nil), c.stats...)
		}
	}
	return sn
}

// categoryNames is the union of the categories with summaries and those
// with an RRD directory, sorted; logtally's own category comes last.
func (d *Dashboard) categoryNames(sn snapshot) []string {
	seen := map[string]bool{}
	var names []string
	for name := range sn.latest {
		seen[name] = true
		seen[fileName(name)] = true
		names = append(names, name)
	}
	if d.cfg.RRDDir != "" {
		for _, dir := range listNames(d.cfg.RRDDir, true) {
			if !seen[dir] {
				seen[dir] = true
				names = append(names, dir)
			}
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "logtally") != (names[j] == "logtally") {
			return names[j] == "logtally"
		}
		return names[i] < names[j]
	})
	return names
}

// failing returns, per category, the counters whose newest alert is "on".
func failing(alerts []Alert) map[string][]string {
	state := map[[2]string]bool{}
	var order [][2]string
	for _, a := range alerts {
		k := [2]string{a.Category, a.Counter}
		if _, ok := state[k]; !ok {
			order = append(order, k)
		}
		state[k] = a.State == "on"
	}
	out := map[string][]string{}
	for _, k := range order {
		if state[k] {
			out[k[0]] = append(out[k[0]], k[1])
		}
	}
	return out
}

func stateOf(latest *Summary, failingCounters []string, series *Series) State {
	if len(failingCounters) > 0 {
		return StateAberrant
	}
	if latest != nil {
		if latest.Lines == 0 {
			return StateSilent
		}
		return StateNormal
	}
	if series != nil {
		if v := lastKnown(series.Value); v == 0 {
			return StateSilent
		}
	}
	return StateNormal
}

// lastKnown is the newest non-NaN value, or NaN.
func lastKnown(v []float64) float64 {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == v[i] {
			return v[i]
		}
	}
	return nan
}

// rrdPath returns a known counter's file. Names come from the summaries or
// from listing the RRD directory, never from a URL unchecked.
func (d *Dashboard) rrdPath(category, counter string) string {
	if d.cfg.RRDDir == "" {
		return ""
	}
	return filepath.Join(d.cfg.RRDDir, fileName(category), fileName(counter)+rrdExt)
}

// Overview builds the overview: every category's state, latest minute and
// lines-per-minute chart with its band and failures.
func (d *Dashboard) Overview() *Overview { return d.overview(true) }

// overview without series names the charts' counters but reads no RRD
// data for categories with summaries: the HTML page's script fetches the
// series from the API anyway.
func (d *Dashboard) overview(withSeries bool) *Overview {
	sn := d.snapshot("")
	now := d.cfg.Now()
	ov := &Overview{Generated: now.UTC(), BadLines: sn.badLine}
	if !sn.newest.IsZero() {
		n := sn.newest
		ov.Newest = &n
		ov.Stale = d.stale(n)
	}
	fail := failing(sn.alerts)
	names := d.categoryNames(sn)
	ov.Categories = make([]CategoryOverview, len(names))
	span := Range{Name: "overview", Span: d.cfg.OverviewSpan, Step: time.Minute}
	parallel(len(names), func(i int) {
		name := names[i]
		co := CategoryOverview{Name: name, Failing: fail[name], Counters: []NamedValue{}}
		if co.Failing == nil {
			co.Failing = []string{}
		}
		if s := sn.latest[name]; s != nil {
			m := s.Minute
			lines, matched, unknown := s.Lines, s.Matched, s.Unknown
			co.Minute, co.Partial, co.Lines, co.Matched, co.Unknown = &m, s.Partial, &lines, &matched, &unknown
			for _, c := range s.Order {
				co.Counters = append(co.Counters, NamedValue{c, s.Counters[c]})
			}
		}
		if d.cfg.RRDDir != "" {
			counter := linesName
			files := listNames(filepath.Join(d.cfg.RRDDir, fileName(name)), false)
			if !contains(files, linesName) && len(files) > 0 {
				counter = files[0]
				if s := sn.latest[name]; s != nil && len(s.Order) > 0 && contains(files, fileName(s.Order[0])) {
					counter = s.Order[0]
				}
			}
			// Without a summary, the state comes from the series: read it.
			if len(files) > 0 && !withSeries && sn.latest[name] != nil {
				co.Series = &Series{Category: name, Counter: counter}
			} else if len(files) > 0 {
				series, err := d.rrd.readSeries(d.rrdPath(name, counter), name, counter, time.Time{}, span)
				if err != nil {
					co.Error = err.Error()
				} else {
					co.Series = trimUnknownStart(series)
					// A sparkline needs no more: halves the overview's JSON.
					for _, f := range []Floats{co.Series.Predicted, co.Series.Lower, co.Series.Upper} {
						roundSignificant(f, 4)
					}
				}
			}
		}
		co.State = stateOf(sn.latest[name], co.Failing, co.Series)
		ov.Categories[i] = co
	})
	for _, c := range ov.Categories {
		ov.Failing += len(c.Failing)
	}
	return ov
}

// trimUnknownStart drops the leading minutes that have neither a value nor
// a prediction (before the file's first update), so that a young category's
// sparkline uses the whole width.
func trimUnknownStart(s *Series) *Series {
	n := 0
	for n < len(s.Value)-1 && math.IsNaN(s.Value[n]) && (len(s.Predicted) == 0 || math.IsNaN(s.Predicted[n])) {
		n++
	}
	if n == 0 {
		return s
	}
	cut := func(f Floats) Floats {
		if len(f) == 0 {
			return f
		}
		return f[n:]
	}
	s.Start += int64(n) * s.Step
	s.Value, s.Predicted, s.Lower, s.Upper, s.Failures = cut(s.Value), cut(s.Predicted), cut(s.Lower), cut(s.Upper), cut(s.Failures)
	return s
}

// roundSignificant rounds each number to digits significant digits.
func roundSignificant(f Floats, digits int) {
	for i, v := range f {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		scale := math.Pow10(digits - 1 - int(math.Floor(math.Log10(math.Abs(v)))))
		f[i] = math.Round(v*scale) / scale
	}
}

// parallel runs f(0..n-1) on a few goroutines: RRD reads are file I/O and
// cgo calls, worth overlapping even on two CPUs.
func parallel(n int, f func(i int)) {
	workers := min(2*runtime.GOMAXPROCS(0), 8, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Unknown is the latest unknown-log report.
type Unknown struct {
	File   string           `json:"file,omitempty"` // the report's file name
	HTML   string           `json:"html,omitempty"` // its HTML page's file name, if any
	Report *aireport.Report `json:"report"`         // nil: no report yet
}

// Unknown returns aireport's newest report, each section's NEW groups first.
func (d *Dashboard) Unknown() (*Unknown, error) {
	rep, file, html, err := d.reps.latest()
	if err != nil {
		return nil, err
	}
	return &Unknown{File: file, HTML: html, Report: rep}, nil
}
