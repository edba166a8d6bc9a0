package dashboard

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/logtally/logtally/internal/testenv"
)

var screenshots = flag.String("screenshots", "", "also write the browser test's screenshots into this directory (e.g. ../docs)")

// chromium finds Debian's headless browser: skipped only under -short, a
// failure otherwise (make deps installs it).
func chromium(t testing.TB) string {
	t.Helper()
	return testenv.RequireBinary(t, "chromium")
}

// browser is one headless Chromium tab that records every console error,
// uncaught exception, error log entry (CSP violations, failed loads) and
// JavaScript dialog (an XSS would open one).
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	// Not t.TempDir: Chromium's children can still write to their profile
	// for a moment after it exits, which would fail the test's cleanup.
	profile, err := os.MkdirTemp("", "logtally-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 1000),
		chromedp.UserDataDir(profile),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	b := &browser{ctx: ctx}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`1`)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable log domain: %v", err)
	}
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ConsoleAPICalled) {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.fail("console.error: " + strings.Join(parts, " "))
			}
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			b.fail((&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, cdplog.EntryAdded) {
			if err != nil {
				return
			}
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.fail(fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			b.fail("a JavaScript dialog opened (injected script ran?): " + ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return b
}

func (b *browser) fail(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, msg)
}

func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// open navigates and waits until the page's charts are drawn; it returns
// the time from navigation start to the end of the first drawing.
func (b *browser) open(t testing.TB, url string) time.Duration {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	ms, err := chromedp.Run(b.ctx, chromedp.Poll[float64](
		`document.body && document.body.dataset.drawn ? Number(document.body.dataset.drawn) - performance.timeOrigin : 0`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("%s: charts not drawn: %v (problems: %v)", url, err, b.problems())
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func eval[T any](t testing.TB, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if *screenshots != "" {
		dirs = append(dirs, *screenshots)
	}
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// chartsDrawn checks that every chart reports points and that its canvas
// has painted pixels.
const chartsJS = `(() => {
  const out = [];
  for (const c of window.__charts || []) {
    const canvas = c.plot.root.querySelector("canvas");
    const ctx = canvas.getContext("2d");
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < img.length; i += 4) if (img[i] > 0) painted++;
    const fails = c.plot.data.length > 5 ? c.plot.data[5].filter(v => v != null).length : 0;
    out.push({kind: c.kind, name: c.name, points: c.points, painted: painted, failureMarks: fails});
  }
  return out;
})()`

type chartInfo struct {
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Points       int    `json:"points"`
	Painted      int    `json:"painted"`
	FailureMarks int    `json:"failureMarks"`
}

func TestBrowser(t *testing.T) {
	f := buildFixture(t)
	ts, _ := f.serve(t, 200*time.Millisecond, "")
	b := newBrowser(t)

	t.Run("overview numbers equal the JSON summaries", func(t *testing.T) {
		took := b.open(t, ts.URL+"/")
		t.Logf("overview first render (navigation start to charts drawn): %v", took)
		type row struct {
			Category string            `json:"category"`
			Fields   map[string]string `json:"fields"`
			Counters map[string]string `json:"counters"`
		}
		rows := eval[[]row](t, b, `[...document.querySelectorAll("#overview tbody tr[data-category]")].map(tr => ({
			category: tr.dataset.category,
			fields: Object.fromEntries([...tr.querySelectorAll("[data-field]")].map(td => [td.dataset.field, td.textContent])),
			counters: Object.fromEntries([...tr.querySelectorAll("[data-counter]")].map(s => [s.dataset.counter, s.querySelector(".v").textContent])),
		}))`)
		seen := map[string]bool{}
		for _, r := range rows {
			seen[r.Category] = true
			want, ok := f.last[r.Category]
			if !ok {
				continue // a category with RRD files only (web)
			}
			for _, field := range []string{"lines", "matched", "unknown"} {
				if got := r.Fields[field]; got != jsonNumber(want[field]) {
					t.Errorf("%s %s: table %q, JSON %v", r.Category, field, got, want[field])
				}
			}
			counters, _ := want["counters"].(map[string]any)
			if len(r.Counters) != len(counters) {
				t.Errorf("%s: %d counters in the table, %d in JSON", r.Category, len(r.Counters), len(counters))
			}
			for name, v := range counters {
				if got := r.Counters[name]; got != jsonNumber(v) {
					t.Errorf("%s counter %s: table %q, JSON %v", r.Category, name, got, v)
				}
			}
		}
		for c := range f.last {
			if !seen[c] {
				t.Errorf("category %s of the JSON summaries is not in the overview", c)
			}
		}
		if !seen["web"] {
			t.Error("the RRD-only category web (examples/holtwinters) is not in the overview")
		}
		charts := eval[[]chartInfo](t, b, chartsJS)
		if len(charts) != len(rows) {
			t.Errorf("%d overview charts for %d categories", len(charts), len(rows))
		}
		for _, c := range charts {
			if c.Points == 0 || c.Painted < 20 {
				t.Errorf("overview chart %s: %d points, %d painted pixels", c.Name, c.Points, c.Painted)
			}
		}
		b.screenshot(t, "dashboard-overview.png")
	})

	t.Run("category page: counters, band and failures of the incident", func(t *testing.T) {
		b.open(t, ts.URL+"/category/web?range=2d")
		charts := eval[[]chartInfo](t, b, chartsJS)
		if len(charts) != 1 || charts[0].Name != "errors" {
			t.Fatalf("web charts: %+v", charts)
		}
		// 2 days of minutes end at the file's last update.
		if c := charts[0]; c.Points < 2800 || c.Painted < 1000 || c.FailureMarks == 0 {
			t.Errorf("web/errors chart over 2d: %+v (want ~2880 points, painted, failure marks of the incident)", c)
		}
		fails := eval[string](t, b, `document.querySelector('#counters tr[data-counter="errors"] td:last-child').textContent`)
		if n, _ := strconv.Atoi(strings.TrimSpace(fails)); n == 0 {
			t.Errorf("failure points of web/errors over 2d: %q, want > 0", fails)
		}
		alert := eval[string](t, b, `document.querySelector("#category-alerts tbody").textContent`)
		if on, _ := f.incident(t); !strings.Contains(alert, on.Format("2006-01-02 15:04Z")) {
			t.Errorf("category alerts lack the incident's alert at %v: %q", on, alert)
		}
		b.screenshot(t, "dashboard-category.png")
	})

	t.Run("category page of a summary: latest values, top-N keys as text", func(t *testing.T) {
		b.open(t, ts.URL+"/category/cron")
		latest := eval[map[string]string](t, b, `Object.fromEntries([...document.querySelectorAll("#counters tr[data-counter]")]
			.map(tr => [tr.dataset.counter, tr.querySelector('[data-field="latest"]').textContent]))`)
		counters, _ := f.last["cron"]["counters"].(map[string]any)
		for name, v := range counters {
			if latest[name] != jsonNumber(v) {
				t.Errorf("cron %s: page %q, JSON %v", name, latest[name], v)
			}
		}
		keys := eval[[]string](t, b, `[...document.querySelectorAll('table[data-top="commands"] td.key')].map(td => td.textContent)`)
		if !contains(keys, "<img src=x onerror=alert(1)>") {
			t.Errorf("the hostile top-N key is not shown as text: %q", keys)
		}
		if n := eval[int](t, b, `document.querySelectorAll("main img, main script").length`); n != 0 {
			t.Errorf("%d img/script elements in the page's main: log text became markup", n)
		}
		charts := eval[[]chartInfo](t, b, chartsJS)
		for _, c := range charts {
			if c.Points == 0 || c.Painted < 20 {
				t.Errorf("cron chart %s: %d points, %d painted", c.Name, c.Points, c.Painted)
			}
		}
	})

	t.Run("statistics: latest minute and percentile chart", func(t *testing.T) {
		b.open(t, ts.URL+"/category/nginx")
		stats, _ := f.last["nginx"]["stats"].(map[string]any)
		if len(stats) == 0 {
			t.Fatal("the nginx example has no stats: pick another category")
		}
		for name, v := range stats {
			want := v.(map[string]any)
			got := eval[[]string](t, b, fmt.Sprintf(`[...document.querySelectorAll('#stats tr')].filter(tr => tr.dataset.stat === %q).map(tr => [...tr.cells].map(td => td.textContent)).flat()`, name))
			// stat, count, min, mean, p50, p95, p99, max
			if len(got) != 8 || got[1] != jsonNumber(want["count"]) || got[4] != jsonNumber(want["p50"]) || got[6] != jsonNumber(want["p99"]) {
				t.Errorf("nginx stat %s: row %q, JSON %v", name, got, want)
			}
		}
		n := 0
		for _, c := range eval[[]chartInfo](t, b, chartsJS) {
			if c.Kind == "stat" {
				n++
				if c.Points == 0 || c.Painted < 20 {
					t.Errorf("stat chart %s: %+v", c.Name, c)
				}
			}
		}
		if n != len(stats) {
			t.Errorf("%d stat charts, want %d", n, len(stats))
		}
	})

	t.Run("alerts timeline", func(t *testing.T) {
		b.open(t, ts.URL+"/alerts")
		spans := eval[[]string](t, b, `[...document.querySelectorAll("#spans tbody tr")].map(tr => [...tr.cells].map(td => td.textContent.trim()).join(" "))`)
		// The incident's period as alerts.jsonl records it (the smoothing
		// schedule depends on the file's path, so the minutes may shift).
		on, off := f.incident(t)
		want := fmt.Sprintf("web errors %s %s %d", on.Format("2006-01-02 15:04Z"), off.Format("2006-01-02 15:04Z"), int(off.Sub(on)/time.Minute))
		found := false
		for _, s := range spans {
			if strings.HasPrefix(s, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("the incident's failure period %q is not in the timeline: %q", want, spans)
		}
		if n := eval[int](t, b, `document.querySelectorAll("#timeline rect.fail").length`); n != len(spans) {
			t.Errorf("%d bars on the timeline for %d failure periods", n, len(spans))
		}
		b.screenshot(t, "dashboard-alerts.png")
	})

	t.Run("unknown-log report: NEW first, markup as text", func(t *testing.T) {
		b.open(t, ts.URL+"/unknown")
		first := eval[string](t, b, `document.querySelector('section[data-section="cron"] tbody tr').textContent`)
		if !strings.Contains(first, "NEW") || !strings.Contains(first, "<script>alert(") {
			t.Errorf("cron's first group is not the NEW hostile line shown as text: %q", first)
		}
		if n := eval[int](t, b, `document.querySelectorAll("main script, main b").length`); n != 0 {
			t.Errorf("%d script/b elements in main: log text became markup", n)
		}
		if href := eval[string](t, b, `document.querySelector('a[href="/unknown/report.html"]') ? "ok" : ""`); href != "ok" {
			t.Error("no link to aireport's HTML page")
		}
		b.screenshot(t, "dashboard-unknown.png")
	})

	if p := b.problems(); len(p) > 0 {
		t.Errorf("browser problems (console errors, exceptions, CSP violations, dialogs):\n%s", strings.Join(p, "\n"))
	}
}

// TestBrowserLive appends a minute to the summaries while the overview is
// open: the page must show it without a reload.
func TestBrowserLive(t *testing.T) {
	f := buildFixture(t)
	src, err := os.ReadFile(filepath.Join(f.dir, "summaries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(t.TempDir(), "summaries.jsonl")
	if err := os.WriteFile(live, src, 0o644); err != nil {
		t.Fatal(err)
	}
	ts, _ := f.serve(t, 200*time.Millisecond, live)
	b := newBrowser(t)
	b.open(t, ts.URL+"/")
	eval[bool](t, b, `window.__marker = true`) // gone if the page reloads
	file, err := os.OpenFile(live, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = file.WriteString(`{"category":"nginx","minute":"2026-11-22T10:05:00Z","partial":false,"lines":777,"matched":770,"ignored":0,"unknown":7,"late":0,"counters":{"requests":770,"server_errors":3}}` + "\n")
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(b.ctx, chromedp.Poll[string](
		`(document.querySelector('tr[data-category="nginx"] [data-field="lines"]') || {}).textContent === "777" && window.__marker ? "yes" : ""`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || got != "yes" {
		t.Fatalf("the new minute did not appear without a reload: %v", err)
	}
	if p := b.problems(); len(p) > 0 {
		t.Errorf("browser problems:\n%s", strings.Join(p, "\n"))
	}
}

// jsonNumber formats a JSON number as the pages do (integers whole).
func jsonNumber(v any) string {
	n, ok := v.(float64)
	if !ok {
		return fmt.Sprint(v)
	}
	return formatNum(n)
}
