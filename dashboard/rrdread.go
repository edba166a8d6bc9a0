package dashboard

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ziutek/rrd"
)

// The RRD layout summarize writes (docs/rrd.md): one file per counter,
// <dir>/<category>/<counter>.rrd, data source "value", step 60 s, AVERAGE
// at 1 min / 5 min / 1 h, Holt-Winters archives at 1 min. The reader does
// not rely on the archive order: librrd picks the archive by CF and step.
const (
	rrdDS      = "value"
	rrdStep    = 60
	rrdExt     = ".rrd"
	linesName  = "_lines"   // the summary's lines total (summarize --rrd-dir)
	unknownRRD = "_unknown" // the summary's unknown total
)

// Floats marshals NaN as JSON null, which is what charting code expects
// for a missing point.
type Floats []float64

// MarshalJSON writes the numbers compactly, NaN and ±Inf as null.
func (f Floats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(f)*6)
	b = append(b, '[')
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, v, 'g', 10, 64)
	}
	return append(b, ']'), nil
}

// Series is one counter over a time range: Value[i] is the minute (or
// 5-minute, or hour) starting at Start + i·Step (Unix seconds). The band and
// failures are present only where the file keeps them (the last
// 1-minute archive's rows, two days by default).
type Series struct {
	Category   string    `json:"category"`
	Counter    string    `json:"counter"`
	Start      int64     `json:"start"`
	Step       int64     `json:"step"`
	LastUpdate time.Time `json:"last_update"` // end of the newest minute in the file
	Value      Floats    `json:"value"`
	Predicted  Floats    `json:"predicted,omitempty"`
	Lower      Floats    `json:"lower,omitempty"`
	Upper      Floats    `json:"upper,omitempty"`
	Failures   Floats    `json:"failures,omitempty"` // 1 where the FAILURES row is set
}

// rrdHeader is what the dashboard needs from a file's header.
type rrdHeader struct {
	lastUpdate         time.Time
	hwCF               string // HWPREDICT or MHWPREDICT; "" without Holt-Winters
	deltaPos, deltaNeg float64
}

// rrdReader reads counters' files through librrd, caching each file's
// header until the file changes.
type rrdReader struct {
	mu      sync.Mutex
	headers map[string]cachedHeader
}

type cachedHeader struct {
	mtime time.Time
	size  int64
	h     rrdHeader
}

func newRRDReader() *rrdReader {
	return &rrdReader{headers: map[string]cachedHeader{}}
}

// header returns the file's header, read with rrd_info when the file's
// modification time or size changed since the last read.
func (r *rrdReader) header(path string) (rrdHeader, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return rrdHeader{}, fmt.Errorf("rrd %s: %w", filepath.Base(path), err)
	}
	r.mu.Lock()
	c, ok := r.headers[path]
	r.mu.Unlock()
	if ok && c.mtime.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.h, nil
	}
	info, err := rrd.Info(path)
	if err != nil {
		return rrdHeader{}, fmt.Errorf("rrd info %s: %w", filepath.Base(path), err)
	}
	h := rrdHeader{deltaPos: 2, deltaNeg: 2}
	if v, ok := info["last_update"].(uint); ok {
		h.lastUpdate = time.Unix(int64(v), 0).UTC()
	} else {
		h.lastUpdate = time.Unix(toInt64(info["last_update"]), 0).UTC()
	}
	if cfs, ok := info["rra.cf"].([]interface{}); ok {
		for i, cf := range cfs {
			name, _ := cf.(string)
			switch name {
			case "HWPREDICT", "MHWPREDICT":
				h.hwCF = name
			case "FAILURES":
				h.deltaPos = indexFloat(info["rra.delta_pos"], i, 2)
				h.deltaNeg = indexFloat(info["rra.delta_neg"], i, 2)
			}
		}
	}
	r.mu.Lock()
	r.headers[path] = cachedHeader{fi.ModTime(), fi.Size(), h}
	r.mu.Unlock()
	return h, nil
}

// toInt64 converts rrd.Info's numeric values (uint, int, float64).
func toInt64(v interface{}) int64 {
	switch n := v.(type) {
	case uint:
		return int64(n)
	case int:
		return int64(n)
	case int64:
		return n
	case uint64:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

func indexFloat(v interface{}, i int, def float64) float64 {
	list, ok := v.([]interface{})
	if !ok || i >= len(list) {
		return def
	}
	if f, ok := list[i].(float64); ok && !math.IsNaN(f) {
		return f
	}
	return def
}

// fetch reads one consolidation function of a file between start and end
// (Unix seconds, multiples of step). It returns the first row's minute
// start, the step librrd chose, and the values.
func fetch(path, cf string, start, end int64, step time.Duration) (int64, int64, []float64, error) {
	res, err := rrd.Fetch(path, cf, time.Unix(start, 0), time.Unix(end, 0), step)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("rrd fetch %s %s: %w", filepath.Base(path), cf, err)
	}
	defer res.FreeValues()
	st := int64(res.Step / time.Second)
	if st <= 0 {
		return 0, 0, nil, fmt.Errorf("rrd fetch %s %s: step %v", filepath.Base(path), cf, res.Step)
	}
	// librrd returns (End-Start)/step+1 rows, where End is the requested
	// end rounded up past it; row i holds the interval that ends at
	// Start+(i+1)·step, i.e. starts at Start+i·step. Keep the intervals
	// that end by the requested end, as rrdtool fetch prints them.
	all := res.Values()
	rows := int((end - res.Start.Unix()) / st)
	rows = max(0, min(rows, int((res.End.Unix()-res.Start.Unix())/st), len(all)))
	return res.Start.Unix(), st, all[:rows], nil
}

// Range is a chart's time span and the archive resolution it reads.
type Range struct {
	Name string        // as in URLs: 1h, 6h, 1d, 2d, 2w, 13mo
	Span time.Duration // how far back from the newest minute
	Step time.Duration // archive resolution
}

// Ranges are the spans a category page offers, one per archive
// resolution boundary of the RRD layout.
var Ranges = []Range{
	{"1h", time.Hour, time.Minute},
	{"6h", 6 * time.Hour, time.Minute},
	{"1d", 24 * time.Hour, time.Minute},
	{"2d", 48 * time.Hour, time.Minute},
	{"2w", 14 * 24 * time.Hour, 5 * time.Minute},
	{"13mo", 395 * 24 * time.Hour, time.Hour},
}

// RangeByName returns the named range, or false.
func RangeByName(name string) (Range, bool) {
	for _, r := range Ranges {
		if r.Name == name {
			return r, true
		}
	}
	return Range{}, false
}

// readSeries reads a counter's values over span ending at end (the file's
// last update when end is zero), with the Holt-Winters band and failures
// when the span's step is one minute.
func (r *rrdReader) readSeries(path, category, counter string, end time.Time, rg Range) (*Series, error) {
	h, err := r.header(path)
	if err != nil {
		return nil, err
	}
	if end.IsZero() {
		end = h.lastUpdate
	}
	step := int64(rg.Step / time.Second)
	e := end.Unix() / step * step
	s := e - int64(rg.Span/time.Second)
	start, st, vals, err := fetch(path, "AVERAGE", s, e, rg.Step)
	if err != nil {
		return nil, err
	}
	out := &Series{Category: category, Counter: counter, Start: start, Step: st,
		LastUpdate: h.lastUpdate, Value: vals}
	if h.hwCF == "" || rg.Step != time.Minute {
		return out, nil
	}
	pred, err := r.aligned(path, h.hwCF, start, st, len(vals))
	if err != nil {
		return nil, err
	}
	dev, err := r.aligned(path, "DEVPREDICT", start, st, len(vals))
	if err != nil {
		return nil, err
	}
	fail, err := r.aligned(path, "FAILURES", start, st, len(vals))
	if err != nil {
		return nil, err
	}
	lower, upper := make(Floats, len(vals)), make(Floats, len(vals))
	for i := range vals {
		lower[i] = pred[i] - h.deltaNeg*dev[i]
		upper[i] = pred[i] + h.deltaPos*dev[i]
		if lower[i] < 0 {
			lower[i] = 0 // counts are never negative; the band's floor is 0
		}
	}
	out.Predicted, out.Lower, out.Upper, out.Failures = pred, lower, upper, fail
	return out, nil
}

// aligned fetches cf over the same rows as the AVERAGE values (librrd may
// choose another start when the archive is shorter), NaN where absent.
func (r *rrdReader) aligned(path, cf string, start, step int64, n int) (Floats, error) {
	s, st, vals, err := fetch(path, cf, start, start+int64(n)*step, time.Duration(step)*time.Second)
	if err != nil {
		return nil, err
	}
	out := make(Floats, n)
	for i := range out {
		out[i] = math.NaN()
	}
	if st != step {
		return out, nil
	}
	for i, v := range vals {
		j := int((s-start)/step) + i
		if j >= 0 && j < n {
			out[j] = v
		}
	}
	return out, nil
}

// fileName maps a category or counter name to its file-name form, the way
// summarize's RRD output does: [A-Za-z0-9_.-] kept, anything else (and a
// leading dot) becomes '_'.
func fileName(s string) string {
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

// listDir returns the names of dir's entries that satisfy keep, sorted.
func listNames(dir string, dirs bool) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if dirs && e.IsDir() {
			out = append(out, name)
		} else if !dirs && e.Type().IsRegular() && strings.HasSuffix(name, rrdExt) {
			out = append(out, strings.TrimSuffix(name, rrdExt))
		}
	}
	return out
}
