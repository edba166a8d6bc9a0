package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// --explain prints every step for each line; the whole output is golden
// (go test -update rewrites it). The input covers a counted line with
// captures, an ignored line, a line no rule claims, a line no category
// takes, a malformed line, and a forward-format line with a priority.
func TestExplainGolden(t *testing.T) {
	defer setNow(func() time.Time { return time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC) })()
	in, err := os.ReadFile("testdata/explain-input.log")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--rules", "testdata/explain-rules.yaml", "--explain", "--tz", "UTC"}, bytes.NewReader(in), &stdout, &stderr)
	if code != 0 || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	const golden = "testdata/explain-want.txt"
	if *update {
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("--explain output differs from %s (go test -update rewrites it):\n%s", golden, stdout.String())
	}
	// the facts the golden file must show, whatever its layout
	for _, fact := range []string{
		`rule failed (line 9): matched`, `captures user="ann" src="10.0.0.1"`, `count failed +1`,
		`top sources <- "10.0.0.1"`, `rule accepted (line 5): literal absent ("Accepted ")`,
		`=> unknown (counted, written to the sshd spool)`, `=> counted as uncategorized`,
		`malformed:`, `facility 4, severity 6`, `ignore: counted as ignored`,
	} {
		if !strings.Contains(stdout.String(), fact) {
			t.Errorf("output lacks %q", fact)
		}
	}
}

// The example in docs/rules.md is the golden output of the first input line.
func TestExplainDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/explain-want.txt")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(want), "\n\n")
	if !strings.Contains(string(doc), first+"\n```") {
		t.Errorf("docs/rules.md's --explain example is not the current output of the first line of testdata/explain-input.log:\n%s", first)
	}
}

// The summary line README.md shows is the first minute of examples/asa, as
// summarize writes it now.
func TestReadmeSummaryLine(t *testing.T) {
	in, err := os.ReadFile("../../examples/asa/sample.log")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--rules", "../../examples/asa/rules.yaml", "--clock", "event", "--tz", "UTC", "--syslog", "none", "--kv", "-"}, bytes.NewReader(in), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	first := ""
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "category=asa ") {
			first = l
			break
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if first == "" || !strings.Contains(string(readme), "\n"+first+"\n") {
		t.Errorf("README.md does not show the current first asa minute:\n%s", first)
	}
	// every counter of summarize's own category, as it writes them
	self := 0
	for _, l := range strings.Split(stdout.String(), "\n") {
		if !strings.HasPrefix(l, "category=logtally ") {
			continue
		}
		for _, kv := range strings.Fields(l) {
			k, _, _ := strings.Cut(kv, "=")
			switch k {
			case "category", "minute", "lines", "matched", "ignored", "unknown", "partial":
				continue
			}
			self++
			if !strings.Contains(string(readme), "`"+k+"`") {
				t.Errorf("README.md's list of summarize's own counters lacks %s", k)
			}
		}
		break
	}
	if self < 6 {
		t.Errorf("found %d counters of category logtally in the output", self)
	}
}
