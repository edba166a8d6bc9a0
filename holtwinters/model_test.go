package holtwinters

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Params)
		ok     bool
	}{
		{"defaults", func(*Params) {}, true},
		{"period 1", func(p *Params) { p.Period = 1 }, false},
		{"alpha 0", func(p *Params) { p.Alpha = 0 }, false},
		{"beta 1", func(p *Params) { p.Beta = 1 }, false},
		{"gamma NaN", func(p *Params) { p.Gamma = math.NaN() }, false},
		{"gamma_dev negative", func(p *Params) { p.GammaDev = -0.1 }, false},
		{"delta tiny", func(p *Params) { p.DeltaPos = 0.01 }, false},
		{"window 29", func(p *Params) { p.Window = 29 }, false},
		{"threshold > window", func(p *Params) { p.Threshold = 10 }, false},
		{"smoothing 2", func(p *Params) { p.SmoothingWindow = 2 }, false},
		{"no smoothing", func(p *Params) { p.SmoothingWindow = 0 }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams(1440)
			tc.mutate(&p)
			err := p.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrParams) {
				t.Fatalf("error %v is not ErrParams", err)
			}
		})
	}
	if _, err := New(DefaultParams(10), Schedule{SeasonalRow: 10}); !errors.Is(err, ErrParams) {
		t.Fatalf("row out of range accepted: %v", err)
	}
}

func TestSmoothIndex(t *testing.T) {
	// seasonal_smooth_idx values rrdtool 1.7.2 wrote for these names.
	tests := []struct {
		name   string
		period int
		want   int
	}{
		{"a.rrd", 48, 44},
	}
	for _, tc := range tests {
		if got := SmoothIndex(tc.name, tc.period); got != tc.want {
			t.Errorf("SmoothIndex(%q, %d) = %d, want %d", tc.name, tc.period, got, tc.want)
		}
	}
}

func TestPDPGauge(t *testing.T) {
	for _, v := range []float64{0, 1, 12345, 1 << 40, 0.5, 3.25} {
		if got := PDPGauge(v, 60); got != v {
			t.Errorf("PDPGauge(%v) = %v", v, got)
		}
	}
	if !math.IsNaN(PDPGauge(math.NaN(), 60)) {
		t.Error("NaN not kept")
	}
}

func TestCheckpointContinuesExactly(t *testing.T) {
	for _, mult := range []bool{false, true} {
		p := DefaultParams(50)
		p.Multiplicative = mult
		a, err := New(p, Schedule{SeasonalRow: 7, DevSeasonalRow: 31, SmoothIdx: 12})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		x := func(i int) float64 {
			if r.IntN(20) == 0 {
				return math.NaN()
			}
			return 100 + 30*math.Sin(float64(i)/8) + r.Float64()*5
		}
		series := make([]float64, 900)
		for i := range series {
			series[i] = x(i)
		}
		var b *Model
		for i, v := range series {
			if i == 437 {
				data, err := a.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				b = new(Model)
				if err := b.UnmarshalBinary(data); err != nil {
					t.Fatal(err)
				}
				if err := new(Model).UnmarshalBinary(data[:len(data)-1]); !errors.Is(err, ErrState) {
					t.Fatalf("truncated checkpoint accepted: %v", err)
				}
				if err := new(Model).UnmarshalBinary(append(data, 0)); !errors.Is(err, ErrState) {
					t.Fatalf("padded checkpoint accepted: %v", err)
				}
			}
			ra := a.Step(v)
			if b != nil {
				rb := b.Step(v)
				if math.Float64bits(ra.Prediction) != math.Float64bits(rb.Prediction) ||
					math.Float64bits(ra.Deviation) != math.Float64bits(rb.Deviation) || ra.Failure != rb.Failure {
					t.Fatalf("mult=%v step %d: restored model diverged: %+v vs %+v", mult, i, ra, rb)
				}
			}
		}
		if a.Steps() != 900 || b.Steps() != 900 {
			t.Fatalf("steps %d/%d", a.Steps(), b.Steps())
		}
	}
}

func TestUnmarshalGarbage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("HWM1"), []byte("nope and more bytes")} {
		if err := new(Model).UnmarshalBinary(data); !errors.Is(err, ErrState) {
			t.Errorf("UnmarshalBinary(%q) = %v", data, err)
		}
	}
}

func BenchmarkStep(b *testing.B) {
	m, _ := New(DefaultParams(1440), Schedule{SeasonalRow: 1, DevSeasonalRow: 2, SmoothIdx: 3})
	for i := 0; b.Loop(); i++ {
		m.Step(float64(100 + i%1440))
	}
}

func FuzzUnmarshal(f *testing.F) {
	m, _ := New(DefaultParams(4), Schedule{})
	m.Step(1)
	data, _ := m.MarshalBinary()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if m.UnmarshalBinary(data) == nil {
			m.Step(1)
		}
	})
}

func TestFromRRDFileRejects(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("RRD\x000003\x00"), make([]byte, 4096)} {
		if _, _, err := fromRRD(data, "v"); !errors.Is(err, ErrRRDFile) {
			t.Errorf("fromRRD(%d bytes) = %v, want ErrRRDFile", len(data), err)
		}
	}
}

// TestSameStateNaN: two models whose unknown values are NaNs of different
// bit patterns (librrd writes its own DNAN) hold the same state.
func TestSameStateNaN(t *testing.T) {
	p := DefaultParams(10)
	a, err := New(p, Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(p, Schedule{})
	if !a.SameState(b) {
		t.Fatal("two fresh models differ")
	}
	otherNaN := math.Float64frombits(0x7ff8000000000000) // C's NAN; math.NaN() is ...0001
	if !math.IsNaN(otherNaN) || math.Float64bits(otherNaN) == math.Float64bits(math.NaN()) {
		t.Fatal("test NaN is not a distinct NaN")
	}
	b.intercept, b.slope = otherNaN, otherNaN
	for i := range b.seasonal {
		b.seasonal[i], b.devseasonal[i] = otherNaN, otherNaN
	}
	if !math.IsNaN(a.intercept) {
		t.Fatalf("a fresh model's intercept is %v, want unknown", a.intercept)
	}
	if !a.SameState(b) {
		t.Error("models whose unknown values differ only in NaN payload reported different")
	}
	b.intercept = 1
	if a.SameState(b) {
		t.Error("a known intercept against an unknown one reported the same")
	}
}
