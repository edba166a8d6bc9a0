package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/pipeline"
	"github.com/logtally/logtally/rules"
	"github.com/logtally/logtally/tally"
)

// equivRules exercise every per-minute metric: a small top table that
// evicts constantly, one big enough to keep every key, distinct counts
// that cross their exact threshold, decimal statistics, and a reload
// target that changes table sizes.
const equivRules = `
categories:
  - name: web
    match: {program: web}
    rules:
      - name: hit
        substring: "GET "
        pattern: 'GET (?P<server>\S+) (?P<path>\S+) (?P<ms>\S+) from (?P<client>\S+)'
        count: hits
        top:
          small: {key: "${server}${path}", k: 3}
          urls: {key: "${server}${path}", k: 20000}
          servers: {key: "${server}", k: 50}
        distinct:
          clients: {key: "${client}", exact: 100}
        stats:
          ms: "${ms}"
  - name: sshd
    match: {program: sshd}
    rules:
      - name: accepted
        pattern: 'Accepted \S+ for (?P<user>\S+)'
        count: accepted
        top:
          users: {key: "${user}", k: 10}
`

// equivReload changes k and thresholds, so the open tables are re-shaped
// by merging (Window.Rebind).
const equivReload = `
categories:
  - name: web
    match: {program: web}
    rules:
      - name: hit
        substring: "GET "
        pattern: 'GET (?P<server>\S+) (?P<path>\S+) (?P<ms>\S+) from (?P<client>\S+)'
        count: hits
        top:
          small: {key: "${server}${path}", k: 7}
          urls: {key: "${server}${path}", k: 20000}
        distinct:
          clients: {key: "${client}", exact: 20}
        stats:
          ms: "${ms}"
`

// randomStream returns n lines over a few minutes of event time, with late
// lines, lines far ahead of the clock, malformed lines and lines no
// category claims.
func randomStream(seed uint64, n int, start time.Time) []byte {
	r := rand.New(rand.NewPCG(seed, 77))
	var b []byte
	t := start
	for range n {
		t = t.Add(time.Duration(r.IntN(40)) * time.Millisecond)
		at := t
		switch r.IntN(400) {
		case 0, 1:
			at = t.Add(-time.Duration(r.IntN(120)) * time.Second) // late, maybe beyond the grace
		case 2:
			at = t.Add(2 * time.Hour) // far ahead: held, then counted at the clock (pipeline/future.go)
		}
		ts := at.Format(time.Stamp)
		switch k := r.IntN(20); {
		case k < 14:
			b = fmt.Appendf(b, "%s fw web[1]: GET www%d.example.com /p/%d %d.%03d from 10.0.%d.%d\n", ts,
				r.IntN(40), r.IntN(3000), r.IntN(500), r.IntN(1000), r.IntN(4), r.IntN(256))
		case k < 17:
			b = fmt.Appendf(b, "%s bastion sshd[2]: Accepted password for user%d from 10.1.1.1 port 22 ssh2\n", ts, r.IntN(60))
		case k < 18:
			b = fmt.Appendf(b, "%s bastion sshd[2]: Failed password for user%d\n", ts, r.IntN(60))
		case k < 19:
			b = fmt.Appendf(b, "%s app cron[3]: job %d\n", ts, r.IntN(9))
		default:
			b = append(b, "not a syslog line\n"...)
		}
	}
	return b
}

type jsonRows struct {
	mu sync.Mutex
	b  []byte
	n  int
}

func (j *jsonRows) Write(minute []tally.Summary) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range minute {
		j.b = outputs.AppendJSON(j.b, &minute[i])
		j.b = append(j.b, '\n')
		j.n++
	}
	return nil
}
func (j *jsonRows) Close() error { return nil }

func (j *jsonRows) bytes() []byte {
	j.mu.Lock()
	defer j.mu.Unlock()
	return bytes.Clone(j.b)
}

// equivRun replays stream on the event clock with the given workers, and
// returns the JSON lines emitted and the checkpoint left at exit.
func equivRun(t *testing.T, stream []byte, workers, bufSize int, now time.Time) (jsonl, checkpoint []byte) {
	t.Helper()
	set, err := rules.Parse("equiv.yaml", []byte(equivRules))
	if err != nil {
		t.Fatal(err)
	}
	out := &jsonRows{}
	e, err := pipeline.New(pipeline.Config{Rules: set, Location: time.UTC, EventClock: true, Grace: 20 * time.Second,
		Now: func() time.Time { return now }, Outputs: []pipeline.Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "checkpoint")
	opt := pipeline.RunOptions{Workers: workers, BufSize: bufSize, Ticks: make(chan time.Time),
		Checkpoint: cp, CheckpointEvery: time.Hour}
	if err := e.Run(context.Background(), bytes.NewReader(stream), nil, opt); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	return out.bytes(), data
}

// Random streams through 1, 2 and 8 workers give byte-identical JSON
// summaries and checkpoints: top-N items, their errors and "other" (with
// and without evictions), distinct counts, statistics, late lines. Small
// buffers make many chunks, so minutes close in the middle of a batch.
func TestWorkersEquivalentRandomStreams(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for seed := range uint64(3) {
		stream := randomStream(seed, 20000, start)
		// The clock stands before the stream's end, so the newest minutes
		// are still open at exit and go to the checkpoint.
		now := start
		wantJSON, wantCP := equivRun(t, stream, 1, 4096, now)
		if bytes.Count(wantJSON, []byte("\n")) < 10 || len(wantCP) < 1000 {
			t.Fatalf("seed %d: too little output to compare (%d B of JSON, %d B of checkpoint)", seed, len(wantJSON), len(wantCP))
		}
		if !regexp.MustCompile(`"future":[1-9]`).Match(wantJSON) {
			t.Fatalf("seed %d: no line was held as far ahead of the clock", seed)
		}
		if !bytes.Contains(wantJSON, []byte(`"error":`)) {
			t.Logf("seed %d: no top-N item carries an error (no evictions reported)", seed)
		}
		for _, workers := range []int{2, 8} {
			for _, bufSize := range []int{4096, 64 << 10} {
				gotJSON, gotCP := equivRun(t, stream, workers, bufSize, now)
				if !bytes.Equal(gotJSON, wantJSON) {
					t.Errorf("seed %d, %d workers, %d B buffers: JSON summaries differ from one worker's\n%s", seed, workers, bufSize, firstDiff(gotJSON, wantJSON))
				}
				if !bytes.Equal(gotCP, wantCP) {
					t.Errorf("seed %d, %d workers, %d B buffers: checkpoint differs from one worker's", seed, workers, bufSize)
				}
			}
		}
	}
}

// EmitNow and Reload in the middle of a stream: once the first half is
// counted, the snapshot and everything after the reload are the same for
// 1, 2 and 8 workers (arrival clock: every line counts in the same minute).
func TestWorkersEquivalentControls(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	stream := randomStream(9, 20000, start)
	half := bytes.IndexByte(stream[len(stream)/2:], '\n') + len(stream)/2 + 1
	var want []byte
	for _, workers := range []int{1, 2, 8} {
		got := controlsRun(t, stream[:half], stream[half:], workers)
		if want == nil {
			want = got
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d workers: snapshot and rows after the reload differ from one worker's\n%s", workers, firstDiff(got, want))
		}
	}
}

func controlsRun(t *testing.T, first, second []byte, workers int) []byte {
	set, err := rules.Parse("equiv.yaml", []byte(equivRules))
	if err != nil {
		t.Fatal(err)
	}
	reload, err := rules.Parse("reload.yaml", []byte(equivReload))
	if err != nil {
		t.Fatal(err)
	}
	out := &jsonRows{}
	now := time.Date(2026, 11, 22, 10, 0, 30, 0, time.UTC)
	e, err := pipeline.New(pipeline.Config{Rules: set, Location: time.UTC, Now: func() time.Time { return now },
		Outputs: []pipeline.Output{out}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	controls := make(chan pipeline.Control)
	done := make(chan error, 1)
	go func() {
		done <- e.Run(context.Background(), pr, controls, pipeline.RunOptions{Workers: workers, BufSize: 4096, Ticks: make(chan time.Time)})
	}()
	send := func(c pipeline.Control) {
		c.Done = make(chan error, 1)
		controls <- c
		if err := <-c.Done; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pw.Write(first); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(first, []byte("\n"))
	var snapshot []byte
	deadline := time.Now().Add(20 * time.Second)
	for { // snapshots until the first half is all counted
		mark := len(out.bytes())
		send(pipeline.Control{Kind: pipeline.EmitNow})
		snapshot = out.bytes()[mark:]
		if selfLinesIs(snapshot, lines) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first %d lines were not counted within 20s; last snapshot:\n%s", lines, snapshot)
		}
		time.Sleep(2 * time.Millisecond)
	}
	send(pipeline.Control{Kind: pipeline.Reload, Rules: reload})
	mark := len(out.bytes())
	if _, err := pw.Write(second); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return append(snapshot, out.bytes()[mark:]...)
}

// selfLinesIs reports whether the snapshot's self row counts n lines.
func selfLinesIs(snapshot []byte, n int) bool {
	for _, l := range bytes.Split(snapshot, []byte("\n")) {
		if bytes.Contains(l, []byte(`"category":"logtally",`)) && bytes.Contains(l, []byte(fmt.Sprintf(`,"lines":%d,`, n))) {
			return true
		}
	}
	return false
}

func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return fmt.Sprintf("line %d:\n got %.600s\nwant %.600s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(al), len(bl))
}
