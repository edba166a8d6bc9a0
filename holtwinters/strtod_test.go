package holtwinters

import (
	"math"
	"strconv"
	"testing"
)

func TestRRDStrtod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"-7", -7, true}, {"+3.5", 3.5, true}, {" 1.25", 1.25, true},
		{"1e3", 1000, true}, {"2.5E-1", 0.25, true}, {"", 0, false}, {"-", 0, false}, {".", 0, false},
		{"U", 0, false}, {"1.5x", 1.5, false}, {"1e5000", math.Inf(1), true},
	} {
		got, ok := RRDStrtod(tc.in)
		if ok != tc.ok || (tc.ok || got != 0) && got != tc.want {
			t.Errorf("RRDStrtod(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// The case from the issue: librrd's value is one ulp below Go's.
	got, _ := RRDStrtod("650.666")
	goV, _ := strconv.ParseFloat("650.666", 64)
	if got != math.Nextafter(goV, 0) {
		t.Errorf("RRDStrtod(650.666) = %v (%x), Go %v (%x)", got, math.Float64bits(got), goV, math.Float64bits(goV))
	}
}

func TestFileValueIntegers(t *testing.T) {
	for _, v := range []float64{0, 1, 97, 123456789, 1 << 39} {
		if got := FileValue(v, 60); got != v {
			t.Errorf("FileValue(%v) = %v", v, got)
		}
	}
	if !math.IsNaN(FileValue(math.NaN(), 60)) {
		t.Error("NaN")
	}
}
