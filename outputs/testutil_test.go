package outputs

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logtally/logtally/tally"
)

// -update rewrites the golden files: go test ./outputs -update. Another
// test file of this package may define the same flag first; then theirs
// is used (updating reads whichever is registered).
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
	return true
}()

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./outputs -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n got: %q\nwant: %q", name, got, want)
	}
}

var fixtureMinute = time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC)

// fixture is a fixed minute covering every field and the awkward cases:
// quoting, a key named "other", keys with '=', '#', quotes, newlines and
// invalid UTF-8, a partial minute, empty sections, non-finite floats.
func fixture() []tally.Summary {
	return []tally.Summary{
		{
			Category: "asa",
			Minute:   fixtureMinute,
			Lines:    12345, Matched: 10000, Ignored: 2000, Unknown: 300, Late: 45,
			Counters:  []tally.Value{{Name: "http_connections", Value: 10000}, {Name: "denied", Value: 12}},
			Distincts: []tally.Distinct{{Name: "servers", Value: 345, Exact: false}, {Name: "users", Value: 7, Exact: true}},
			Tops: []tally.Top{
				{
					Name: "urls",
					Items: []tally.KeyCount{
						{Key: "www.example.com/index.html", Count: 120},
						{Key: "other", Count: 30, Error: 2},
						{Key: "www.example.com/a.png", Count: 30},
						{Key: "www.example.com/q?a=b&c=d", Count: 9},
						{Key: "#not-a-comment", Count: 5},
						{Key: "say \"hi\"\\\nthere", Count: 4},
						{Key: "bad\xffutf8", Count: 3},
					},
					Other: 17,
					Total: 218,
				},
				{
					Name:  "servers",
					Items: []tally.KeyCount{{Key: "www.example.com", Count: 199}, {Key: "cdn.example.net", Count: 2}},
					Total: 201,
				},
			},
			Stats: []tally.Stat{
				{Name: "bytes", Count: 10, Sum: 12345.5, Min: 0.25, Max: 1e21, Mean: 1234.55, P50: 40, P95: 700, P99: 800},
				{Name: "empty", Count: 0},
			},
		},
		{
			Category: "my app",
			Minute:   fixtureMinute,
			Partial:  true,
			Lines:    3, Unknown: 3,
			Stats: []tally.Stat{{Name: "odd", Count: 1, Sum: math.Inf(1), Min: math.NaN(), Max: math.Inf(-1), Mean: -0.5, P50: 1e-7, P95: 123456789, P99: 3}},
		},
	}
}
