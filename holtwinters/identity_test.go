package holtwinters

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// identityCase is one RRD layout and one series fed to both the real
// rrdtool and the Go model.
type identityCase struct {
	name    string
	rras    func(rows int) []string // archives after DS and AVERAGE; rra-num arguments are 1-based
	tune    []string                // extra `rrdtool tune` arguments
	params  Params                  // what the Go model is told (schedule comes from the file)
	periods int
	series  func(r *rand.Rand, n, period int) []float64
}

const identityStart = int64(1_700_000_040) // a multiple of 60

func identityCases() []identityCase {
	add96 := DefaultParams(96)
	add96.Alpha, add96.Beta, add96.Gamma, add96.GammaDev = 0.1, 0.0035, 0.1, 0.1

	mul64 := DefaultParams(64)
	mul64.Multiplicative = true
	mul64.Alpha, mul64.Beta, mul64.Gamma, mul64.GammaDev = 0.2, 0.01, 0.2, 0.2
	mul64.SmoothingWindow = 0 // auto-created in a version-4 file: never smoothed

	add48 := DefaultParams(48)
	add48.Alpha, add48.Beta, add48.Gamma, add48.GammaDev = 0.3, 0.02, 0.15, 0.25
	add48.DeltaPos, add48.DeltaNeg = 2.5, 1.5
	add48.Threshold, add48.Window = 3, 5
	add48.SmoothingWindow = 0.1

	mul80 := DefaultParams(80)
	mul80.Multiplicative = true
	mul80.Alpha, mul80.Beta, mul80.Gamma, mul80.GammaDev = 0.15, 0.005, 0.3, 0.1
	mul80.SmoothingWindow = 0.05

	return []identityCase{
		{
			name:    "additive-v3-P96-smoothed",
			rras:    func(rows int) []string { return []string{fmt.Sprintf("RRA:HWPREDICT:%d:0.1:0.0035:96", rows)} },
			params:  add96,
			periods: 12,
			series:  seasonalSeries(50, 30, 4, false),
		},
		{
			name:    "multiplicative-v4-P64-w0",
			rras:    func(rows int) []string { return []string{fmt.Sprintf("RRA:MHWPREDICT:%d:0.2:0.01:64", rows)} },
			params:  mul64,
			periods: 12,
			series:  seasonalSeries(200, 120, 6, true),
		},
		{
			name: "additive-explicit-P48-tuned",
			rras: func(rows int) []string {
				return []string{
					fmt.Sprintf("RRA:HWPREDICT:%d:0.3:0.02:48:3", rows),
					"RRA:SEASONAL:48:0.15:2:smoothing-window=0.1",
					"RRA:DEVSEASONAL:48:0.25:2:smoothing-window=0.1",
					fmt.Sprintf("RRA:DEVPREDICT:%d:4", rows),
					fmt.Sprintf("RRA:FAILURES:%d:3:5:4", rows),
				}
			},
			tune:    []string{"--deltapos", "2.5", "--deltaneg", "1.5"},
			params:  add48,
			periods: 14,
			series:  seasonalSeries(20, 15, 2, false),
		},
		{
			name: "multiplicative-explicit-P80-smoothed",
			rras: func(rows int) []string {
				return []string{
					fmt.Sprintf("RRA:MHWPREDICT:%d:0.15:0.005:80:3", rows),
					"RRA:SEASONAL:80:0.3:2:smoothing-window=0.05",
					"RRA:DEVSEASONAL:80:0.1:2:smoothing-window=0.05",
					fmt.Sprintf("RRA:DEVPREDICT:%d:4", rows),
					fmt.Sprintf("RRA:FAILURES:%d:7:9:4", rows),
				}
			},
			params:  mul80,
			periods: 11,
			series:  seasonalSeries(500, 200, 10, true),
		},
	}
}

// seasonalSeries builds a daily-looking curve with noise, spikes, a level
// shift, single and clustered unknown values, and a leading unknown run.
// Values sit on a 1/256 grid so RRDtool's PDP arithmetic is exact.
func seasonalSeries(base, amp, noise float64, positive bool) func(r *rand.Rand, n, period int) []float64 {
	return func(r *rand.Rand, n, period int) []float64 {
		out := make([]float64, n)
		shiftAt := n * 2 / 3
		for i := range out {
			phase := 2 * math.Pi * float64(i%period) / float64(period)
			v := base + amp*math.Sin(phase) + 0.3*amp*math.Sin(3*phase+1) + noise*r.NormFloat64()
			v += 0.002 * base * float64(i) / float64(period) // slow trend
			if i >= shiftAt {
				v += 0.6 * amp // level shift
			}
			if r.IntN(97) == 0 {
				v += 8 * amp * r.Float64() // spike
			}
			if i > n/2 && i < n/2+12 {
				v += 3 * amp // a short incident: failures
			}
			if positive && v < 1 {
				v = 1
			}
			if v < 0 {
				v = 0
			}
			out[i] = math.Round(v*256) / 256
		}
		for i := 0; i < 3; i++ {
			out[i] = math.NaN() // nothing known before the first value
		}
		for i := range out {
			if r.IntN(60) == 0 {
				run := 1 + r.IntN(4) // 1–4 unknown steps in a row
				for j := i; j < i+run && j < n; j++ {
					out[j] = math.NaN()
				}
			}
		}
		return out
	}
}

func TestIdentityWithRRDtool(t *testing.T) {
	p := startRRDPipe(t)
	dir := t.TempDir()
	// Each case runs on three fresh files: rrdtool create picks new random
	// start rows each time, so the smoothing schedule differs.
	for ci, tc := range identityCases() {
		for rep := range 3 {
			t.Run(fmt.Sprintf("%s/%d", tc.name, rep), func(t *testing.T) {
				P := tc.params.Period
				n := tc.periods * P
				r := rand.New(rand.NewPCG(uint64(ci)+1, uint64(rep)))
				series := tc.series(r, n, P)

				file := filepath.Join(dir, fmt.Sprintf("%s-%d.rrd", tc.name, rep))
				args := []string{"create", file, "--start", strconv.FormatInt(identityStart, 10), "--step", "60",
					"DS:v:GAUGE:120:0:U", "RRA:AVERAGE:0.5:1:10"}
				args = append(args, tc.rras(n+10)...)
				if _, err := p.run(args...); err != nil {
					t.Fatal(err)
				}
				if len(tc.tune) > 0 {
					if _, err := p.run(append([]string{"tune", file}, tc.tune...)...); err != nil {
						t.Fatal(err)
					}
				}
				sched, params := scheduleFromFile(t, p, file, tc.params)
				m, err := New(params, sched)
				if err != nil {
					t.Fatal(err)
				}

				var stats struct{ predictions, deviations, failures, violations, smoothed, unknown int }
				maxRel := 0.0
				for i, x := range series {
					if i == n/3 { // restart: re-read the detector from the file itself
						fm, last, err := FromRRDFile(file, "v")
						if err != nil {
							t.Fatal(err)
						}
						if want := identityStart + 60*int64(i); last != want {
							t.Fatalf("FromRRDFile last update %d, want %d", last, want)
						}
						if err := sameState(m, fm); err != nil || !m.SameState(fm) {
							t.Fatalf("step %d: state read from %s differs: %v", i, file, err)
						}
						m = fm
					}
					if i == n/2 { // checkpoint and restore half way: state survives exactly
						b, err := m.MarshalBinary()
						if err != nil {
							t.Fatal(err)
						}
						m = new(Model)
						if err := m.UnmarshalBinary(b); err != nil {
							t.Fatal(err)
						}
					}
					val := "U"
					if !math.IsNaN(x) {
						val = strconv.FormatFloat(x, 'g', -1, 64)
					} else {
						stats.unknown++
					}
					got, err := p.updatev(file, identityStart+60*int64(i+1), val)
					if err != nil {
						t.Fatal(err)
					}
					res := m.Step(PDPGauge(x, 60))
					hwCF := "HWPREDICT"
					if params.Multiplicative {
						hwCF = "MHWPREDICT"
					}
					check := func(what string, want, have float64) {
						t.Helper()
						if !math.IsNaN(want) && !math.IsNaN(have) && want != have {
							maxRel = math.Max(maxRel, math.Abs(want-have)/math.Max(math.Abs(want), 1e-3))
						}
						if !sameValue(want, have) {
							t.Fatalf("step %d (x=%v): %s: rrdtool %.12g, holtwinters %.12g", i, x, what, want, have)
						}
					}
					check(hwCF, got[hwCF], res.Prediction)
					check("DEVPREDICT", got["DEVPREDICT"], res.Deviation)
					check("SEASONAL", got["SEASONAL"], res.Seasonal)
					check("DEVSEASONAL", got["DEVSEASONAL"], res.DevSeasonal)
					if (got["FAILURES"] == 1) != res.Failure || (got["FAILURES"] != 0 && got["FAILURES"] != 1) {
						t.Fatalf("step %d (x=%v): FAILURES: rrdtool %v, holtwinters %v", i, x, got["FAILURES"], res.Failure)
					}
					if !math.IsNaN(res.Prediction) {
						stats.predictions++
					}
					if !math.IsNaN(res.Deviation) {
						stats.deviations++
					}
					if res.Failure {
						stats.failures++
					}
					if res.Violation {
						stats.violations++
					}
					if res.Smoothed {
						stats.smoothed++
					}
				}
				t.Logf("%d steps identical (P=%d, %d unknown): %d predictions, %d deviations, %d violations, %d failure steps, %d smoothings, max rel diff %.2g (rrdtool prints 11 digits)",
					n, P, stats.unknown, stats.predictions, stats.deviations, stats.violations, stats.failures, stats.smoothed, maxRel)
				if stats.failures == 0 || stats.predictions < n/2 || stats.unknown == 0 {
					t.Errorf("series does not exercise the model: %+v", stats)
				}
				if params.smoothOffset() > 0 && stats.smoothed < 4 {
					t.Errorf("smoothing expected (offset %d) but ran %d times", params.smoothOffset(), stats.smoothed)
				}
				if params.smoothOffset() == 0 && stats.smoothed != 0 {
					t.Errorf("no smoothing expected but ran %d times", stats.smoothed)
				}
			})
		}
	}
}

// sameState compares two models' coefficients, arrays and histories bit
// for bit.
func sameState(a, b *Model) error {
	fs := func(x []float64) []uint64 {
		out := make([]uint64, len(x))
		for i, v := range x {
			out[i] = math.Float64bits(v)
		}
		return out
	}
	type view struct {
		P                             Params
		I, LI, S, LS, SC, LSC, DC, LD uint64
		N, LN, SB, DB                 uint64
		SR, DR, SI                    int
		Seas, Dev                     []uint64
		Viol                          string
	}
	v := func(m *Model) view {
		f := math.Float64bits
		return view{m.p, f(m.intercept), f(m.lastIntercept), f(m.slope), f(m.lastSlope), f(m.seasCoef), f(m.lastSeasCoef),
			f(m.devCoef), f(m.lastDev), m.nullCount, m.lastNullCount, m.seasBurnin, m.devBurnin,
			m.seasRow, m.devRow, m.sched.SmoothIdx, fs(m.seasonal), fs(m.devseasonal), string(m.violations)}
	}
	va, vb := v(a), v(b)
	if fmt.Sprint(va) != fmt.Sprint(vb) {
		return fmt.Errorf("\n model %+v\n file  %+v", va, vb)
	}
	return nil
}

// scheduleFromFile reads the start rows, version and smoothing windows from
// the created file and checks the smoothing index against `rrdtool dump`.
func scheduleFromFile(t *testing.T, p *rrdPipe, file string, params Params) (Schedule, Params) {
	t.Helper()
	info, err := p.info(file)
	if err != nil {
		t.Fatal(err)
	}
	var s Schedule
	seas, dev := -1, -1
	for i := 0; ; i++ {
		cf, ok := info[fmt.Sprintf("rra[%d].cf", i)]
		if !ok {
			break
		}
		row, _ := strconv.Atoi(info[fmt.Sprintf("rra[%d].cur_row", i)])
		switch cf {
		case "SEASONAL":
			seas, s.SeasonalRow = i, row
		case "DEVSEASONAL":
			dev, s.DevSeasonalRow = i, row
		}
	}
	if seas < 0 || dev < 0 {
		t.Fatalf("%s: no SEASONAL/DEVSEASONAL archive", file)
	}
	wantW := DefaultSmoothingWindow
	if info["rrd_version"] != "0003" {
		wantW, err = strconv.ParseFloat(info[fmt.Sprintf("rra[%d].smoothing_window", seas)], 64)
		if err != nil {
			t.Fatalf("%s: smoothing window: %v", file, err)
		}
	}
	if wantW != params.SmoothingWindow {
		t.Fatalf("%s: version %s file smooths with window %v, case says %v", file, info["rrd_version"], wantW, params.SmoothingWindow)
	}
	s.SmoothIdx = SmoothIndex(file, params.Period)
	dump, err := p.run("dump", file)
	if err != nil {
		t.Fatal(err)
	}
	x := strings.Join(dump, "\n")
	if i := strings.Index(x, "<seasonal_smooth_idx>"); i >= 0 {
		v := strings.TrimSpace(x[i+len("<seasonal_smooth_idx>"):])
		v = v[:strings.IndexByte(v, '<')]
		if got, _ := strconv.Atoi(strings.TrimSpace(v)); got != s.SmoothIdx {
			t.Fatalf("%s: seasonal_smooth_idx %d in file, SmoothIndex says %d", file, got, s.SmoothIdx)
		}
	} else {
		t.Fatalf("%s: no seasonal_smooth_idx in dump", file)
	}
	return s, params
}

// sameValue compares an archive value printed by rrdtool (%.10e, eleven
// significant digits) with the model's: both unknown, or equal within
// 1e-9 relative (with an absolute floor for values near zero).
func sameValue(want, have float64) bool {
	if math.IsNaN(want) || math.IsNaN(have) {
		return math.IsNaN(want) && math.IsNaN(have)
	}
	scale := math.Max(math.Max(math.Abs(want), math.Abs(have)), 1e-3)
	return math.Abs(want-have) <= 1e-9*scale
}
