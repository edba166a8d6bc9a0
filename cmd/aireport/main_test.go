package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/logtally/logtally/aireport"
	"github.com/logtally/logtally/internal/aireport/corpus"
	"github.com/logtally/logtally/internal/testenv"
)

type result struct {
	code           int
	stdout, stderr string
}

func runAI(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, bytes.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// articleShell is the article's filter, with the sed scripts quoted as
// they were meant (the printed version lost its quotes to typesetting).
const articleShell = `export LC_ALL=C; cut -c 17- "$1" | sed -e 's/port [0-9]* /port PORT /g' -e 's/\[[0-9]*\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g' | sort | uniq -c | sort -rn`

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(l)
	return l
}

// TestArticleMatchesShellPipeline runs the real pipeline and aireport
// --masks article on the same generated input (edge cases included: short
// lines, "port  ", "[]", "pid=", bytes >= 0x80, NUL, CR) and compares
// lines and counts; ties may come in any order.
func TestArticleMatchesShellPipeline(t *testing.T) {
	testenv.RequireBinaries(t, "sh", "cut", "sed", "sort", "uniq")
	var in bytes.Buffer
	if err := corpus.Generate(&in, corpus.Config{Lines: 80000, Templates: 300, Seed: 42, Nasty: true}); err != nil {
		t.Fatal(err)
	}
	in.WriteString("Nov 22 10:00:00 last line without newline port 8 ")
	dir := t.TempDir()
	plain := filepath.Join(dir, "in.log")
	writeFile(t, plain, in.Bytes())
	want, err := exec.Command("sh", "-c", articleShell, "sh", plain).Output()
	if err != nil {
		t.Fatalf("shell pipeline: %v", err)
	}
	writeFile(t, filepath.Join(dir, "in.log.gz"), gz(t, in.Bytes()))
	writeFile(t, filepath.Join(dir, "in.log.zst"), zst(t, in.Bytes()))
	cases := []struct {
		name  string
		stdin []byte
		args  []string
	}{
		{"plain", nil, []string{"--masks", "article", plain}},
		{"gzip", nil, []string{"--masks", "article", filepath.Join(dir, "in.log.gz")}},
		{"zstd", nil, []string{"--masks", "article", filepath.Join(dir, "in.log.zst")}},
		{"stdin", in.Bytes(), []string{"--masks", "article"}},
		{"explicit", nil, []string{"--masks", "article", "--format", "uniq", "--grouping", "exact", "--header", "cut", plain}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runAI(t, c.stdin, c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got, exp := sortedLines(r.stdout), sortedLines(string(want))
			if !slices.Equal(got, exp) {
				t.Errorf("%d lines, shell %d lines", len(got), len(exp))
				for i := 0; i < len(got) && i < len(exp); i++ {
					if got[i] != exp[i] {
						t.Fatalf("first difference:\n got %q\nwant %q", got[i], exp[i])
					}
				}
			}
			// largest first
			prev := int64(1 << 62)
			for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				var n int64
				for _, f := range strings.Fields(l[:8]) {
					for _, d := range f {
						n = n*10 + int64(d-'0')
					}
				}
				if n > prev {
					t.Fatalf("not sorted by count: %q after %d", l, prev)
				}
				prev = n
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	good := []byte("Nov 22 10:00:00 vm sshd[1]: Accepted password for bob from 10.0.0.1 port 22 ssh2\n" +
		"Nov 22 10:00:01 vm sshd[2]: Accepted password for eve from 10.0.0.2 port 23 ssh2\n")
	writeFile(t, filepath.Join(spool, "sshd", "unknown-20261122T100000Z-1.log.zst"), zst(t, good))
	// truncated gzip: the first half of a valid file
	var big bytes.Buffer
	corpus.Generate(&big, corpus.Config{Lines: 20000, Templates: 50, Seed: 3})
	g := gz(t, big.Bytes())
	writeFile(t, filepath.Join(spool, "sshd", "unknown-20261122T110000Z-1.log.gz"), g[:len(g)/2])
	// corrupt zstd: garbage in the middle
	z := zst(t, big.Bytes())
	for i := len(z) / 2; i < len(z)/2+64; i++ {
		z[i] ^= 0x5a
	}
	writeFile(t, filepath.Join(spool, "kernel", "unknown-20261122T100000Z-7.log.zst"), z)
	// in-progress file: ignored
	writeFile(t, filepath.Join(spool, "kernel", "unknown-20261122T120000Z-7.log.zst.tmp"), []byte("half"))
	// binary, invalid UTF-8, a line over 64 KiB
	odd := "Nov 22 10:00:00 vm app[3]: bin \x00\x01\x02 data\n" +
		"Nov 22 10:00:00 vm app[3]: latin1 caf\xe9\n" +
		"Nov 22 10:00:00 vm app[3]: long " + strings.Repeat("x", 100<<10) + "\n"
	writeFile(t, filepath.Join(spool, "app", "unknown-20261122T100000Z-9.log"), []byte(odd))

	r := runAI(t, nil, "--format", "json", spool)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{"unknown-20261122T110000Z-1.log.gz: truncated gzip data at compressed byte offset", "unknown-20261122T100000Z-7.log.zst: corrupt zstd data near compressed byte offset"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stdout, ".tmp") {
		t.Error("in-progress .tmp file was read")
	}
	var rep aireport.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	secs := map[string]*aireport.Section{}
	for _, s := range rep.Sections {
		secs[s.Category] = s
	}
	if s := secs["sshd"]; s == nil || s.Lines < 2 {
		t.Fatalf("sshd section missing or short: %+v", s)
	}
	found := false
	for _, g := range secs["sshd"].Groups {
		if g.Key == "sshd: Accepted password for <*> from <IP> port <PORT> ssh2" && g.Count == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("the good zstd file's lines are not grouped in sshd")
	}
	app := secs["app"]
	if app == nil || app.Lines != 3 || app.Binary != 1 || app.InvalidUTF8 != 1 || app.LongLines != 1 {
		t.Fatalf("app section %+v", app)
	}
	var shown []string
	for _, g := range app.Groups {
		shown = append(shown, g.Key)
	}
	all := strings.Join(shown, "\n")
	if !strings.Contains(all, `\x00\x01\x02`) || !strings.Contains(all, `caf\xe9`) {
		t.Errorf("binary/invalid bytes not shown escaped: %q", all)
	}
	if secs["kernel"] == nil {
		t.Error("lines before the corruption are not reported")
	}
	// text and HTML survive the same input
	for _, f := range []string{"text", "html", "uniq"} {
		if r := runAI(t, nil, "--format", f, spool); r.code != 1 || r.stdout == "" {
			t.Errorf("--format %s: exit %d, %d bytes", f, r.code, len(r.stdout))
		}
	}
}

func TestInputsAndCategories(t *testing.T) {
	dir := t.TempDir()
	line := []byte("2026-11-22T10:00:00.000000+00:00 vm cron[5]: job started\n")
	writeFile(t, filepath.Join(dir, "a", "unknown-20261122T100000Z-1.log"), line)
	writeFile(t, filepath.Join(dir, "b", "unknown-20261122T100000Z-1-2.log.gz"), gz(t, line))
	writeFile(t, filepath.Join(dir, "plain.txt"), line)
	cats := func(r result) []string {
		var rep aireport.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("%v: %s", err, r.stderr)
		}
		var out []string
		for _, s := range rep.Sections {
			out = append(out, s.Category)
		}
		return out
	}
	if got := cats(runAI(t, nil, "-f", "json", filepath.Join(dir, "*", "unknown-*"))); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("glob categories %v", got)
	}
	if got := cats(runAI(t, nil, "-f", "json", "--category", "x", dir)); !slices.Equal(got, []string{"x"}) {
		t.Errorf("--category %v", got)
	}
	if got := cats(runAI(t, line, "-f", "json", "-")); !slices.Equal(got, []string{""}) {
		t.Errorf("stdin %v", got)
	}
	r := runAI(t, nil, filepath.Join(dir, "nothing-*"), filepath.Join(dir, "plain.txt"))
	if r.code != 1 || !strings.Contains(r.stderr, "nothing-*") || !strings.Contains(r.stdout, "cron: job started") {
		t.Errorf("missing input: exit %d, stderr %s, stdout %s", r.code, r.stderr, r.stdout)
	}
}

func TestSinceUntil(t *testing.T) {
	in := "2026-11-22T09:59:59+00:00 vm a[1]: early\n" +
		"2026-11-22T10:00:00+00:00 vm a[1]: inside\n" +
		"2026-11-22T10:59:59+00:00 vm a[1]: inside\n" +
		"2026-11-22T11:00:00+00:00 vm a[1]: late\n"
	r := runAI(t, []byte(in), "--since", "2026-11-22T10:00:00Z", "--until", "2026-11-22T11:00:00Z", "-f", "json")
	var rep aireport.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err, r.stderr)
	}
	s := rep.Sections[0]
	if s.Lines != 2 || s.OutOfRange != 2 || len(s.Groups) != 1 || s.Groups[0].Key != "a: inside" {
		t.Errorf("got lines %d out %d groups %+v", s.Lines, s.OutOfRange, s.Groups)
	}
	if r := runAI(t, nil, "--since", "yesterday-ish"); r.code != 2 {
		t.Errorf("bad --since: exit %d", r.code)
	}
}
