package main

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExample runs the example on a shortened, simulated-clock series: four
// days, the incident on Thursday at 14:00.
func TestExample(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "web-errors.png")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dir", dir, "--days", "4", "--incident", "5160", "--graph", png}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	t.Log(out)
	if !strings.Contains(out, "aberration state=on category=web counter=errors minute=2026-11-19T14:0") {
		t.Errorf("no alert for the incident in:\n%s", out)
	}
	if !strings.Contains(out, `{"type":"aberration","state":"on"`) {
		t.Errorf("no JSON alert record")
	}
	if _, err := os.Stat(filepath.Join(dir, "web", "errors.rrd")); err != nil {
		t.Error(err)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, format, err := image.DecodeConfig(f); err != nil || format != "png" || cfg.Width != 1000 || cfg.Height != 360 {
		t.Errorf("graph: %+v %s %v", cfg, format, err)
	}
}
