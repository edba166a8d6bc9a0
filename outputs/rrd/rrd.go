// Package rrd is the RRD output: each closed minute's counters go into one
// RRD file per counter (librrd, through cgo), with an in-process
// Holt-Winters detector per counter that raises alerts (Alert) without
// reading the files back, and Graph renders a counter's file as a PNG for
// rrdgraph. It is the only package of logtally that links C: the engine and
// the other outputs build with CGO_ENABLED=0.
package rrd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/logtally/logtally/holtwinters"
	"github.com/logtally/logtally/tally"
	librrd "github.com/ziutek/rrd"

	"github.com/logtally/logtally/internal/filemode"
)

// ErrRetrying marks an output whose directory could not be written at
// start: New returns it together with a working output, which creates its
// files at the first write of each counter and retries every minute.
// Under rsyslog an exit would only be a restart loop with nothing counted.
var ErrRetrying = errors.New("output not writable yet; retried at every write")

// Config configures the RRD output.
type Config struct {
	// Dir holds one sub-directory per category and one file per counter:
	// Dir/<category>/<counter>.rrd (names sanitized, see docs/rrd.md).
	Dir string
	// Forecast returns the Holt-Winters parameters for a category (the
	// rule file's forecast block). Nil means holtwinters.DefaultParams(1440).
	Forecast func(category string) holtwinters.Params
	// Alert is called, from Write's goroutine, when a counter's failure
	// state turns on or off. It must not block: hand the alert to a
	// buffered sender (syslog at warning severity, JSON lines).
	Alert func(Alert)
	// Builtins also records the summary's lines and unknown totals as
	// series "_lines" and "_unknown".
	Builtins bool
	// MaxGapFill is the longest gap (in minutes) filled with one unknown
	// update per minute; longer gaps become one bulk update and the
	// detector is re-read from the file. Default one week (10080).
	MaxGapFill int
	// FilePerm is the mode of created files, minus the umask (default
	// 0640: counter names and values come from logs).
	FilePerm os.FileMode
	// Workers bounds concurrent rrd_update calls. Default 8.
	Workers int
	Logger  *slog.Logger
}

// Alert is a change of a counter's aberrant-behaviour (FAILURES) state.
type Alert struct {
	Category  string    `json:"category"`
	Counter   string    `json:"counter"`
	Minute    time.Time `json:"minute"` // start of the minute that changed the state
	Observed  float64   `json:"observed"`
	Predicted float64   `json:"predicted"`
	Lower     float64   `json:"lower"` // ŷ − δ₋·d
	Upper     float64   `json:"upper"` // ŷ + δ₊·d
	On        bool      `json:"on"`    // true: failure started; false: cleared
}

// String is the alert's syslog message (sent at warning severity):
// `aberration state=on category=asa counter=http minute=... observed=... predicted=... lower=... upper=...`.
func (a Alert) String() string {
	state := "off"
	if a.On {
		state = "on"
	}
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "U"
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprintf("aberration state=%s category=%s counter=%s minute=%s observed=%s predicted=%s lower=%s upper=%s",
		state, rrdQuote(a.Category), rrdQuote(a.Counter), a.Minute.UTC().Format(time.RFC3339),
		f(a.Observed), f(a.Predicted), f(a.Lower), f(a.Upper))
}

// MarshalJSON writes the JSON-lines record: state "on"/"off", unknown
// numbers as null.
func (a Alert) MarshalJSON() ([]byte, error) {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	state := "off"
	if a.On {
		state = "on"
	}
	return json.Marshal(struct {
		Type      string    `json:"type"`
		State     string    `json:"state"`
		Category  string    `json:"category"`
		Counter   string    `json:"counter"`
		Minute    time.Time `json:"minute"`
		Observed  *float64  `json:"observed"`
		Predicted *float64  `json:"predicted"`
		Lower     *float64  `json:"lower"`
		Upper     *float64  `json:"upper"`
	}{"aberration", state, a.Category, a.Counter, a.Minute.UTC(), num(a.Observed), num(a.Predicted), num(a.Lower), num(a.Upper)})
}

func rrdQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"=") {
		return strconv.Quote(s)
	}
	return s
}

// Stats are the output's counters.
type Stats struct {
	Updates        uint64 // rrd_update calls that succeeded (gap fills included)
	GapFills       uint64 // unknown updates fed for minutes summarize was not running
	ClockBackwards uint64 // minutes skipped because they were not after the file's last update
	LayoutErrors   uint64 // series skipped because the existing file differs
	Errors         uint64 // create/update failures
	Alerts         uint64
}

// Output writes each closed minute's counters into RRD files and runs an
// in-process Holt-Winters detector per counter, identical to the file's
// FAILURES archive, to raise alerts without reading files back.
type Output struct {
	cfg Config
	log *slog.Logger

	series map[rrdKey]*rrdSeries
	files  map[string]rrdKey // sanitized path → owner, for collisions
	stats  Stats
	closed bool

	// newForecast is set by SetForecast (a signal goroutine) and taken by
	// the next Write.
	fmu         sync.Mutex
	newForecast func(category string) holtwinters.Params
}

type rrdKey struct{ category, counter string }

type rrdSeries struct {
	key     rrdKey
	path    string
	params  holtwinters.Params
	updater *librrd.Updater
	model   *holtwinters.Model
	last    int64 // last update time in the file (Unix seconds)
	failing bool  // last reported failure state
	broken  error // layout mismatch or collision: never written

	// per-Write scratch, filled by the worker
	alert    *Alert
	err      error
	updates  uint64
	gapFills uint64
	backward bool
}

// New checks that Dir exists (creating it) and is writable.
func New(cfg Config) (*Output, error) {
	if cfg.Dir == "" {
		return nil, errors.New("rrd output: no directory")
	}
	if cfg.MaxGapFill <= 0 {
		cfg.MaxGapFill = 7 * 1440
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.FilePerm == 0 {
		cfg.FilePerm = filemode.Default
	}
	if cfg.Forecast == nil {
		cfg.Forecast = func(string) holtwinters.Params { return holtwinters.DefaultParams(1440) }
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Output{cfg: cfg, log: log, series: make(map[rrdKey]*rrdSeries), files: make(map[string]rrdKey)}
	if err := rrdCheckWritable(cfg.Dir, filemode.Dir(cfg.FilePerm)); err != nil {
		// Files are created (and the directory made) at the first write
		// of each counter, and retried every minute until that works.
		return r, fmt.Errorf("rrd output: %w: %w", ErrRetrying, err)
	}
	return r, nil
}

// SetForecast replaces the forecast parameters (a reloaded rule file); the
// next Write applies them. A series whose parameters changed is reopened:
// its file is tuned to the new parameters where rrdtool tune can (see
// rrdTunable) and its detector re-read from the file; a new period or
// model changes the file's layout and is reported as ErrRRDLayout until
// the file is moved away, as at start.
func (r *Output) SetForecast(f func(category string) holtwinters.Params) {
	r.fmu.Lock()
	r.newForecast = f
	r.fmu.Unlock()
}

// applyForecast takes a forecast set by SetForecast and drops the series
// whose parameters it changes, so that lookup reopens them.
func (r *Output) applyForecast() {
	r.fmu.Lock()
	f := r.newForecast
	r.newForecast = nil
	r.fmu.Unlock()
	if f == nil {
		return
	}
	r.cfg.Forecast = f
	for key, s := range r.series {
		if f(key.category) != s.params {
			delete(r.series, key)
			delete(r.files, s.path)
		}
	}
}

// narrowMode takes from path's mode every bit perm lacks. librrd creates
// files 0666 minus the umask; this only ever removes bits, so the umask
// still applies.
func narrowMode(path string, perm os.FileMode) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if m := st.Mode().Perm(); m&^perm != 0 {
		return os.Chmod(path, m&perm)
	}
	return nil
}

func rrdCheckWritable(dir string, dirPerm os.FileMode) error {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// rrdSanitize maps a category or counter name to a file name component:
// [A-Za-z0-9_.-] kept, anything else becomes '_', leading dots too.
func rrdSanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok || (c == '.' && i == 0) {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// Path returns the RRD file of a category's counter.
func (r *Output) Path(category, counter string) string { return Path(r.cfg.Dir, category, counter) }

// Stats returns a snapshot of the counters.
func (r *Output) Stats() Stats { return r.stats }

// Failing lists the counters whose detector is currently in failure.
func (r *Output) Failing() []Alert {
	var out []Alert
	for _, s := range r.series {
		if s.failing {
			out = append(out, Alert{Category: s.key.category, Counter: s.key.counter, On: true})
		}
	}
	return out
}

// Write records one closed minute: one rrd_update per file (plus one per
// missed minute when summarize was not running), then steps each
// detector and reports failure-state changes through cfg.Alert.
func (r *Output) Write(minute []tally.Summary) error {
	if r.closed {
		return errors.New("rrd output: write after close")
	}
	r.applyForecast()
	type job struct {
		s *rrdSeries
		t int64
		v float64
	}
	var jobs []job
	var errs []error
	for i := range minute {
		sum := &minute[i]
		if sum.Partial {
			// An RRD row is a whole minute: a partial one (SIGUSR1, or the
			// open minute at exit) would be stored as if it were complete,
			// and the same minute could not be updated again. With a
			// checkpoint the open minute is continued after a restart.
			continue
		}
		t := sum.Minute.UTC().Truncate(time.Minute).Add(time.Minute).Unix()
		add := func(counter string, v uint64) {
			s, err := r.lookup(sum.Category, counter, sum.Minute)
			if err != nil {
				errs = append(errs, err)
				return
			}
			if s.broken != nil {
				return
			}
			jobs = append(jobs, job{s, t, float64(v)})
		}
		for _, c := range sum.Counters {
			add(c.Name, c.Value)
		}
		if r.cfg.Builtins {
			add("_lines", sum.Lines)
			add("_unknown", sum.Unknown)
		}
	}
	// rrd_update_r is thread-safe across files: update them in parallel.
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.cfg.Workers)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.update(j.s, j.t, j.v)
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		s := j.s
		r.stats.Updates += s.updates
		r.stats.GapFills += s.gapFills
		if s.backward {
			r.stats.ClockBackwards++
			r.log.Warn("rrd: minute not after the file's last update, skipped",
				"file", s.path, "minute", time.Unix(j.t-rrdStep, 0).UTC(), "last", time.Unix(s.last, 0).UTC(),
				"skipped_total", r.stats.ClockBackwards)
		}
		if s.err != nil {
			r.stats.Errors++
			errs = append(errs, s.err)
		}
		if s.alert != nil {
			r.stats.Alerts++
			if r.cfg.Alert != nil {
				r.cfg.Alert(*s.alert)
			}
		}
		s.alert, s.err, s.updates, s.gapFills, s.backward = nil, nil, 0, 0, false
	}
	return rrdJoinErrors(errs)
}

func rrdJoinErrors(errs []error) error {
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Errorf("and %d more rrd errors", len(errs)-5))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("rrd output: %w", errors.Join(errs...))
}

// lookup finds or opens/creates the series of a counter.
func (r *Output) lookup(category, counter string, minute time.Time) (*rrdSeries, error) {
	key := rrdKey{category, counter}
	if s, ok := r.series[key]; ok {
		return s, nil
	}
	s := &rrdSeries{key: key, path: r.Path(category, counter), params: r.cfg.Forecast(category)}
	r.series[key] = s
	if owner, ok := r.files[s.path]; ok {
		s.broken = fmt.Errorf("rrd output: %q/%q and %q/%q both map to %s; rename one", owner.category, owner.counter, category, counter, s.path)
		r.stats.Errors++
		return s, s.broken
	}
	r.files[s.path] = key
	if err := s.params.Validate(); err != nil {
		s.broken = fmt.Errorf("rrd output: category %s: %w", category, err)
		return s, s.broken
	}
	if err := r.open(s, minute); err != nil {
		delete(r.series, key) // retry next minute (e.g. directory became writable)
		delete(r.files, s.path)
		if errors.Is(err, ErrLayout) {
			r.series[key], r.files[s.path] = s, key
			s.broken = err
			r.stats.LayoutErrors++
		} else {
			r.stats.Errors++
		}
		return s, err
	}
	return s, nil
}

// open creates the file on first use or checks an existing one, then
// loads the detector from the file itself.
func (r *Output) open(s *rrdSeries, minute time.Time) error {
	st, err := os.Stat(s.path)
	if err == nil && st.Size() == 0 {
		// An empty file is what a create on a full disk leaves behind
		// (older versions did not remove it): never an RRD, make it again.
		if err = os.Remove(s.path); err == nil {
			err = fs.ErrNotExist
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(s.path), filemode.Dir(r.cfg.FilePerm)); err != nil {
			return fmt.Errorf("rrd output: %w", err)
		}
		// The first update is the end of this minute; the file starts one
		// step before it.
		err := rrdCreate(s.path, s.params, minute.UTC().Truncate(time.Minute))
		if err == nil {
			err = narrowMode(s.path, r.cfg.FilePerm)
		}
		if err != nil {
			// A full disk leaves a truncated file: remove it so that the
			// next minute creates it again instead of finding it broken.
			_ = os.Remove(s.path)
			return fmt.Errorf("rrd output: %w", err)
		}
	case err != nil:
		return fmt.Errorf("rrd output: %w", err)
	}
	m, last, err := holtwinters.FromRRDFile(s.path, rrdDS)
	if err != nil {
		if errors.Is(err, holtwinters.ErrRRDFile) {
			return fmt.Errorf("%w: %w", ErrLayout, err)
		}
		return fmt.Errorf("rrd output: %w", err)
	}
	if fp := m.Params(); fp != s.params && rrdTunable(fp, s.params) {
		// The rule file's forecast changed what rrdtool tune can change.
		if err := rrdTune(s.path, s.params); err != nil {
			return fmt.Errorf("rrd output: %w", err)
		}
		r.log.Info("rrd: file tuned to the rule file's forecast", "file", s.path, "was", rrdFmtParams(fp), "now", rrdFmtParams(s.params))
		if m, last, err = holtwinters.FromRRDFile(s.path, rrdDS); err != nil {
			return fmt.Errorf("rrd output: %w", err)
		}
	}
	if err := rrdCheckLayout(s.path, s.params, m.Params()); err != nil {
		return err
	}
	s.model, s.last, s.failing = m, last, m.Failing()
	s.updater = librrd.NewUpdater(s.path)
	return nil
}

// update runs in a worker goroutine; it touches only s.
func (r *Output) update(s *rrdSeries, t int64, v float64) {
	if t <= s.last {
		s.backward = true
		return
	}
	gap := (t - s.last) / rrdStep // steps since the last update, this one included
	if gap-1 > int64(r.cfg.MaxGapFill) {
		// One bulk update skips the gap (RRDtool marks it unknown, clears
		// the failure history); re-read the detector from the file.
		if err := s.updater.Update(strconv.FormatInt(t-rrdStep, 10) + ":U"); err != nil {
			s.err = fmt.Errorf("rrd update %s: %w", s.path, err)
			return
		}
		s.updates++
		m, last, err := holtwinters.FromRRDFile(s.path, rrdDS)
		if err != nil {
			s.err = err
			return
		}
		s.model, s.last = m, last
		s.failing = m.Failing()
	} else {
		for ts := s.last + rrdStep; ts < t; ts += rrdStep {
			if !r.step(s, ts, math.NaN(), false) {
				return
			}
			s.gapFills++
		}
	}
	r.step(s, t, v, true)
}

// step is one rrd_update call and one detector step. Alerts compare the
// failure state with the last reported one on observed minutes only: an
// unknown minute counts as a violation in RRDtool, and a restart after a
// pause must not page anyone by itself.
func (r *Output) step(s *rrdSeries, ts int64, v float64, observed bool) bool {
	if err := s.updater.Update(strconv.FormatInt(ts, 10) + ":" + rrdValue(v)); err != nil {
		s.err = fmt.Errorf("rrd update %s: %w", s.path, err)
		return false
	}
	s.updates++
	s.last = ts
	res := s.model.Step(holtwinters.FileValue(v, rrdStep)) // what librrd made of rrdValue(v)
	if observed && res.Failure != s.failing {
		s.failing = res.Failure
		s.alert = &Alert{
			Category: s.key.category, Counter: s.key.counter,
			Minute:   time.Unix(ts-rrdStep, 0).UTC(),
			Observed: v, Predicted: res.Prediction, Lower: res.Lower, Upper: res.Upper,
			On: res.Failure,
		}
	}
	return true
}

// Close releases the files. The RRDs are complete after every Write;
// detectors need no checkpoint because they are re-read from the files.
func (r *Output) Close() error {
	r.closed = true
	r.series = nil
	return nil
}

// Detector returns a copy of a counter's in-process detector state
// (MarshalBinary-able), or nil.
func (r *Output) Detector(category, counter string) *holtwinters.Model {
	s, ok := r.series[rrdKey{category, counter}]
	if !ok || s.model == nil {
		return nil
	}
	b, _ := s.model.MarshalBinary()
	m := new(holtwinters.Model)
	if m.UnmarshalBinary(b) != nil {
		return nil
	}
	return m
}

// Path is the file the RRD output writes for a category's counter
// under dir.
func Path(dir, category, counter string) string {
	return filepath.Join(dir, rrdSanitize(category), rrdSanitize(counter)+".rrd")
}
