package rrd

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/logtally/logtally/holtwinters"
	librrd "github.com/ziutek/rrd"
)

// RRD layout: one file per counter, one GAUGE data source named "value",
// step 60 s. See docs/rrd.md.
const (
	rrdStep      = 60
	rrdDS        = "value"
	rrdHeartbeat = 2 * rrdStep
)

// ErrLayout reports an existing RRD file whose layout differs from the
// one logtally would create (another step, archives, or Holt-Winters
// parameters). The file is left untouched and not updated.
var ErrLayout = errors.New("rrd layout mismatch")

// rrdArchive is one rrdConsolidated archive.
type rrdArchive struct {
	cf   string
	pdp  int
	rows int
}

// rrdConsolidated are the AVERAGE and MAX archives: 2 days at 1 min, 2 weeks
// at 5 min, 13 months (396 days) at 1 h.
var rrdConsolidated = []rrdArchive{
	{"AVERAGE", 1, 2 * 1440}, {"AVERAGE", 5, 14 * 288}, {"AVERAGE", 60, 396 * 24},
	{"MAX", 1, 2 * 1440}, {"MAX", 5, 14 * 288}, {"MAX", 60, 396 * 24},
}

// rrdHWRows is the history kept in HWPREDICT, DEVPREDICT and FAILURES: two
// days, or one period when that is longer.
func rrdHWRows(p holtwinters.Params) int { return max(2*1440, p.Period) }

// rrdWantLayout lists the archives (cf, pdp, rows) a file for p must have, in
// file order.
func rrdWantLayout(p holtwinters.Params) []rrdArchive {
	hw := "HWPREDICT"
	if p.Multiplicative {
		hw = "MHWPREDICT"
	}
	n := rrdHWRows(p)
	return append(append([]rrdArchive(nil), rrdConsolidated...),
		rrdArchive{hw, 1, n}, rrdArchive{"SEASONAL", 1, p.Period}, rrdArchive{"DEVSEASONAL", 1, p.Period},
		rrdArchive{"DEVPREDICT", 1, n}, rrdArchive{"FAILURES", 1, n})
}

// rrdCreate creates path for p with librrd; start is the last time the
// file does not accept (one step before the first update).
func rrdCreate(path string, p holtwinters.Params, start time.Time) error {
	c := librrd.NewCreator(path, start, rrdStep)
	c.DS(rrdDS, "GAUGE", rrdHeartbeat, 0, "U")
	for _, r := range rrdConsolidated {
		c.RRA(r.cf, 0.5, r.pdp, r.rows)
	}
	// Explicit Holt-Winters chain; rra-num arguments are 1-based.
	base := len(rrdConsolidated) + 1 // HWPREDICT's 1-based index
	hw := "HWPREDICT"
	if p.Multiplicative {
		hw = "MHWPREDICT"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	n := rrdHWRows(p)
	c.RRA(hw, n, f(p.Alpha), f(p.Beta), p.Period, base+1)
	if p.SmoothingWindow == holtwinters.DefaultSmoothingWindow && !p.Multiplicative {
		c.RRA("SEASONAL", p.Period, f(p.Gamma), base) // version-3 file, w = 0.05
		c.RRA("DEVSEASONAL", p.Period, f(p.GammaDev), base)
	} else {
		sw := "smoothing-window=" + f(p.SmoothingWindow)
		c.RRA("SEASONAL", p.Period, f(p.Gamma), base, sw)
		c.RRA("DEVSEASONAL", p.Period, f(p.GammaDev), base, sw)
	}
	c.RRA("DEVPREDICT", n, base+2)
	c.RRA("FAILURES", n, p.Threshold, p.Window, base+2)
	if err := c.Create(false); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if p.DeltaPos != 2 || p.DeltaNeg != 2 {
		// librrd's rrd_tune is not wrapped by ziutek/rrd (and uses getopt,
		// which is not thread-safe): use the rrdtool binary once per file.
		out, err := exec.Command("rrdtool", "tune", path, "--deltapos", f(p.DeltaPos), "--deltaneg", f(p.DeltaNeg)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rrdtool tune %s: %v: %s", path, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// rrdTunable reports whether a file made for parameters from can be
// brought to parameters to by rrdtool tune: everything but the period, the
// model and the smoothing window (those change the file's archives).
func rrdTunable(from, to holtwinters.Params) bool {
	return from.Period == to.Period && from.Multiplicative == to.Multiplicative && from.SmoothingWindow == to.SmoothingWindow
}

// rrdTune sets a file's Holt-Winters parameters to p with the rrdtool
// binary (librrd's rrd_tune is not wrapped by ziutek/rrd and uses getopt,
// which is not thread-safe). The window is set before the threshold when
// it grows and after it when it shrinks, so threshold ≤ window holds at
// every step.
func rrdTune(path string, p holtwinters.Params) error {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	args := []string{"tune", path, "--alpha", f(p.Alpha), "--beta", f(p.Beta), "--gamma", f(p.Gamma),
		"--gamma-deviation", f(p.GammaDev), "--deltapos", f(p.DeltaPos), "--deltaneg", f(p.DeltaNeg)}
	run := func(args ...string) error {
		out, err := exec.Command("rrdtool", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rrdtool %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := run(args...); err != nil {
		return err
	}
	// threshold then window, or window then threshold: one of the two
	// orders keeps threshold ≤ window throughout.
	thr, win := []string{"tune", path, "--failure-threshold", strconv.Itoa(p.Threshold)}, []string{"tune", path, "--window-length", strconv.Itoa(p.Window)}
	if err := run(thr...); err != nil {
		if err2 := run(win...); err2 != nil {
			return err2
		}
		return run(thr...)
	}
	return run(win...)
}

// rrdCheckLayout compares an existing file with the layout for p and returns
// an ErrLayout error naming the first differences.
func rrdCheckLayout(path string, p holtwinters.Params, file holtwinters.Params) error {
	info, err := librrd.Info(path)
	if err != nil {
		return fmt.Errorf("rrd info %s: %w", path, err)
	}
	var diffs []string
	if s, _ := info["step"].(uint); s != rrdStep {
		diffs = append(diffs, fmt.Sprintf("step %v, want %d", info["step"], rrdStep))
	}
	types, _ := info["ds.type"].(map[string]interface{})
	if len(types) != 1 || types[rrdDS] != "GAUGE" {
		diffs = append(diffs, fmt.Sprintf("data sources %v, want one GAUGE named %q", types, rrdDS))
	}
	cfs, _ := info["rra.cf"].([]interface{})
	rows, _ := info["rra.rows"].([]interface{})
	pdps, _ := info["rra.pdp_per_row"].([]interface{})
	want := rrdWantLayout(p)
	if len(cfs) != len(want) {
		diffs = append(diffs, fmt.Sprintf("%d archives, want %d", len(cfs), len(want)))
	} else {
		for i, w := range want {
			if cfs[i] != w.cf || rows[i] != uint(w.rows) || pdps[i] != uint(w.pdp) {
				diffs = append(diffs, fmt.Sprintf("rra[%d] %v/%v steps/%v rows, want %s/%d/%d", i, cfs[i], pdps[i], rows[i], w.cf, w.pdp, w.rows))
			}
		}
	}
	if len(diffs) == 0 && file != p {
		diffs = append(diffs, fmt.Sprintf("Holt-Winters parameters %s, want %s", rrdFmtParams(file), rrdFmtParams(p)))
	}
	if len(diffs) > 0 {
		if len(diffs) > 3 {
			diffs = append(diffs[:3], fmt.Sprintf("and %d more", len(diffs)-3))
		}
		return fmt.Errorf("%w: %s: %s (move the file away or recreate it; `rrdtool tune` can change parameters)", ErrLayout, path, strings.Join(diffs, "; "))
	}
	return nil
}

func rrdFmtParams(p holtwinters.Params) string {
	kind := "additive"
	if p.Multiplicative {
		kind = "multiplicative"
	}
	return fmt.Sprintf("{%s period=%d alpha=%g beta=%g gamma=%g gamma_dev=%g delta=+%g/-%g failures=%d/%d smoothing=%g}",
		kind, p.Period, p.Alpha, p.Beta, p.Gamma, p.GammaDev, p.DeltaPos, p.DeltaNeg, p.Threshold, p.Window, p.SmoothingWindow)
}

// rrdValue renders an update value for librrd ("U" for unknown).
func rrdValue(v float64) string {
	if math.IsNaN(v) {
		return "U"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
