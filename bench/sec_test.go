package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/internal/benchutil"

	"github.com/logtally/logtally/internal/testenv"
)

// edgeLines end the generated input with the cases where a careless
// implementation of either side would differ: a query string, a URL without
// a path, another severity of message 304001, "Accessed URL" from a
// program that is not the ASA, and an ASA line that only counts as a line.
var edgeLines = []string{
	"Nov 22 10:07:00 fw1 %ASA-5-304001: 10.1.2.3 Accessed URL www.example.org/search?q=a+b",
	"Nov 22 10:07:01 fw1 %ASA-6-304001: 10.1.2.3 Accessed URL www.example.org",
	"Nov 22 10:07:02 bastion1 sshd[42]: 10.1.2.3 Accessed URL www.evil.example/x",
	"Nov 22 10:07:03 fw2 %ASA-5-304001: 10.1.2.4 Accessed URL www.example.org/a/b.html?x=1 extra",
	"Nov 22 10:07:04 fw2 %ASA-6-302013: Built outbound TCP connection 1 for outside:1.2.3.4/443 (1.2.3.4/443) to inside:10.0.0.1/5000 (10.0.0.1/5000)",
	"Nov 22 10:07:05 fw2 %ASA-5-304001: 10.1.2.4 Accessed URL www.example.org/search",
}

// secMinute is one summarydata line of bench/asa/article.sec.
type secMinute struct {
	Minute                     string // "Nov 22 10:01", the line's own minute
	Lines, HTTP, URLs, Servers uint64
	urlcount, servercount      map[string]uint64
}

var secLineRE = regexp.MustCompile(`^summarydata: minute="([^"]+)" CiscoLogCount=(\d+) HttpConnectionCount=(\d+) URLsAccessed=(\d+) ServersAccessed=(\d+)$`)

// TestArticleSECEquivalence: the article's SEC approach (bench/asa/article.sec,
// run by the real sec) and summarize with examples/asa/rules.yaml give the
// same numbers for every minute of the same generated ASA log:
// CiscoLogCount = lines, HttpConnectionCount = http_connection_count,
// URLsAccessed = urls_accessed, ServersAccessed = servers_accessed, and the
// urlcount / servercount contents equal the top tables (as sets of
// key=count; K is not exceeded on this input) and the last minute's top files.
func TestArticleSECEquivalence(t *testing.T) {
	secPath := testenv.RequireBinary(t, "sec") // Simple Event Correlator, Debian package sec
	dir := t.TempDir()
	tools := buildCommands(t, dir, "loggen", "summarize")
	loggen, summarize := tools[0], tools[1]

	// Seven full minutes of a firewall-heavy mix (about 800 ASA lines and
	// 400 URL accesses a minute: below the exact-distinct threshold and the
	// top tables' K), then the edge cases in an eighth minute.
	corpusOut := run(t, nil, "", loggen, "-n", "7000", "--per-minute", "1000", "--seed", "7",
		"--format", "traditional", "--mix", "asa=8,sshd=1,postfix=1")
	input := filepath.Join(dir, "asa.log")
	corpusOut = append(corpusOut, []byte(strings.Join(edgeLines, "\n")+"\n")...)
	if err := os.WriteFile(input, corpusOut, 0o644); err != nil {
		t.Fatal(err)
	}
	wantASA := uint64(bytes.Count(corpusOut, []byte(" %ASA-")))

	// SEC.
	secDir := filepath.Join(dir, "sec")
	if err := os.Mkdir(secDir, 0o755); err != nil {
		t.Fatal(err)
	}
	secOut := run(t, []string{"SEC_OUT_DIR=" + secDir}, "", secPath,
		"--conf="+filepath.Join(repoRoot(t), "bench", "asa", "article.sec"),
		"--input="+input, "--notail", "--intevents", "--log=/dev/null")
	var sec []secMinute
	sc := bufio.NewScanner(bytes.NewReader(secOut))
	for sc.Scan() {
		m := secLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("sec: unexpected output line %q", sc.Text())
		}
		n := func(i int) uint64 { v, _ := strconv.ParseUint(m[i], 10, 64); return v }
		sub := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(m[1], "-")
		sec = append(sec, secMinute{
			Minute: m[1], Lines: n(2), HTTP: n(3), URLs: n(4), Servers: n(5),
			urlcount:    readCountFile(t, filepath.Join(secDir, sub, "urlcount")),
			servercount: readCountFile(t, filepath.Join(secDir, sub, "servercount")),
		})
	}
	if len(sec) != 8 {
		t.Fatalf("sec wrote %d minutes, want 8:\n%s", len(sec), secOut)
	}
	var secTotal uint64
	for _, m := range sec {
		secTotal += m.Lines
	}
	if secTotal != wantASA {
		t.Fatalf("sec counted %d ASA lines, the input has %d", secTotal, wantASA)
	}

	// logtally.
	jsonPath := filepath.Join(dir, "summaries.jsonl")
	topDir := filepath.Join(dir, "top")
	if err := os.Mkdir(topDir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, nil, input, summarize, "--rules", filepath.Join(repoRoot(t), "examples", "asa", "rules.yaml"),
		"--clock", "event", "--tz", "UTC", "--syslog", "none", "--json", jsonPath, "--top-dir", topDir)
	all, err := benchutil.ReadJSONL(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	lt := map[string]*benchutil.Summary{}
	for i := range all {
		s := &all[i]
		if s.Category != "asa" {
			continue
		}
		when, err := time.Parse(time.RFC3339, s.Minute)
		if err != nil {
			t.Fatalf("summary minute %q: %v", s.Minute, err)
		}
		key := when.UTC().Format("Jan _2 15:04")
		if lt[key] != nil {
			t.Fatalf("summarize wrote minute %s of category asa twice", s.Minute)
		}
		lt[key] = s
	}

	for _, want := range sec {
		t.Run(strings.ReplaceAll(want.Minute, " ", "_"), func(t *testing.T) {
			got := lt[want.Minute]
			if got == nil {
				t.Fatalf("summarize has no asa summary for minute %q (has %v)", want.Minute, slices.Sorted(maps.Keys(lt)))
			}
			check := func(name string, got, want uint64) {
				if got != want {
					t.Errorf("%s: summarize %d, sec %d", name, got, want)
				}
			}
			check("lines vs CiscoLogCount", got.Lines, want.Lines)
			check("http_connection_count vs HttpConnectionCount", got.Counters["http_connection_count"], want.HTTP)
			for _, d := range []struct {
				name string
				want uint64
			}{{"urls_accessed", want.URLs}, {"servers_accessed", want.Servers}} {
				v, ok := got.Distinct[d.name]
				if !ok {
					t.Errorf("summarize has no distinct %q", d.name)
					continue
				}
				if !v.Exact {
					t.Errorf("distinct %s is an estimate; the input must stay below the exact threshold", d.name)
				}
				check("distinct "+d.name, v.Value, d.want)
			}
			for _, tb := range []struct {
				top, file string
				want      map[string]uint64
			}{{"urls", "urlcount", want.urlcount}, {"servers", "servercount", want.servercount}} {
				m, complete := got.TopMap(tb.top)
				if !complete {
					t.Errorf("top %s dropped keys (K exceeded): the input must stay below K", tb.top)
				}
				if diff := diffCounts(m, tb.want); diff != "" {
					t.Errorf("top %s vs sec's %s:\n%s", tb.top, tb.file, diff)
				}
			}
		})
	}
	// SEC knows only minutes that had lines; summarize may add rows of
	// zeros (a minute closed by its timer), and nothing else.
	for key, s := range lt {
		if !slices.ContainsFunc(sec, func(m secMinute) bool { return m.Minute == key }) && s.Lines != 0 {
			t.Errorf("summarize counted %d asa lines in minute %s, sec none", s.Lines, s.Minute)
		}
	}

	// The top files hold the last minute, like the article's files.
	last := sec[len(sec)-1]
	for _, f := range []struct {
		name string
		want map[string]uint64
	}{{"urlcount", last.urlcount}, {"servercount", last.servercount}} {
		got := readCountFile(t, filepath.Join(topDir, f.name))
		if diff := diffCounts(got, f.want); diff != "" {
			t.Errorf("top file %s vs sec's (minute %s):\n%s", f.name, last.Minute, diff)
		}
	}
}

// diffCounts describes how got differs from want ("" when equal), at most a
// few keys.
func diffCounts(got, want map[string]uint64) string {
	var b strings.Builder
	n := 0
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok || g != want[k] {
			if n++; n <= 10 {
				fmt.Fprintf(&b, "  %s: summarize %d (present %v), sec %d\n", k, g, ok, want[k])
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			if n++; n <= 10 {
				fmt.Fprintf(&b, "  %s: summarize %d, not in sec\n", k, got[k])
			}
		}
	}
	if n > 10 {
		fmt.Fprintf(&b, "  … %d differences in all\n", n)
	}
	return b.String()
}
