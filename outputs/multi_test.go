package outputs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logtally/logtally/tally"
)

// broken is an Output that fails or panics on purpose.
type broken struct {
	panics bool
	writes int
}

func (b *broken) Write([]tally.Summary) error {
	b.writes++
	if b.panics {
		panic("boom")
	}
	return errors.New("cannot")
}

func (b *broken) Close() error { return errors.New("close failed") }

func TestMultiKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.jsonl")
	j, err := NewJSONLines(JSONLinesConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPrometheus(PrometheusConfig{Path: notDir(t) + ".prom"})
	if err != nil {
		t.Fatal(err)
	}
	bad, boom := &broken{}, &broken{panics: true}
	m := NewMulti(Named{"bad", bad}, Named{"boom", boom}, Named{"prom", p}, Named{"nil", nil}, Named{"jsonl", j})
	err = m.Write(fixture())
	for _, want := range []string{"bad: cannot", "boom: panic: boom", "prom: outputs: prometheus: write "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nlacks %q", err, want)
		}
	}
	if bad.writes != 1 || boom.writes != 1 {
		t.Errorf("writes %d %d", bad.writes, boom.writes)
	}
	if got := readFile(t, path); strings.Count(string(got), "\n") != 2 {
		t.Errorf("jsonl after a failing sibling: %q", got)
	}
	err = m.Close()
	if err == nil || !strings.Contains(err.Error(), "bad: close failed") || strings.Contains(err.Error(), "jsonl") {
		t.Errorf("Close: %v", err)
	}
}
