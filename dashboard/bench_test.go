package dashboard

// The scale the dashboard is sized for: 50 categories × 20 counters with two
// days of minutes. `make bench-dashboard` runs these benchmarks:
//
//	BenchmarkDashboardData     overview / category data, in process and over HTTP
//	BenchmarkDashboardProcess  the real binary's RSS and the browser's first render
//
// They are measurements, not assertions.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ziutek/rrd"
)

const (
	benchCategories = 50
	benchCounters   = 20
	benchDays       = 2
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchEnd is the end of the generated data (the last minute's end).
var benchEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// scaleFixture writes, once per test binary, 50 categories × (20 counters +
// _lines) RRD files in summarize's layout and two days of JSON-lines
// summaries for them (each minute with its 20 counters, a 10-key top table
// and two statistics, as summarize writes them).
func scaleFixture(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		start := time.Now()
		benchDir, benchErr = os.MkdirTemp("", "logtally-dash-bench")
		if benchErr == nil {
			benchErr = writeScaleFixture(benchDir)
		}
		fmt.Fprintf(os.Stderr, "bench fixture: %d categories × %d counters, %d days of minutes, written in %v (%s)\n",
			benchCategories, benchCounters, benchDays, time.Since(start).Round(time.Millisecond), benchDir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

func writeScaleFixture(dir string) error {
	// Three days through Holt-Winters (one period to bootstrap), so that the
	// last two days carry a band; one template file per counter, copied
	// into every category (distinct files: the page cache holds them all).
	tmpl := filepath.Join(dir, "templates")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		return err
	}
	minutes := 3 * 1440
	first := benchEnd.Add(-time.Duration(minutes) * time.Minute)
	names := []string{linesName}
	for c := range benchCounters {
		names = append(names, fmt.Sprintf("counter_%02d", c))
	}
	for i, name := range names {
		path := filepath.Join(tmpl, name+rrdExt)
		cr := rrd.NewCreator(path, first, rrdStep)
		cr.DS(rrdDS, "GAUGE", 120, 0, "U")
		for _, cf := range []string{"AVERAGE", "MAX"} {
			cr.RRA(cf, 0.5, 1, 2880)
			cr.RRA(cf, 0.5, 5, 4032)
			cr.RRA(cf, 0.5, 60, 9504)
		}
		cr.RRA("HWPREDICT", 2880, 0.1, 0.0035, 1440)
		if err := cr.Create(true); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		r := rand.New(rand.NewPCG(uint64(i), 1))
		u := rrd.NewUpdater(path)
		for m := range minutes {
			t := first.Add(time.Duration(m+1) * time.Minute)
			u.Cache(t, benchValue(r, m, i))
			if (m+1)%500 == 0 || m == minutes-1 {
				if err := u.Update(); err != nil {
					return fmt.Errorf("update %s: %w", path, err)
				}
			}
		}
	}
	for c := range benchCategories {
		cat := filepath.Join(dir, "rrd", fmt.Sprintf("category_%02d", c))
		if err := os.MkdirAll(cat, 0o755); err != nil {
			return err
		}
		for _, name := range names {
			if err := copyFile(filepath.Join(tmpl, name+rrdExt), filepath.Join(cat, name+rrdExt)); err != nil {
				return err
			}
		}
	}
	// Two days of JSON lines, minute by minute, all categories.
	f, err := os.Create(filepath.Join(dir, "summaries.jsonl"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(9, 9))
	jsonFirst := benchEnd.Add(-benchDays * 24 * time.Hour)
	var line []byte
	for m := range benchDays * 1440 {
		minute := jsonFirst.Add(time.Duration(m) * time.Minute)
		for c := range benchCategories {
			line = benchSummary(line[:0], r, c, minute, m)
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func benchValue(r *rand.Rand, minute, series int) float64 {
	h := float64(minute%1440) / 60
	base := 50 + 10*float64(series%7) + 40*math.Sin((h-8)/24*2*math.Pi)
	return math.Max(0, math.Round(base+r.NormFloat64()*math.Sqrt(base)))
}

func benchSummary(b []byte, r *rand.Rand, c int, minute time.Time, m int) []byte {
	b = fmt.Appendf(b, `{"category":"category_%02d","minute":"%s","partial":false,"lines":%d,"matched":%d,"ignored":0,"unknown":%d,"late":0,"counters":{`,
		c, minute.Format(time.RFC3339), 1000+r.IntN(500), 900+r.IntN(100), r.IntN(20))
	for k := range benchCounters {
		if k > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `"counter_%02d":%d`, k, r.IntN(1000))
	}
	b = append(b, `},"distinct":{"clients":{"value":`...)
	b = strconv.AppendInt(b, int64(r.IntN(300)), 10)
	b = append(b, `,"exact":true}},"top":{"urls":{"items":[`...)
	total := 0
	for k := range 10 {
		if k > 0 {
			b = append(b, ',')
		}
		n := 100 - 9*k
		total += n
		b = fmt.Appendf(b, `{"key":"/path/%d/page-%d.html","count":%d,"error":0}`, k, (m+k)%37, n)
	}
	b = fmt.Appendf(b, `],"other":120,"total":%d}},"stats":{`, total+120)
	for i, name := range []string{"bytes", "latency_ms"} {
		if i > 0 {
			b = append(b, ',')
		}
		p50 := 100 + r.Float64()*50
		b = fmt.Appendf(b, `%q:{"count":900,"sum":%g,"min":1,"max":%g,"mean":%g,"p50":%g,"p95":%g,"p99":%g}`,
			name, p50*900, p50*5, p50*1.1, p50, p50*2, p50*3)
	}
	return append(b, "}}\n"...)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func benchDashboard(b *testing.B, dir string) *Dashboard {
	d, err := New(Config{RRDDir: filepath.Join(dir, "rrd"), JSONFiles: []string{filepath.Join(dir, "summaries.jsonl")},
		Now: func() time.Time { return benchEnd }})
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkDashboardData: ns/op of each sub-benchmark is the time to have
// that page's data ready (no cache: every op reads the RRD files).
func BenchmarkDashboardData(b *testing.B) {
	dir := scaleFixture(b)
	b.Run("startup-first-poll", func(b *testing.B) {
		for b.Loop() {
			if err := benchDashboard(b, dir).Poll(); err != nil {
				b.Fatal(err)
			}
		}
	})
	d := benchDashboard(b, dir)
	if err := d.Poll(); err != nil {
		b.Fatal(err)
	}
	b.Run("overview", func(b *testing.B) {
		for b.Loop() {
			if ov := d.Overview(); len(ov.Categories) != benchCategories || ov.Categories[0].Series == nil {
				b.Fatalf("overview: %d categories", len(ov.Categories))
			}
		}
	})
	for _, rg := range []string{"6h", "2d", "13mo"} {
		b.Run("category-"+rg, func(b *testing.B) {
			r, _ := RangeByName(rg)
			for b.Loop() {
				if _, err := d.Category("category_07", r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	srv, err := NewServer(d, ServerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	b.Run("http-api-overview", func(b *testing.B) {
		n := 0
		for b.Loop() {
			resp, err := http.Get(ts.URL + "/api/overview")
			if err != nil {
				b.Fatal(err)
			}
			k, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			n = int(k)
		}
		b.ReportMetric(float64(n)/1024, "KiB/response")
	})
}

// BenchmarkDashboardProcess starts the real binary on the fixture, loads
// the overview in headless Chromium (first render: navigation start to
// charts drawn), opens a category page, and reports the process's peak
// RSS. Run it with -benchtime 1x.
func BenchmarkDashboardProcess(b *testing.B) {
	dir := scaleFixture(b)
	bin := filepath.Join(b.TempDir(), "dashboard")
	build := exec.Command("go", "build", "-o", bin, "./cmd/dashboard")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "--listen", "127.0.0.1:0", "--rrd-dir", filepath.Join(dir, "rrd"),
			"--json", filepath.Join(dir, "summaries.jsonl"))
		stderr, err := cmd.StderrPipe()
		if err != nil {
			b.Fatal(err)
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		url := ""
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "serving "); ok {
				url = after
				break
			}
		}
		if url == "" {
			b.Fatal("the dashboard did not start")
		}
		go func() { _, _ = io.Copy(io.Discard, stderr) }()
		ready := time.Since(started)

		br := newBrowser(b)
		var renders []time.Duration
		var phases []string
		for range 3 {
			renders = append(renders, br.open(b, url))
			phases = append(phases, eval[string](b, br, `(() => {
				const nav = performance.getEntriesByType("navigation")[0];
				const api = performance.getEntriesByType("resource").find(r => r.name.endsWith("/api/overview"));
				return "html " + Math.round(nav.responseEnd) + " ms, DOMContentLoaded " + Math.round(nav.domContentLoadedEventEnd) +
					" ms, /api/overview received " + Math.round(api ? api.responseEnd : -1) + " ms, charts drawn " +
					Math.round(Number(document.body.dataset.drawn) - performance.timeOrigin) + " ms";
			})()`))
		}
		b.Logf("first render phases (cold, then warm): %s", strings.Join(phases, "; "))
		br.open(b, url+"category/category_07?range=2d")
		for range 20 { // a few minutes of a busy page's requests
			resp, err := http.Get(url + "api/overview")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			b.Fatal(err)
		}
		if p := br.problems(); len(p) > 0 {
			b.Errorf("browser problems: %v", p)
		}
		cancel()
		_ = cmd.Wait()
		rss, hwm := procKB(status, "VmRSS:"), procKB(status, "VmHWM:")
		b.Logf("dashboard started and read 2 days of JSON lines in %v; first render %v (then %v, %v); RSS %.1f MB, peak %.1f MB",
			ready.Round(time.Millisecond), renders[0].Round(time.Millisecond), renders[1].Round(time.Millisecond),
			renders[2].Round(time.Millisecond), float64(rss)/1024, float64(hwm)/1024)
		b.ReportMetric(float64(ready.Milliseconds()), "startup-ms")
		b.ReportMetric(float64(renders[0].Milliseconds()), "first-render-ms")
		b.ReportMetric(float64(hwm)/1024, "peak-RSS-MB")
	}
}

func procKB(status []byte, key string) int {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
