package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestPagesWithoutJavaScript reads the server-rendered HTML as a browser
// without JavaScript would: the numbers are in the tables, hostile text is
// escaped, and every page carries the security headers.
func TestPagesWithoutJavaScript(t *testing.T) {
	f := buildFixture(t)
	ts, _ := f.serve(t, time.Hour, "")
	for _, path := range []string{"/", "/category/cron", "/category/web?range=13mo", "/alerts", "/unknown"} {
		resp, body := get(t, ts.URL+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", path, resp.Status)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers missing: %v", path, resp.Header)
		}
		for _, raw := range []string{"<img src=x", "<script>alert", "<b>bold"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: unescaped log text %q in the HTML", path, raw)
			}
		}
	}
	_, cron := get(t, ts.URL+"/category/cron")
	if !strings.Contains(cron, `<td class="key">&lt;img src=x onerror=alert(1)&gt;</td>`) {
		t.Error("the hostile top-N key is not in cron's page, escaped")
	}
	_, unknown := get(t, ts.URL+"/unknown")
	if !strings.Contains(unknown, "&lt;script&gt;alert(") {
		t.Error("the hostile unknown line is not in the report page, escaped")
	}
	_, overview := get(t, ts.URL+"/")
	nginx := f.last["nginx"]
	if want := `<td class="n" data-field="lines">` + jsonNumber(nginx["lines"]) + `</td>`; !strings.Contains(overview, want) {
		t.Errorf("overview without JS lacks nginx's lines %q", want)
	}
}

// TestNoFileOutsideTheDirectories tries URLs that could reach other files.
func TestNoFileOutsideTheDirectories(t *testing.T) {
	f := buildFixture(t)
	ts, _ := f.serve(t, time.Hour, "")
	for _, path := range []string{
		"/static/../server.go", "/static/..%2fserver.go", "/static/", "/static/vendor/",
		"/api/series/..%2f..%2f..%2fetc/passwd", "/api/series/cron/..%2f..%2fsummaries",
		"/api/series/web/..%2Fweb%2Ferrors", "/api/series/nonexistent/x", "/category/..%2f..",
		"/api/category/%2e%2e", "/unknown/report.json", "/unknown/../reports/unknown.json",
		"/api/series/logtally/..", "/templates/layout.html",
	} {
		resp, body := get(t, ts.URL+path)
		if resp.StatusCode == 200 {
			t.Errorf("%s: 200 OK (%d bytes), want an error", path, len(body))
		}
	}
	// The known ones work.
	for _, path := range []string{"/api/series/web/errors?range=1d", "/static/app.js", "/unknown/report.html"} {
		if resp, _ := get(t, ts.URL+path); resp.StatusCode != 200 {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}
	// aireport's page keeps its inline script, but sandboxed.
	resp, _ := get(t, ts.URL+"/unknown/report.html")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") {
		t.Errorf("report.html CSP %q, want a sandbox", csp)
	}
}

func TestReadOnly(t *testing.T) {
	f := buildFixture(t)
	ts, _ := f.serve(t, time.Hour, "")
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, ts.URL+"/api/overview", strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %s, want 405", method, resp.Status)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	sum := sha256.Sum256([]byte("s3cret"))
	creds, err := ParseCredentials([]byte("ops:" + hex.EncodeToString(sum[:]) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := buildFixture(t)
	ts, d := f.serve(t, time.Hour, "")
	srv, err := NewServer(d, ServerConfig{Auth: creds})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	for _, c := range []struct {
		user, pass string
		set        bool
		want       int
	}{{"", "", false, 401}, {"ops", "wrong", true, 401}, {"other", "s3cret", true, 401}, {"ops", "s3cret", true, 200}} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/overview", nil)
		if c.set {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("user %q pass %q: %s, want %d", c.user, c.pass, resp.Status, c.want)
		}
	}
	for _, bad := range []string{"", "ops", "ops:abc", ":" + strings.Repeat("a", 64)} {
		if _, err := ParseCredentials([]byte(bad)); err == nil {
			t.Errorf("ParseCredentials(%q) accepted", bad)
		}
	}
}

// TestAPIMatchesSummaries checks the JSON API against the summaries file
// and the alerts against examples/holtwinters' records.
func TestAPIMatchesSummaries(t *testing.T) {
	f := buildFixture(t)
	ts, _ := f.serve(t, time.Hour, "")
	_, body := get(t, ts.URL+"/api/overview")
	var ov Overview
	if err := json.Unmarshal([]byte(body), &ov); err != nil {
		t.Fatal(err)
	}
	for _, c := range ov.Categories {
		want, ok := f.last[c.Name]
		if !ok {
			continue
		}
		if c.Lines == nil || float64(*c.Lines) != want["lines"].(float64) {
			t.Errorf("%s lines: API %v, JSON %v", c.Name, c.Lines, want["lines"])
		}
		counters := want["counters"].(map[string]any)
		for _, nv := range c.Counters {
			if counters[nv.Name].(float64) != nv.Value {
				t.Errorf("%s %s: API %v, JSON %v", c.Name, nv.Name, nv.Value, counters[nv.Name])
			}
		}
	}
	_, body = get(t, ts.URL+"/api/series/web/errors?range=2d")
	var raw struct {
		Start, Step int64
		Value       []*float64
		Failures    []*float64
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Step != 60 || len(raw.Value) != 2880 {
		t.Errorf("2d of web/errors: step %d, %d values; want 60, 2880", raw.Step, len(raw.Value))
	}
	on, _ := f.incident(t)
	i := int((on.Unix() - raw.Start) / raw.Step)
	if i < 0 || i >= len(raw.Failures) || raw.Failures[i] == nil || *raw.Failures[i] != 1 {
		t.Errorf("FAILURES at the incident's alert minute %v (row %d) is not 1", on, i)
	}
}
