// Package holtwinters is a pure-Go Holt-Winters forecaster and aberrant
// behaviour detector that reproduces RRDtool 1.7.2's HWPREDICT / MHWPREDICT
// archive chain (HWPREDICT, SEASONAL, DEVSEASONAL, DEVPREDICT, FAILURES)
// step for step, to the last bit: the same update equations, the same
// bootstrap, the same treatment of unknown values, the same failure window,
// and the same periodic seasonal smoothing, including its schedule (which
// depends on the random start rows rrdtool picks at create time and on a
// hash of the file name) and its quirks.
//
// A Model stands for one data source of one RRD file whose archives were
// created in RRDtool's canonical order (HWPREDICT or MHWPREDICT first, then
// SEASONAL, DEVSEASONAL, DEVPREDICT, FAILURES — what
// `RRA:HWPREDICT:rows:alpha:beta:period` creates), updated one step per
// rrd_update call. Feed it the same values (see PDPGauge) and it predicts,
// deviates and fails exactly like the file.
//
// A Model is not safe for concurrent use.
//
// holtwinters is one of logtally's four public library packages, with
// parsers, rules and tally: programs outside logtally may import it, and its
// exported API changes only with care.
package holtwinters

import (
	"errors"
	"fmt"
	"math"
)

// DefaultSmoothingWindow is the seasonal smoothing window RRDtool uses for
// version-3 files (a plain RRA:HWPREDICT:rows:alpha:beta:period). Files of
// version 4 store the window per RRA; the ones auto-created with
// MHWPREDICT (or with an explicit smoothing-window=) carry 0 or that value.
const DefaultSmoothingWindow = 0.05

// burninCycles is RRDtool's BURNIN_CYCLES: the number of passes through
// row 0 that trigger a smoothing before the per-file smoothing index takes
// over.
const burninCycles = 3

// MinDelta and MaxDelta bound the deviation multipliers δ₊ and δ₋
// (rrd_tune refuses values outside them).
const (
	MinDelta = 0.1
	MaxDelta = 1e6
)

// maxWindow is the largest failure window RRDtool accepts (MAX_FAILURES_WINDOW_LEN).
const maxWindow = 28

// ErrParams reports invalid parameters.
var ErrParams = errors.New("holtwinters: invalid parameters")

// Params are the RRDtool Holt-Winters parameters of one archive chain.
type Params struct {
	Period         int     // seasonal period in steps (rows of SEASONAL/DEVSEASONAL)
	Multiplicative bool    // MHWPREDICT instead of HWPREDICT
	Alpha          float64 // intercept adaptation, (0,1)
	Beta           float64 // slope adaptation, (0,1)
	Gamma          float64 // seasonal adaptation (SEASONAL), (0,1)
	GammaDev       float64 // deviation adaptation (DEVSEASONAL), (0,1)
	DeltaPos       float64 // upper band width in deviations (RRDtool default 2)
	DeltaNeg       float64 // lower band width in deviations (RRDtool default 2)
	Threshold      int     // failures: violations needed in the window (default 7)
	Window         int     // failures: window length in steps (default 9, max 28)
	// SmoothingWindow is the fraction of the period averaged by the periodic
	// seasonal smoother: 0.05 (DefaultSmoothingWindow) for version-3 files,
	// the stored value (often 0, i.e. never smoothed) for version-4 files.
	SmoothingWindow float64
}

// DefaultParams returns RRDtool's defaults for a period, with the alpha and
// beta logtally uses when a rule file does not set them.
func DefaultParams(period int) Params {
	return Params{
		Period:          period,
		Alpha:           0.1,
		Beta:            0.0035,
		Gamma:           0.1,
		GammaDev:        0.1,
		DeltaPos:        2,
		DeltaNeg:        2,
		Threshold:       7,
		Window:          9,
		SmoothingWindow: DefaultSmoothingWindow,
	}
}

// Validate checks the parameters against RRDtool's own limits.
func (p Params) Validate() error {
	var errs []error
	if p.Period < 2 {
		errs = append(errs, fmt.Errorf("period %d: must be at least 2", p.Period))
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"alpha", p.Alpha}, {"beta", p.Beta}, {"gamma", p.Gamma}, {"gamma_dev", p.GammaDev}} {
		if !(c.v > 0 && c.v < 1) {
			errs = append(errs, fmt.Errorf("%s %v: must be in (0,1)", c.name, c.v))
		}
	}
	if !(p.DeltaPos >= MinDelta && p.DeltaPos <= MaxDelta) || !(p.DeltaNeg >= MinDelta && p.DeltaNeg <= MaxDelta) {
		errs = append(errs, fmt.Errorf("delta_pos %v / delta_neg %v: must be in [%v, %v]", p.DeltaPos, p.DeltaNeg, MinDelta, MaxDelta))
	}
	if p.Window < 1 || p.Window > maxWindow {
		errs = append(errs, fmt.Errorf("window %d: must be in [1, %d]", p.Window, maxWindow))
	}
	if p.Threshold < 1 || p.Threshold > p.Window {
		errs = append(errs, fmt.Errorf("threshold %d: must be in [1, window=%d]", p.Threshold, p.Window))
	}
	if !(p.SmoothingWindow >= 0 && p.SmoothingWindow <= 1) {
		errs = append(errs, fmt.Errorf("smoothing window %v: must be in [0,1]", p.SmoothingWindow))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrParams, errors.Join(errs...))
	}
	return nil
}

// smoothOffset is the half-width of the smoother: floor(w/2·P), computed
// in the same floating-point order as apply_smoother.
func (p Params) smoothOffset() int {
	return int(math.Floor(p.SmoothingWindow / 2 * float64(p.Period)))
}

// Schedule pins the smoothing schedule of one RRD file: the cur_row values
// of its SEASONAL and DEVSEASONAL archives right after `rrdtool create`
// (rrdtool info: rra[i].cur_row; create picks them at random) and the
// file's seasonal smoothing index (SmoothIndex of the file name).
type Schedule struct {
	SeasonalRow    int
	DevSeasonalRow int
	SmoothIdx      int
}

// SmoothIndex is the seasonal_smooth_idx rrd_create stores for a file:
// a 64-bit FNV-1 hash of the file name exactly as passed to create, with
// RRDtool's seed 0x811c9dc5, modulo the period.
func SmoothIndex(filename string, period int) int {
	h := uint64(0x811c9dc5)
	for i := 0; i < len(filename); i++ {
		h *= 0x01000193
		h ^= uint64(filename[i])
	}
	return int(h % uint64(period))
}

// PDPGauge is the value RRDtool stores for a GAUGE data source updated
// exactly on step boundaries with value v: ((v·step)/step·step)/step. It
// can differ from v by one ulp; feed the Model PDPGauge(v) to match a file
// bit for bit. Integers below 2^40 come back unchanged.
func PDPGauge(v float64, step int) float64 {
	s := float64(step)
	pdpNew := v * s
	acc := 0.0 + pdpNew/s*s
	return acc / s
}
