package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenCase is one rule file and input whose every output is compared
// with testdata/<name>/want/.
type goldenCase struct {
	name, rules, input string
	args               []string
}

// goldenCases lists every shipped example and every testdata case.
func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	var cases []goldenCase
	examples, _ := filepath.Glob("../../examples/*/rules.yaml")
	for _, r := range examples {
		dir := filepath.Dir(r)
		in := filepath.Join(dir, "sample.log")
		if _, err := os.Stat(in); err != nil {
			continue
		}
		cases = append(cases, goldenCase{name: "example-" + filepath.Base(dir), rules: r, input: in})
	}
	inputs, _ := filepath.Glob("testdata/*/input.log")
	for _, in := range inputs {
		dir := filepath.Dir(in)
		if strings.HasPrefix(filepath.Base(dir), "example-") {
			continue
		}
		c := goldenCase{name: filepath.Base(dir), rules: filepath.Join(dir, "rules.yaml"), input: in}
		if extra, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			c.args = strings.Fields(string(extra))
		}
		cases = append(cases, c)
	}
	if len(cases) < 6 {
		t.Fatalf("found only %d golden cases; examples/ or testdata/ is missing", len(cases))
	}
	return cases
}

// fixedNow is the clock of every golden run: the year of traditional
// timestamps must not depend on when the test runs.
var fixedNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			args := append([]string{
				"--rules", c.rules, "--clock", "event", "--tz", "UTC", "--syslog", "none",
				"--kv", "-", "--json", filepath.Join(tmp, "summaries.jsonl"),
				"--top-dir", filepath.Join(tmp, "top"), "--prom", filepath.Join(tmp, "logtally.prom"),
				"--spool-dir", filepath.Join(tmp, "spool"),
			}, c.args...)
			in, err := os.Open(c.input)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var stdout, stderr bytes.Buffer
			restore := setNow(func() time.Time { return fixedNow })
			defer restore()
			if code := run(context.Background(), args, in, &stdout, &stderr); code != 0 {
				t.Fatalf("summarize exited %d: %s", code, stderr.String())
			}
			got := map[string][]byte{"summaries.kv": stdout.Bytes()}
			readTree(t, tmp, got)
			compareGolden(t, filepath.Join("testdata", c.name, "want"), got)
		})
	}
}

// readTree collects every output file under dir; spool files are
// decompressed and concatenated per category, since their names carry a
// timestamp and a PID.
func readTree(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	walkFiles(t, dir, func(rel string, data []byte) {
		if category, ok := strings.CutPrefix(path.Dir(rel), "spool/"); ok {
			key := "spool/" + category + ".log"
			got[key] = append(got[key], decompress(t, rel, data)...)
			return
		}
		got[rel] = data
	})
}

// walkFiles calls f with the slash-separated path (relative to dir) and
// contents of every file under dir.
func walkFiles(t *testing.T, dir string, f func(rel string, data []byte)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		f(filepath.ToSlash(rel), data)
		return err
	})
	if err != nil {
		t.Fatalf("reading %s: %v (run go test -update to create golden files)", dir, err)
	}
}

func decompress(t *testing.T, path string, data []byte) []byte {
	t.Helper()
	var r io.Reader
	switch {
	case strings.HasSuffix(path, ".zst"):
		d, err := zstd.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer d.Close()
		r = d
	case strings.HasSuffix(path, ".gz"):
		g, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = g
	default:
		t.Fatalf("%s: unexpected file in the spool", path)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// compareGolden compares got with the files under want, or rewrites want
// with -update.
func compareGolden(t *testing.T, want string, got map[string][]byte) {
	t.Helper()
	if *update {
		os.RemoveAll(want)
		for name, data := range got {
			p := filepath.Join(want, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	wantFiles := map[string][]byte{}
	walkFiles(t, want, func(rel string, data []byte) { wantFiles[rel] = data })
	var names []string
	for n := range got {
		names = append(names, n)
	}
	for n := range wantFiles {
		if _, ok := got[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, okG := got[n]
		w, okW := wantFiles[n]
		switch {
		case !okW:
			t.Errorf("%s: produced but not in %s (run go test -update)", n, want)
		case !okG:
			t.Errorf("%s: expected but not produced", n)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from %s/%s:\n--- got\n%s\n--- want\n%s", n, want, n, clip(g), clip(w))
		}
	}
}

func clip(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "\n…"
	}
	return string(b)
}
