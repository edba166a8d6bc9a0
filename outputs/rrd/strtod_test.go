package rrd

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	librrd "github.com/ziutek/rrd"

	"github.com/logtally/logtally/holtwinters"
)

// holtwinters.RRDStrtod against the real librrd: decimal values written
// as update text and read back bit for bit (a step of 1 s keeps the
// primary-data-point arithmetic exact), 20,000 of them with one to six
// decimals over many magnitudes. Go's ParseFloat differs from librrd on a
// good part of them; RRDStrtod on none.
func TestRRDStrtodMatchesLibrrd(t *testing.T) {
	const n = 20000
	rng := rand.New(rand.NewPCG(13, 17))
	texts := []string{"650.666", "0.1", "0.3", "123.456", "1e-3", "2.5e2", "-17.25", "9007199254740993", "1.7976931348623157e308"}
	for len(texts) < n {
		mag := rng.IntN(7)
		decimals := 1 + rng.IntN(6)
		v := rng.Float64() * math.Pow(10, float64(mag))
		texts = append(texts, strconv.FormatFloat(v, 'f', decimals, 64))
	}
	path := filepath.Join(t.TempDir(), "strtod.rrd")
	start := time.Unix(1_700_000_000, 0)
	c := librrd.NewCreator(path, start, 1)
	c.DS("v", "GAUGE", 600, "U", "U")
	c.RRA("AVERAGE", 0.5, 1, n+10)
	if err := c.Create(true); err != nil {
		t.Fatal(err)
	}
	u := librrd.NewUpdater(path)
	for i, s := range texts {
		u.Cache(start.Unix()+int64(i+1), s)
		if (i+1)%500 == 0 || i == len(texts)-1 {
			if err := u.Update(); err != nil {
				t.Fatalf("update: %v", err)
			}
		}
	}
	res, err := librrd.Fetch(path, "AVERAGE", start, start.Add(time.Duration(n)*time.Second), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer res.FreeValues()
	goDiffers, mismatches := 0, 0
	for i, s := range texts {
		file := res.ValueAt(0, i) // the value at start+(i+1) s
		ours, ok := holtwinters.RRDStrtod(s)
		if !ok {
			t.Fatalf("RRDStrtod(%q) failed", s)
		}
		if math.Float64bits(ours) != math.Float64bits(file) {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("%q: librrd stored %v (%x), RRDStrtod %v (%x)", s, file, math.Float64bits(file), ours, math.Float64bits(ours))
			}
		}
		if g, _ := strconv.ParseFloat(s, 64); g != file {
			goDiffers++
		}
	}
	t.Logf("%d values: strconv.ParseFloat differs from librrd on %d (%.1f %%), RRDStrtod on %d", n, goDiffers, 100*float64(goDiffers)/n, mismatches)
	if goDiffers == 0 {
		t.Error("ParseFloat never differs: the test no longer shows what RRDStrtod is for")
	}
	if mismatches > 0 {
		t.Errorf("RRDStrtod differs from librrd on %d of %d values", mismatches, n)
	}
}
