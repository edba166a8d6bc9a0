package aireport

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInferHeader reads the fixtures in testdata/headers, one per header
// style, and checks the message left after the inferred header of every
// line ("=" marks a line that must be kept whole).
func TestInferHeader(t *testing.T) {
	want := map[string][]string{
		"iso8601.log": {
			"started in 1200 ms",
			"queue 17 full",
			"started in 980 ms",
		},
		"yymmdd.log": {
			"PacketResponder 1 for block blk_38865049064139660 terminating",
			"PacketResponder 0 for block blk_-6952295868487656571 terminating",
			"BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864",
		},
		"ctime.log": {
			"workerEnv.init() ok /etc/httpd/conf/workers2.properties",
			"mod_jk child workerEnv in error state 6",
			"mod_jk child workerEnv in error state 7",
		},
		"epoch.log": {
			"instruction cache parity error corrected",
			"instruction cache parity error corrected",
			"job 12 done",
		},
		"comma-millis.log": {
			"Created MRAppMaster for application appattempt_1445144423722_0020_000001",
			"Executing with tokens:",
			"Unable to load native-hadoop library",
		},
		"pipes.log": {
			"onStandStepChanged 3579",
			"onExtend:1514038530000 14 0 4",
			"onStandStepChanged 3580",
		},
		"components.log": {
			`10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200`,
			"proxy.example.org:5070 open through proxy proxy.example.org:5070 HTTPS",
			"www.example.com:443 close, 0 bytes sent, 0 bytes received, lifetime <1 sec",
		},
		"messages.log": {"=", "=", "=", "=", "="},
	}
	files, _ := filepath.Glob("testdata/headers/*.log")
	if len(files) != len(want) {
		t.Fatalf("%d fixtures, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		lines := readLines(t, f)
		exp := want[filepath.Base(f)]
		if len(lines) != len(exp) {
			t.Fatalf("%s: %d lines, %d expected", f, len(lines), len(exp))
		}
		for i, l := range lines {
			msg, ok := InferHeader([]byte(l))
			if exp[i] == "=" {
				if ok || string(msg) != l {
					t.Errorf("%s:%d: header found in a bare message: %q", f, i+1, msg)
				}
				continue
			}
			if !ok || string(msg) != exp[i] {
				t.Errorf("%s:%d: message %q (header %v), want %q", f, i+1, msg, ok, exp[i])
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestInferredHeaderGrouping: with HeaderAuto, lines of a non-syslog log
// group by their message (the changing timestamps do not split them) and
// the examples keep the whole line; HeaderNone still groups whole lines.
func TestInferredHeaderGrouping(t *testing.T) {
	lines := readLines(t, "testdata/headers/ctime.log")
	src := &Source{Name: "ctime.log"}
	agg := NewAggregator(Options{Masker: Masker{Builtin: true}, Assign: true})
	for _, l := range lines {
		agg.Add(src, []byte(l))
	}
	var sb strings.Builder
	if err := agg.WriteAssignments(&sb); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n")
	if len(rows) != 3 {
		t.Fatalf("%d assignments: %q", len(rows), rows)
	}
	id := func(row string) string { return strings.Split(row, "\t")[1] }
	if id(rows[1]) != id(rows[2]) || id(rows[0]) == id(rows[1]) {
		t.Errorf("grouping: %q", rows)
	}
	if got := strings.Split(rows[1], "\t")[2]; got != "mod_jk child workerEnv in error state <NUM>" {
		t.Errorf("template %q", got)
	}
	r := agg.Build(nil, false, time.Time{})
	var ex []string
	for _, g := range r.Sections[0].Groups {
		ex = append(ex, g.Examples...)
	}
	if !strings.HasPrefix(ex[0], "[Sun Dec 04") {
		t.Errorf("examples lost the header: %q", ex)
	}

	whole := NewAggregator(Options{Masker: Masker{Builtin: true}, Header: HeaderNone})
	if whole.Add(src, []byte(lines[1])).Key() == whole.Add(src, []byte(lines[0])).Key() {
		t.Error("HeaderNone grouped lines of different events together")
	}
}

// FuzzInferHeader: never panics, and the message is always a suffix of the
// line (a header is only ever cut off the front).
func FuzzInferHeader(f *testing.F) {
	for _, s := range []string{
		"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
		"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1",
		"20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
		"[10.30 16:49:06] chrome.exe *64 - host:443 close",
		"- 1117838570 2005.06.03 R02 [x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		msg, ok := InferHeader(line)
		if !bytes.HasSuffix(line, msg) || !ok && len(msg) != len(line) {
			t.Fatalf("%q -> %q, %v", line, msg, ok)
		}
	})
}
