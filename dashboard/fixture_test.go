package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/testenv"
)

// fixture is the output of scripts/dashboard-data.sh: the real summarize
// and aireport run on the shipped examples, plus examples/holtwinters.
type fixture struct {
	dir string
	// last is each category's last JSON-lines summary, decoded here
	// independently of the package (generic JSON), for comparisons.
	last map[string]map[string]any
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  string
)

// TestMain removes the fixtures the tests and benchmarks wrote.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		os.RemoveAll(filepath.Dir(fixtureVal.dir))
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// buildFixture builds summarize and aireport and runs the data script once
// per test binary. It fails (never skips) when a component is missing.
func buildFixture(t *testing.T) *fixture {
	t.Helper()
	// The data script is bash with sed and sort: not the fast tier.
	testenv.RequireBinaries(t, "bash", "sed", "sort")
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "logtally-dash")
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		bin := filepath.Join(dir, "bin")
		build := exec.Command("go", "build", "-o", bin+"/", "./cmd/summarize", "./cmd/aireport")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			fixtureErr = "build: " + err.Error() + "\n" + string(out)
			return
		}
		data := filepath.Join(dir, "data")
		script := exec.Command("scripts/dashboard-data.sh", data, bin)
		script.Dir = ".."
		if out, err := script.CombinedOutput(); err != nil {
			fixtureErr = "scripts/dashboard-data.sh: " + err.Error() + "\n" + string(out)
			return
		}
		f := &fixture{dir: data, last: map[string]map[string]any{}}
		file, err := os.Open(filepath.Join(data, "summaries.jsonl"))
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		defer file.Close()
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				fixtureErr = err.Error()
				return
			}
			if c, ok := m["category"].(string); ok {
				f.last[c] = m
			}
		}
		fixtureVal = f
	})
	if fixtureVal == nil {
		t.Fatalf("dashboard fixture: %s", fixtureErr)
	}
	return fixtureVal
}

// serve starts the dashboard on the fixture on a loopback port; summaries
// replaces the fixture's JSON-lines file when not empty.
func (f *fixture) serve(t *testing.T, poll time.Duration, summaries string) (*httptest.Server, *Dashboard) {
	t.Helper()
	if summaries == "" {
		summaries = filepath.Join(f.dir, "summaries.jsonl")
	}
	d, err := New(Config{
		RRDDir:     filepath.Join(f.dir, "rrd"),
		JSONFiles:  []string{summaries, filepath.Join(f.dir, "alerts.jsonl")},
		ReportsDir: filepath.Join(f.dir, "reports"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(d, ServerConfig{PollEvery: poll})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Run(ctx, ready)
	}()
	<-ready
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		cancel()
		<-done
	})
	return ts, d
}

// incident returns the on and off minutes of the web/errors failure that
// examples/holtwinters' incident (Saturday 14:00) raised, from alerts.jsonl.
func (f *fixture) incident(t *testing.T) (on, off time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a struct {
			State  string    `json:"state"`
			Minute time.Time `json:"minute"`
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		switch {
		case a.State == "on" && a.Minute.Hour() == 14 && on.IsZero():
			on = a.Minute.UTC()
		case a.State == "off" && !on.IsZero() && off.IsZero():
			off = a.Minute.UTC()
		}
	}
	if on.IsZero() || off.IsZero() {
		t.Fatalf("alerts.jsonl has no incident on/off pair:\n%s", b)
	}
	return on, off
}
