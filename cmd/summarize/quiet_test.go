package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRRDQuietStretch: a replayed file with 90 quiet minutes (more than the
// 60 that used to get zero rows) stores 0 for every one of them in the RRD
// file, never unknown: an unknown minute counts as a violation in RRDtool's
// aberrant-behaviour detection and raised a false alert around the gap.
func TestRRDQuietStretch(t *testing.T) {
	rrdtool, err := exec.LookPath("rrdtool")
	if err != nil {
		t.Fatal("rrdtool not installed: run `make deps`")
	}
	m0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var in strings.Builder
	for _, m := range []int{0, 1, 2, 3, 4, 5, 96, 97, 98, 99} {
		for i := range 3 {
			at := m0.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second)
			fmt.Fprintf(&in, "%s h sshd[1]: Failed password for u%d from 10.0.0.1 port 22 ssh2\n", at.Format(time.RFC3339), i)
		}
	}
	dir := t.TempDir()
	defer setNow(func() time.Time { return fixedNow })()
	var stdout, stderr bytes.Buffer
	args := []string{"--rules", "../../examples/sshd/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none", "--rrd-dir", dir}
	if code := run(context.Background(), args, strings.NewReader(in.String()), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// Rows of minutes 9:00 … 10:38 (10:39 is partial, not stored); an RRD
	// row at T holds the minute ending at T.
	start, end := m0.Unix(), m0.Add(99*time.Minute).Unix()
	out, err := exec.Command(rrdtool, "fetch", filepath.Join(dir, "sshd", "failed.rrd"), "AVERAGE", "-r", "60",
		"-s", strconv.FormatInt(start, 10), "-e", strconv.FormatInt(end, 10)).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool fetch: %v: %s", err, out)
	}
	rows := 0
	for _, l := range strings.Split(string(out), "\n") {
		ts, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		sec, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if err != nil || sec <= start || sec > end {
			continue
		}
		rows++
		minute := time.Unix(sec, 0).UTC().Add(-time.Minute)
		want := 0.0
		if minute.Before(m0.Add(6*time.Minute)) || !minute.Before(m0.Add(96*time.Minute)) {
			want = 3
		}
		got, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || got != want {
			t.Errorf("minute %s: %q, want %v", minute.Format("15:04"), strings.TrimSpace(v), want)
		}
	}
	if rows != 99 {
		t.Errorf("%d rows fetched, want 99:\n%s", rows, out)
	}
}
