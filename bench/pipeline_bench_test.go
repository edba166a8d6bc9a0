package bench

import (
	"bytes"
	"context"
	"github.com/logtally/logtally/internal/benchutil"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/corpus"
	"github.com/logtally/logtally/pipeline"
	"github.com/logtally/logtally/rules"
)

// benchLines is a realistic corpus in memory: the default mix (40% ASA,
// 25% nginx, 15% postfix, 10% sshd, 5% cron, 5% kernel).
func benchLines(b *testing.B, n int, format corpus.Format, pad int) [][]byte {
	b.Helper()
	g := corpus.New(corpus.Config{Seed: 1, Format: format, PadMessagesTo: pad, LinesPerMin: 60000})
	lines := make([][]byte, n)
	var buf []byte
	for i := range lines {
		buf, _ = g.Next(buf[:0])
		lines[i] = append([]byte(nil), buf...)
	}
	return lines
}

// benchRules loads a rule file; name is job, asa, mixed or rulesN (N=10,
// 100, 500: benchutil.WriteRules).
func benchRules(b *testing.B, name string) *rules.Set {
	b.Helper()
	path := filepath.Join(b.TempDir(), name+".yaml")
	var buf bytes.Buffer
	var err error
	switch name {
	case "job":
		path = filepath.Join(repoRoot(b), "bench", "peers", "job.yaml")
	case "asa":
		path = filepath.Join(repoRoot(b), "examples", "asa", "rules.yaml")
	case "mixed":
		var paths []string
		for _, d := range corpus.Daemons {
			paths = append(paths, filepath.Join(repoRoot(b), "examples", d, "rules.yaml"))
		}
		err = benchutil.MergeRules(&buf, paths)
	case "rules10":
		err = benchutil.WriteRules(&buf, 10)
	case "rules100":
		err = benchutil.WriteRules(&buf, 100)
	case "rules500":
		err = benchutil.WriteRules(&buf, 500)
	default:
		b.Fatalf("unknown rule set %q", name)
	}
	if err != nil {
		b.Fatal(err)
	}
	if buf.Len() > 0 {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	set, err := rules.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

func newBenchEngine(b *testing.B, set *rules.Set) *pipeline.Engine {
	b.Helper()
	e, err := pipeline.New(pipeline.Config{
		Rules:      set,
		Now:        func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) },
		Location:   time.UTC,
		EventClock: true,
		Grace:      10 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkEngineLine is the per-line path of summarize (parse, dispatch,
// match, count) on the corpus, one line per op, with the rule sets of the
// benchmarks. Profile it with
//
//	go test ./bench -run '^$' -bench 'EngineLine/mixed' -cpuprofile cpu.out
//	go tool pprof -top bench.test cpu.out
func BenchmarkEngineLine(b *testing.B) {
	type tc struct {
		rules  string
		format corpus.Format
		pad    int
	}
	for _, c := range []tc{
		{"mixed", corpus.Traditional, 0},
		{"mixed", corpus.File, 0},
		{"job", corpus.Traditional, 0},
		{"rules10", corpus.Traditional, 0},
		{"rules100", corpus.Traditional, 0},
		{"rules500", corpus.Traditional, 0},
		{"job", corpus.Traditional, 1024},
	} {
		name := c.rules + "/" + string(c.format)
		if c.pad > 0 {
			name += "/pad1024"
		}
		b.Run(name, func(b *testing.B) {
			lines := benchLines(b, 1<<16, c.format, c.pad)
			e := newBenchEngine(b, benchRules(b, c.rules))
			arrived := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
			var bytesN int64
			for _, l := range lines {
				bytesN += int64(len(l)) + 1
			}
			b.SetBytes(bytesN / int64(len(lines)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.Line(lines[i&(len(lines)-1)], arrived)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkEngineRun is summarize's whole engine (reader, engine, minute
// closing) on 256k lines of the mixed corpus from an in-memory stdin.
func BenchmarkEngineRun(b *testing.B) {
	lines := benchLines(b, 1<<18, corpus.Traditional, 0)
	var in []byte
	for _, l := range lines {
		in = append(append(in, l...), '\n')
	}
	set := benchRules(b, "mixed")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := newBenchEngine(b, set)
		if err := e.Run(context.Background(), bytes.NewReader(in), nil, pipeline.RunOptions{TickEvery: time.Second}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(lines))/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkEngineLineNewKeys is the per-line path when most top-N keys are
// new: ASA URL lines whose every URL is different, counted by server+path
// in a table that keeps 8,000 of the 65,536 keys (k 1000), all within one
// minute, so the table evicts on nearly every line. It must not allocate.
func BenchmarkEngineLineNewKeys(b *testing.B) {
	g := corpus.New(corpus.Config{Seed: 1, Format: corpus.Traditional, Mix: map[string]int{"asa": 1},
		UniqueURLs: true, LinesPerMin: 60 << 20}) // 65,536 lines in a few seconds
	var lines [][]byte
	var buf []byte
	for len(lines) < 1<<16 {
		var d string
		buf, d = g.Next(buf[:0])
		if d == "asa" && bytes.Contains(buf, []byte("Accessed URL")) {
			lines = append(lines, append([]byte(nil), buf...))
		}
	}
	set, err := rules.Parse("newkeys.yaml", []byte(`
categories:
  - name: asa
    match: {program: "%ASA-*"}
    rules:
      - name: url
        substring: "Accessed URL "
        pattern: '^\S+ Accessed URL (?P<server>[^/ ]+)(?P<path>[^? ]+)'
        count: http_connections
        top:
          urls: {key: "${server}${path}", k: 1000}
`))
	if err != nil {
		b.Fatal(err)
	}
	e := newBenchEngine(b, set)
	arrived := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, l := range lines { // warm: the table's arenas reach their working size
		e.Line(l, arrived)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Line(lines[i&(len(lines)-1)], arrived)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
