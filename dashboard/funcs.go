package dashboard

import (
	"html/template"
	"math"
	"path/filepath"
	"strconv"
	"time"
)

// Series returns one known counter's series; names that are not a
// category's listed RRD file are ErrNotFound (no URL reaches another file).
func (d *Dashboard) Series(category, counter string, rg Range) (*Series, error) {
	if d.cfg.RRDDir == "" {
		return nil, ErrNotFound
	}
	sn := d.snapshot("")
	if !contains(d.categoryNames(sn), category) ||
		!contains(listNames(filepath.Join(d.cfg.RRDDir, fileName(category)), false), fileName(counter)) {
		return nil, ErrNotFound
	}
	return d.rrd.readSeries(d.rrdPath(category, counter), category, counter, time.Time{}, rg)
}

// templateFuncs format numbers and times for the pages.
var templateFuncs = template.FuncMap{
	"num":  formatNum,
	"nump": func(p *float64) string { return formatNum(deref(p)) },
	"numu": func(p *uint64) string {
		if p == nil {
			return "–"
		}
		return strconv.FormatUint(*p, 10)
	},
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") },
	"timep": func(t *time.Time) string {
		if t == nil {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"percent": func(part, total uint64) string {
		if total == 0 {
			return "–"
		}
		return strconv.FormatFloat(100*float64(part)/float64(total), 'f', 1, 64) + "%"
	},
	"label": func(counter string) string {
		switch counter {
		case linesName:
			return "lines"
		case unknownRRD:
			return "unknown lines"
		}
		return counter
	},
}

// formatNum writes integers whole and other numbers with 4 significant
// digits; NaN (no data) is a dash.
func formatNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
