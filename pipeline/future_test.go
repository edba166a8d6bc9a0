package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

func failedAt(t time.Time, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s h sshd[1]: Failed password for u%d from 10.0.0.1 port 22 ssh2\n", t.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i)
	}
	return b.String()
}

func sshdReplay(t *testing.T, input string) []tally.Summary {
	t.Helper()
	set, err := rules.Load("../examples/sshd/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return replay(t, set, strings.NewReader(input), RunOptions{})
}

func sum(rows []tally.Summary, category string, value func(tally.Summary) uint64) uint64 {
	var n uint64
	for _, r := range rows {
		if r.Category == category {
			n += value(r)
		}
	}
	return n
}

func counterOf(name string) func(tally.Summary) uint64 {
	return func(s tally.Summary) uint64 { return counter(s, name) }
}

func late(s tally.Summary) uint64 { return s.Late }

// One line stamped years ahead among good ones does not move the clock:
// it counts at the clock, flagged future=1, and the lines after it are not
// late.
func TestFutureLineDoesNotMoveClock(t *testing.T) {
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	input := failedAt(m0, 50) + failedAt(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 1) + failedAt(m0.Add(50*time.Second), 50)
	rows := sshdReplay(t, input)
	if got := sum(rows, "sshd", counterOf("failed")); got != 101 {
		t.Errorf("failed = %d, want 101", got)
	}
	if got := sum(rows, "sshd", late); got != 0 {
		t.Errorf("late = %d, want 0", got)
	}
	if got := sum(rows, SelfCategory, counterOf("future")); got != 1 {
		t.Errorf("future = %d, want 1", got)
	}
	for _, r := range rows {
		if r.Minute.Year() != 2026 {
			t.Fatalf("a row for %v", r.Minute)
		}
	}
}

// A real jump — a replayed file resuming after three quiet hours — is
// followed: the lines after it count at their own times, and every quiet
// minute in between is a row of zeros, complete, however long the stretch.
func TestEventClockFollowsRealJump(t *testing.T) {
	m0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	m1 := m0.Add(3 * time.Hour)
	rows := sshdReplay(t, failedAt(m0, 10)+failedAt(m1, 10)+failedAt(m1.Add(2*time.Minute), 1))
	perMinute := map[time.Time]tally.Summary{}
	for _, r := range rows {
		if r.Category == "sshd" {
			perMinute[r.Minute] = r
		}
	}
	if got := counter(perMinute[m0], "failed"); got != 10 {
		t.Errorf("failed at %v = %d, want 10", m0, got)
	}
	if got := counter(perMinute[m1], "failed"); got != 10 {
		t.Errorf("failed at %v = %d, want 10", m1, got)
	}
	if got := sum(rows, SelfCategory, counterOf("future")) + sum(rows, "sshd", late); got != 0 {
		t.Errorf("future + late = %d, want 0", got)
	}
	for m := m0.Add(time.Minute); m.Before(m1); m = m.Add(time.Minute) {
		r, ok := perMinute[m]
		if !ok || r.Lines != 0 || r.Partial {
			t.Fatalf("quiet minute %v: row %v (present %v), want a complete zero row", m, r, ok)
		}
	}
}
