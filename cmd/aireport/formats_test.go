package main

import (
	"strings"
	"testing"
	"time"
)

// TestHeaderStrippingAllFormats: the same message in every input format
// summarize accepts lands in one group; --header cut behaves like
// `cut -c 17-`.
func TestHeaderStrippingAllFormats(t *testing.T) {
	withClock(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	lines := []string{
		`Nov 22 01:37:32 vm myapp[29808]: disk "sda" at 91% full`,
		`2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: disk "sda" at 92% full`,
		`<156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  disk "sda" at 93% full`,
		`<156>Nov 22 01:37:32 vm myapp[29808]: disk "sda" at 94% full`,
		`<156>2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: disk "sda" at 95% full`,
		`{"timereported":"2026-11-22T01:37:32.195671+00:00","hostname":"vm","programname":"myapp","msg":"disk \"sda\" at 96% full"}`,
	}
	in := []byte(strings.Join(lines, "\n") + "\n")
	rep := report(t, runAI(t, in, "-f", "json", "--tz", "UTC"))
	s := rep.Sections[0]
	if len(s.Groups) != 1 || s.Groups[0].Count != 6 || s.Groups[0].Key != `myapp: disk "sda" at <NUM>% full` || s.Unparsed != 0 {
		for _, g := range s.Groups {
			t.Logf("%d %q", g.Count, g.Key)
		}
		t.Fatalf("want one group of 6, got %d groups, %d unparsed", len(s.Groups), s.Unparsed)
	}
	// every format carries a time the range filter understands
	rep = report(t, runAI(t, in, "-f", "json", "--tz", "UTC", "--since", "2026-11-22T01:37:00Z", "--until", "2026-11-22T01:38:00Z"))
	if s := rep.Sections[0]; s.Lines != 6 || s.OutOfRange != 0 {
		t.Errorf("time range: %d lines, %d out of range", s.Lines, s.OutOfRange)
	}
	cut := runAI(t, []byte(lines[0]+"\n"), "--header", "cut", "--grouping", "exact", "--masks", "none", "-f", "uniq")
	if cut.stdout != `      1 vm myapp[29808]: disk "sda" at 91% full`+"\n" {
		t.Errorf("--header cut: %q", cut.stdout)
	}
}
