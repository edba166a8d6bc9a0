package outputs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/logtally/logtally/tally"
)

// notDir returns a path under a regular file: creating it fails with
// ENOTDIR even for root (which ignores permission bits).
func notDir(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(file, "x")
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noTemps fails if dir holds anything but the listed names.
func onlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestJSONLinesGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.jsonl")
	j, err := NewJSONLines(JSONLinesConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	golden(t, "summary.jsonl", got)

	lines := bytes.Split(bytes.TrimSuffix(got, []byte("\n")), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	for _, l := range lines {
		var rec struct {
			Category string `json:"category"`
			Minute   string `json:"minute"`
			Partial  bool   `json:"partial"`
			Lines    uint64 `json:"lines"`
			Counters map[string]uint64
			Distinct map[string]struct {
				Value uint64 `json:"value"`
				Exact bool   `json:"exact"`
			}
			Top map[string]struct {
				Items []tally.KeyCount
				Other uint64
				Total uint64
			}
			Stats map[string]map[string]*float64
		}
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if rec.Minute != "2026-11-22T10:01:00Z" {
			t.Errorf("minute %q", rec.Minute)
		}
		if rec.Category == "asa" {
			if rec.Counters["http_connections"] != 10000 || rec.Distinct["users"].Value != 7 || !rec.Distinct["users"].Exact ||
				rec.Top["urls"].Other != 17 || len(rec.Top["urls"].Items) != 7 || *rec.Stats["bytes"]["p95"] != 700 {
				t.Errorf("asa record decoded wrong: %+v", rec)
			}
		} else if !rec.Partial || rec.Stats["odd"]["min"] != nil {
			t.Errorf("second record: partial %v, NaN min %v (want null)", rec.Partial, rec.Stats["odd"]["min"])
		}
	}
}

// countingWrites records each Write call separately.
type countingWrites struct{ calls [][]byte }

func (c *countingWrites) Write(p []byte) (int, error) {
	c.calls = append(c.calls, bytes.Clone(p))
	return len(p), nil
}

func TestJSONLinesOneWritePerMinute(t *testing.T) {
	var w countingWrites
	j, err := NewJSONLines(JSONLinesConfig{Writer: &w})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := j.Write(fixture()); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Write(nil); err != nil {
		t.Fatal(err)
	}
	if len(w.calls) != 3 {
		t.Fatalf("%d write calls, want 3 (one per minute)", len(w.calls))
	}
	for _, c := range w.calls {
		if bytes.Count(c, []byte("\n")) != 2 || !bytes.HasSuffix(c, []byte("\n")) {
			t.Errorf("a write is not two whole records: %q", c)
		}
	}
}

func TestJSONLinesReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.jsonl")
	j, err := NewJSONLines(JSONLinesConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	min := fixture()[:1]
	if err := j.Write(min); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil { // logrotate
		t.Fatal(err)
	}
	if err := j.Write(min); err != nil { // still the old, renamed file
		t.Fatal(err)
	}
	if err := j.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := j.Write(min); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(readFile(t, path+".1"), []byte("\n")); n != 2 {
		t.Errorf("rotated file has %d records, want 2", n)
	}
	if n := bytes.Count(readFile(t, path), []byte("\n")); n != 1 {
		t.Errorf("new file has %d records, want 1", n)
	}
}

func TestJSONLinesUnwritable(t *testing.T) {
	path := notDir(t)
	_, err := NewJSONLines(JSONLinesConfig{Path: path})
	if err == nil || !strings.Contains(err.Error(), "outputs: jsonl: open "+path+": ") || !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewJSONLines(JSONLinesConfig{}); err == nil {
		t.Error("no Path and no Writer accepted")
	}
}

func TestTopFilesGolden(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	dir := t.TempDir()
	tf, err := NewTopFiles(TopFilesConfig{
		Dir: dir,
		Files: map[string][]TopFile{
			"asa": {{Top: "urls", Path: "urlcount"}, {Index: 1, Path: filepath.Join(dir, "servercount")}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "topfiles/urlcount", readFile(t, filepath.Join(dir, "urlcount")))
	golden(t, "topfiles/servercount", readFile(t, filepath.Join(dir, "servercount")))
	onlyFiles(t, dir, "servercount", "urlcount")
	if fi, err := os.Stat(filepath.Join(dir, "urlcount")); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}

	// A later minute replaces the file whole.
	m := fixture()
	m[0].Tops[0] = tally.Top{Name: "urls", Items: []tally.KeyCount{{Key: "a", Count: 1}}, Total: 1}
	if err := tf.Write(m); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, filepath.Join(dir, "urlcount"))); got != "a=1\n" {
		t.Errorf("after second minute: %q", got)
	}
}

func TestTopFilesErrorsDoNotStopOthers(t *testing.T) {
	dir := t.TempDir()
	bad := notDir(t)
	tf, err := NewTopFiles(TopFilesConfig{Files: map[string][]TopFile{
		"asa": {
			{Top: "urls", Path: bad},
			{Top: "nope", Path: filepath.Join(dir, "nope")},
			{Index: 7, Path: filepath.Join(dir, "seven")},
			{Top: "servers", Path: filepath.Join(dir, "servercount")},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	err = tf.Write(fixture())
	for _, want := range []string{
		"outputs: topfiles: write " + bad + ": not a directory",
		"outputs: topfiles: write " + filepath.Join(dir, "nope") + `: category "asa" has no top table "nope"`,
		`has no top table #7`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nlacks %q", err, want)
		}
	}
	if got := string(readFile(t, filepath.Join(dir, "servercount"))); got != "www.example.com=199\ncdn.example.net=2\n" {
		t.Errorf("servercount = %q", got)
	}
	onlyFiles(t, dir, "servercount")
}

func TestPrometheusGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logtally.prom")
	p, err := NewPrometheus(PrometheusConfig{Path: path, TopItems: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(fixture()); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	golden(t, "logtally.prom", got)
	onlyFiles(t, dir, "logtally.prom")
	checkExposition(t, got)
	if n := bytes.Count(got, []byte("logtally_top{")); n != 5+2 {
		t.Errorf("%d logtally_top samples, want 7 (5 urls capped + 2 servers)", n)
	}
}

// checkExposition checks the text format rules a collector enforces
// (prometheus_test.go also parses the file with the Prometheus library and
// runs promtool):
// HELP/TYPE once per family before its samples, samples contiguous, no
// duplicate series, label values without raw newlines.
func checkExposition(t *testing.T, b []byte) {
	t.Helper()
	seen := map[string]bool{}
	series := map[string]bool{}
	cur := ""
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if seen[name] || (typ != "gauge" && typ != "counter") {
				t.Errorf("family %s: repeated or neither gauge nor counter", name)
			}
			if (typ == "counter") != strings.HasSuffix(name, "_total") {
				t.Errorf("family %s: a %s; counters, and only they, end in _total", name, typ)
			}
			seen[name], cur = true, name
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		name, _, ok := strings.Cut(line, "{")
		if !ok || name != cur {
			t.Errorf("sample %q outside its family %q", line, cur)
		}
		i := strings.LastIndexByte(line, ' ')
		if series[line[:i]] {
			t.Errorf("duplicate series %s", line[:i])
		}
		series[line[:i]] = true
	}
}

func TestPrometheusErrors(t *testing.T) {
	if _, err := NewPrometheus(PrometheusConfig{Path: "/tmp/x.txt"}); err == nil {
		t.Error("a path not ending in .prom accepted")
	}
	bad := notDir(t) + ".prom"
	p, err := NewPrometheus(PrometheusConfig{Path: bad})
	if err != nil {
		t.Fatal(err)
	}
	err = p.Write(fixture())
	if err == nil || err.Error() != "outputs: prometheus: write "+bad+": not a directory" {
		t.Errorf("err = %v", err)
	}
}

func TestPromLabelEscape(t *testing.T) {
	got := string(appendPromLabelValue(nil, "a\\b\"c\nd\xffe"))
	if want := `a\\b\"c\nd` + "\uFFFD" + "e"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestPrometheusNoDuplicateSeries(t *testing.T) {
	m := []tally.Summary{{Category: "c", Tops: []tally.Top{{Name: "t", Items: []tally.KeyCount{
		{Key: "a\xff", Count: 3}, {Key: "a\xfe", Count: 2}, {Key: "a\uFFFD", Count: 1},
	}}}}}
	got := AppendPrometheus(nil, m, 10)
	checkExposition(t, got)
	if n := bytes.Count(got, []byte("logtally_top{")); n != 1 {
		t.Errorf("%d top samples, want 1:\n%s", n, got)
	}
}
