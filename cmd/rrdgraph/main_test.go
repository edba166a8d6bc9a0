package main

import (
	"bytes"
	"context"
	"github.com/logtally/logtally/outputs/rrd"
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logtally/logtally/holtwinters"
	"github.com/logtally/logtally/tally"
)

func TestRenderPNG(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	const P = 60
	out, err := rrd.New(rrd.Config{Dir: dir, Forecast: func(string) holtwinters.Params { return holtwinters.DefaultParams(P) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6*P; i++ {
		v := 100 + 50*math.Sin(2*math.Pi*float64(i%P)/P)
		if i > 5*P && i < 5*P+10 {
			v *= 3
		}
		s := []tally.Summary{{Category: "web", Minute: t0.Add(time.Duration(i) * time.Minute), Counters: []tally.Value{{Name: "hits", Value: uint64(v)}}}}
		if err := out.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	end := t0.Add(6 * P * time.Minute)
	tests := []struct {
		name string
		args []string
		w, h int
		code int
	}{
		{"stdout", []string{"--dir", dir, "--category", "web", "--counter", "hits", "--start", "-6h", "--size", "640x240"}, 640, 240, 0},
		{"file", []string{"--file", rrd.Path(dir, "web", "hits"), "--start", t0.Format(time.RFC3339), "--size", "1000x400", "--out", filepath.Join(dir, "g.png")}, 1000, 400, 0},
		{"bad size", []string{"--file", "x.rrd", "--size", "big"}, 0, 0, 2},
		{"missing file", []string{"--file", filepath.Join(dir, "nope.rrd")}, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, nil, &stdout, &stderr, func() time.Time { return end })
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if code != 0 {
				return
			}
			img := stdout.Bytes()
			if tc.name == "file" {
				if img, err = os.ReadFile(filepath.Join(dir, "g.png")); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("not a PNG: % x", img[:min(8, len(img))])
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
			if err != nil || format != "png" || cfg.Width != tc.w || cfg.Height != tc.h {
				t.Fatalf("DecodeConfig = %+v %q %v, want %dx%d png", cfg, format, err, tc.w, tc.h)
			}
		})
	}
}
