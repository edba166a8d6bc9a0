package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/testenv"
)

// --rrd-dir: the ASA example's closed minutes land in one RRD per counter,
// read back with the real rrdtool; the partial last minute is not stored.
func TestRRDOutput(t *testing.T) {
	rrdtool := testenv.RequireBinary(t, "rrdtool")
	dir := t.TempDir()
	in, err := os.Open("../../examples/asa/sample.log")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	defer setNow(func() time.Time { return fixedNow })()
	var stdout, stderr bytes.Buffer
	args := []string{"--rules", "../../examples/asa/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none", "--rrd-dir", dir}
	if code := run(context.Background(), args, in, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out, err := exec.Command(rrdtool, "lastupdate", filepath.Join(dir, "asa", "http_connection_count.rrd")).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool lastupdate: %v: %s", err, out)
	}
	// Minutes 10:00 (109) and 10:01 (97) are closed; 10:02 is partial.
	end := time.Date(2026, 11, 22, 10, 2, 0, 0, time.UTC).Unix()
	want := strings.TrimSpace(strings.Join([]string{"value", "", strconv.FormatInt(end, 10) + ": 97"}, "\n"))
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("lastupdate:\n%s\nwant:\n%s", got, want)
	}
}
