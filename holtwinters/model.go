package holtwinters

import (
	"fmt"
	"math"
)

// Result is what one step writes into the archives, plus the band.
type Result struct {
	// Prediction is the HWPREDICT/MHWPREDICT row: ŷ, or NaN while
	// bootstrapping (first period, unknown seasonal slot).
	Prediction float64
	// Deviation is the DEVPREDICT row: the seasonal deviation d used for
	// this step (NaN until the second period's values have been seen).
	Deviation float64
	// Failure is the FAILURES row: at least Threshold of the last Window
	// steps violated the band.
	Failure bool
	// Violation reports whether this step itself violated the band (an
	// unknown value with a known deviation counts, as in RRDtool).
	Violation bool
	// Lower and Upper are the band the violation test used:
	// ŷ − δ₋·d and ŷ + δ₊·d (NaN when d or ŷ is unknown).
	Lower, Upper float64
	// Seasonal and DevSeasonal are the rows written to SEASONAL and
	// DEVSEASONAL this step (before any smoothing).
	Seasonal, DevSeasonal float64
	// Smoothed reports that the seasonal smoother changed SEASONAL or
	// DEVSEASONAL after this step.
	Smoothed bool
}

// Model is one data source's Holt-Winters state, mirroring the RRD's
// cdp_prep scratch values and its SEASONAL and DEVSEASONAL arrays.
type Model struct {
	p     Params
	sched Schedule

	// HWPREDICT cdp_prep
	intercept, lastIntercept float64
	slope, lastSlope         float64
	nullCount, lastNullCount uint64

	// SEASONAL: array, cur_row, cdp_prep (coefficient for the coming step
	// and the one just used), burn-in counter
	seasonal               []float64
	seasRow                int
	seasCoef, lastSeasCoef float64
	seasBurnin             uint64

	// DEVSEASONAL
	devseasonal      []float64
	devRow           int
	devCoef, lastDev float64
	devBurnin        uint64

	// FAILURES violation history, newest first
	violations []byte

	steps uint64
}

// New returns a fresh model, as right after `rrdtool create`.
func New(p Params, s Schedule) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if s.SeasonalRow < 0 || s.SeasonalRow >= p.Period || s.DevSeasonalRow < 0 ||
		s.DevSeasonalRow >= p.Period || s.SmoothIdx < 0 || s.SmoothIdx >= p.Period {
		return nil, fmt.Errorf("%w: schedule rows %d/%d and smoothing index %d must be in [0, period=%d)",
			ErrParams, s.SeasonalRow, s.DevSeasonalRow, s.SmoothIdx, p.Period)
	}
	nan := math.NaN()
	m := &Model{
		p: p, sched: s,
		intercept: nan, lastIntercept: nan, slope: nan, lastSlope: nan,
		nullCount: 1, lastNullCount: 1,
		seasonal: make([]float64, p.Period), seasRow: s.SeasonalRow,
		seasCoef: nan, lastSeasCoef: nan, seasBurnin: 1,
		devseasonal: make([]float64, p.Period), devRow: s.DevSeasonalRow,
		devCoef: nan, lastDev: nan, devBurnin: 1,
		violations: make([]byte, p.Window),
	}
	for i := range m.seasonal {
		m.seasonal[i] = nan
		m.devseasonal[i] = nan
	}
	return m, nil
}

// Params returns the model's parameters.
func (m *Model) Params() Params { return m.p }

// Schedule returns the schedule the model was created with.
func (m *Model) Schedule() Schedule { return m.sched }

// Steps returns the number of steps fed so far.
func (m *Model) Steps() uint64 { return m.steps }

// Failing reports whether the last step's FAILURES row was 1.
func (m *Model) Failing() bool {
	n := 0
	for _, v := range m.violations {
		n += int(v)
	}
	return n >= m.p.Threshold
}

func (m *Model) predict(intercept, slope float64, n uint64, s float64) float64 {
	if m.p.Multiplicative {
		return (intercept + slope*float64(n)) * s
	}
	return intercept + slope*float64(n) + s
}

func (m *Model) newIntercept(x, s float64) float64 {
	if m.p.Multiplicative {
		if s <= 0 {
			return math.NaN()
		}
		return m.p.Alpha*(x/s) + (1-m.p.Alpha)*(m.intercept+m.slope*float64(m.nullCount))
	}
	return m.p.Alpha*(x-s) + (1-m.p.Alpha)*(m.intercept+m.slope*float64(m.nullCount))
}

func (m *Model) newSeasonal(x, intercept, s float64) float64 {
	if m.p.Multiplicative {
		if intercept <= 0 {
			return math.NaN()
		}
		return m.p.Gamma*(x/intercept) + (1-m.p.Gamma)*s
	}
	return m.p.Gamma*(x-intercept) + (1-m.p.Gamma)*s
}

func (m *Model) initSeasonal(x, intercept float64) float64 {
	if m.p.Multiplicative {
		if intercept <= 0 {
			return math.NaN()
		}
		return x / intercept
	}
	return x - intercept
}

// scheduleSmooth is do_schedule_smooth for one archive with one elapsed
// step; cur is the row last written.
func (m *Model) scheduleSmooth(cur int, burnin *uint64) bool {
	P := m.p.Period
	if *burnin > burninCycles {
		if m.sched.SmoothIdx > cur {
			return cur+1 >= m.sched.SmoothIdx
		}
		return cur+1 >= P && cur+1 >= P+m.sched.SmoothIdx
	}
	if cur+1 >= P {
		*burnin++
		return true
	}
	return false
}

// Step feeds one observation (NaN for unknown) — one rrd_update call that
// advances the file by exactly one step — and returns what the archives
// record for it.
func (m *Model) Step(x float64) Result {
	P := m.p.Period
	m.steps++
	nan := math.NaN()
	if math.IsInf(x, 0) {
		x = nan // never reaches the archives: the DS min/max or parsing rejects it
	}

	// update_all_cdp_prep: smoothing decisions, in RRA order.
	smooth := m.scheduleSmooth(m.seasRow, &m.seasBurnin)
	if m.scheduleSmooth(m.devRow, &m.devBurnin) {
		smooth = true
	}

	// HWPREDICT / MHWPREDICT (update_hwpredict); SEASONAL comes later in
	// the file, so its not-yet-rotated coefficient is the one for this step.
	m.lastIntercept, m.lastSlope, m.lastNullCount = m.intercept, m.slope, m.nullCount
	s := m.seasCoef
	prediction := nan
	if math.IsNaN(m.intercept) || math.IsNaN(m.slope) || math.IsNaN(s) {
		if math.IsNaN(m.intercept) && !math.IsNaN(x) {
			m.intercept, m.lastIntercept = x, x
			m.slope, m.lastSlope = 0, 0
			m.nullCount, m.lastNullCount = 1, 1
		}
	} else {
		prediction = m.predict(m.intercept, m.slope, m.nullCount, s)
		if math.IsNaN(x) {
			m.nullCount++
		} else {
			m.intercept = m.newIntercept(x, s)
			m.slope = m.p.Beta*(m.intercept-m.lastIntercept) + (1-m.p.Beta)*m.slope
			m.nullCount = 1
		}
	}

	// SEASONAL (update_seasonal, HWPREDICT already updated).
	seasonal := m.seasCoef
	m.lastSeasCoef = seasonal
	m.seasCoef = m.seasonal[(m.seasRow+2)%P]
	var seasOut float64
	switch {
	case math.IsNaN(x):
		seasOut = seasonal
	case math.IsNaN(m.lastIntercept) || math.IsNaN(m.lastSlope):
		seasOut = nan
	case math.IsNaN(seasonal):
		seasOut = m.initSeasonal(x, m.lastIntercept)
	default:
		seasOut = m.newSeasonal(x, m.intercept, seasonal)
	}

	// DEVSEASONAL (update_devseasonal, HWPREDICT and SEASONAL already updated).
	m.lastDev = m.devCoef
	m.devCoef = m.devseasonal[(m.devRow+2)%P]
	var devOut float64
	if math.IsNaN(m.lastIntercept) || math.IsNaN(m.lastSlope) || math.IsNaN(m.lastSeasCoef) {
		devOut = nan
	} else {
		pred := m.predict(m.lastIntercept, m.lastSlope, m.lastNullCount, m.lastSeasCoef)
		switch {
		case math.IsNaN(x):
			devOut = m.lastDev
		case math.IsNaN(m.lastDev):
			devOut = math.Abs(pred - x)
		default:
			devOut = m.p.GammaDev*math.Abs(pred-x) + (1-m.p.GammaDev)*m.lastDev
		}
	}

	// DEVPREDICT (update_devpredict) and FAILURES (update_failures).
	dev := m.lastDev
	res := Result{Prediction: prediction, Deviation: dev, Lower: nan, Upper: nan}
	var violation byte
	if !math.IsNaN(dev) {
		pred := m.predict(m.lastIntercept, m.lastSlope, m.lastNullCount, m.lastSeasCoef)
		res.Lower, res.Upper = pred-m.p.DeltaNeg*dev, pred+m.p.DeltaPos*dev
		if math.IsNaN(x) {
			violation = 1
		} else if x > pred+m.p.DeltaPos*dev || x < pred-m.p.DeltaNeg*dev {
			violation = 1
		}
	}
	count := int(violation)
	for i := m.p.Window; i > 1; i-- {
		m.violations[i-1] = m.violations[i-2]
		count += int(m.violations[i-1])
	}
	m.violations[0] = violation
	res.Violation = violation == 1
	res.Failure = count >= m.p.Threshold

	// write_to_rras: advance the rows and write.
	m.seasRow = (m.seasRow + 1) % P
	m.seasonal[m.seasRow] = seasOut
	m.devRow = (m.devRow + 1) % P
	m.devseasonal[m.devRow] = devOut
	res.Seasonal, res.DevSeasonal = seasOut, devOut

	// smooth_all_rras: at the end of the update, after the coefficients for
	// the next step have already been read (RRDtool's glitch).
	if smooth {
		if base, ok := m.smoothArray(m.seasonal, true); ok {
			m.intercept += base
			res.Smoothed = true
		}
		if _, ok := m.smoothArray(m.devseasonal, false); ok {
			res.Smoothed = true
		}
	}
	return res
}

// smoothArray is apply_smoother for one data source: a circular centred
// moving average of width 2o+1 over the array's values, with a running sum
// accumulated in RRDtool's order. For SEASONAL the mean of the averages is
// then removed (subtracted, or divided out when multiplicative) and
// returned so the caller can add it to the intercept (RRDtool adds it in
// the multiplicative case too). Arrays with any unknown value are left
// alone, as are all arrays when o = floor(w/2·P) is 0.
func (m *Model) smoothArray(v []float64, seasonal bool) (float64, bool) {
	o := m.p.smoothOffset()
	if o == 0 {
		return 0, false
	}
	P := len(v)
	for _, x := range v {
		if math.IsNaN(x) {
			return 0, false
		}
	}
	mod := func(i int) int { return ((i % P) + P) % P }
	orig := append([]float64(nil), v...)
	sum := 0.0
	for i := -o; i < o; i++ {
		sum += orig[mod(i)]
	}
	base := 0.0
	width := float64(2*o + 1)
	for c := 0; c < P; c++ {
		sum += orig[mod(c+o)]
		v[c] = sum / width
		base += v[c]
		sum -= orig[mod(c-o)]
	}
	base /= float64(P)
	if seasonal {
		for i := range v {
			if m.p.Multiplicative {
				v[i] = m.initSeasonal(v[i], base)
			} else {
				v[i] -= base
			}
		}
	}
	return base, true
}

// SameState reports whether two models hold identical coefficients,
// seasonal arrays, rows, burn-in counters and failure histories (the step
// counter and the create-time start rows are not compared). It is how a
// caller checks an in-process detector against FromRRDFile.
func (m *Model) SameState(o *Model) bool {
	// Unknown is unknown whatever the NaN's payload (librrd's DNAN and
	// math.NaN differ in bits); known values must be exactly equal.
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	if m.p != o.p || m.sched.SmoothIdx != o.sched.SmoothIdx || m.seasRow != o.seasRow || m.devRow != o.devRow ||
		m.nullCount != o.nullCount || m.lastNullCount != o.lastNullCount ||
		m.seasBurnin != o.seasBurnin || m.devBurnin != o.devBurnin ||
		!same(m.intercept, o.intercept) || !same(m.lastIntercept, o.lastIntercept) ||
		!same(m.slope, o.slope) || !same(m.lastSlope, o.lastSlope) ||
		!same(m.seasCoef, o.seasCoef) || !same(m.lastSeasCoef, o.lastSeasCoef) ||
		!same(m.devCoef, o.devCoef) || !same(m.lastDev, o.lastDev) ||
		string(m.violations) != string(o.violations) {
		return false
	}
	for i := range m.seasonal {
		if !same(m.seasonal[i], o.seasonal[i]) || !same(m.devseasonal[i], o.devseasonal[i]) {
			return false
		}
	}
	return true
}
