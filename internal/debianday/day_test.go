package debianday

import (
	"slices"
	"testing"
	"time"

	"github.com/logtally/logtally/parsers"
)

func TestDayIsDeterministicOrderedAndParses(t *testing.T) {
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	a := Day(Config{Seed: 7, Start: start, Lines: 5000})
	b := Day(Config{Seed: 7, Start: start, Lines: 5000})
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different lines")
	}
	if c := Day(Config{Seed: 8, Start: start, Lines: 5000}); slices.Equal(a, c) {
		t.Fatal("different seeds, same lines")
	}
	if len(a) < 5000 || len(a) > 5100 {
		t.Fatalf("%d lines, want about 5000", len(a))
	}
	p := parsers.New(func() time.Time { return start.Add(23 * time.Hour) }, time.UTC)
	var rec parsers.Record
	var prev time.Time
	programs := map[string]bool{}
	for i, l := range a {
		if err := p.Parse([]byte(l), &rec); err != nil {
			t.Fatalf("line %d does not parse: %v: %s", i+1, err, l)
		}
		if rec.Time.Before(prev) {
			t.Fatalf("line %d goes back in time: %s", i+1, l)
		}
		prev = rec.Time
		programs[string(rec.Program)] = true
	}
	for _, want := range []string{"sshd", "CRON", "systemd", "postfix/smtpd", "kernel", "sudo", "su", "smartd"} {
		if !programs[want] {
			t.Errorf("no %s lines in a day", want)
		}
	}
}
