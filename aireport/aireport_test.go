package aireport

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/logtally/logtally/internal/testenv"
)

var articleCorners = []string{
	"", "port ", "port  ", "port 22 ", "port 22", "port 22x ", "xport 1 y", "port 1 port 2 port 3 ",
	"port port 5 ", "[]", "[1]", "[12a]", "[[7]]", "[8", "a[1][2]b", "pid=", "pid=12", "pid=abc",
	"pid=pid=4", "spid=55", "PID=9", "[pid=3]", "port 7 [8] pid=9 ", "caf\xe9 port 1 \xff[2]",
	"tab\tport 9\t", "nul \x00 [123]", "port\t1 ", "port 01234567890123456789 x",
}

// articleRef is the article's sed script with Go's regexp package (same
// matches for these patterns: each has a single possible match length).
var (
	refPort = regexp.MustCompile(`port [0-9]* `)
	refPID  = regexp.MustCompile(`\[[0-9]*\]`)
	refPidE = regexp.MustCompile(`pid=[0-9]*`)
)

func articleRef(s []byte) []byte {
	s = refPort.ReplaceAll(s, []byte("port PORT "))
	s = refPID.ReplaceAll(s, []byte("[PID]"))
	return refPidE.ReplaceAll(s, []byte("pid=PID"))
}

func TestArticleMaskMatchesSed(t *testing.T) {
	testenv.RequireBinary(t, "sed")
	in := strings.Join(articleCorners, "\n") + "\n"
	cmd := exec.Command("sed", "-e", `s/port [0-9]* /port PORT /g`, "-e", `s/\[[0-9]*\]/[PID]/g`, "-e", `s/pid=[0-9]*/pid=PID/g`)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for i, c := range articleCorners {
		got, _ := ArticleMask(nil, nil, []byte(c))
		if string(got) != want[i] {
			t.Errorf("%q: got %q, sed says %q", c, got, want[i])
		}
	}
}

func FuzzArticleMask(f *testing.F) {
	for _, c := range articleCorners {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, _ := ArticleMask(nil, nil, line)
		if want := articleRef(line); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q want %q", line, got, want)
		}
	})
}

func FuzzMaskBuiltin(f *testing.F) {
	f.Add([]byte("Accepted password for bob from 10.0.0.1 port 22 ssh2"))
	f.Add([]byte("fe80::1%eth0 2026-11-22T01:37:32.195671+00:00 0xdeadbeef 1h2m3.5s 91% \xff\x00"))
	f.Fuzz(func(t *testing.T, line []byte) {
		m := Masker{Builtin: true}
		out := m.Mask(nil, line)
		if bytes.Count(out, []byte("<")) < bytes.Count(line, []byte("<")) {
			t.Fatalf("mask lost bytes: %q -> %q", line, out)
		}
	})
}

func TestBuiltinMasks(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Accepted password for bob from 10.0.0.1 port 22 ssh2", "Accepted password for bob from <IP> port <PORT> ssh2"},
		{"connect from mail[192.168.1.10]:25", "connect from mail[<IP>]:<NUM>"},
		{"to 10.1.2.3:8080 failed", "to <IP>:<PORT> failed"},
		{"src fe80::1ff:fe23:4567:890a dst 2001:db8::1", "src <IP> dst <IP>"},
		{"mac 00:1a:2b:3c:4d:5e or 00-1A-2B-3C-4D-5E", "mac <MAC> or <MAC>"},
		{"id 123e4567-e89b-12d3-a456-426614174000 done", "id <UUID> done"},
		{"at 0x7ffd1234 and deadbeef01 and cafe", "at <HEX> and <HEX> and cafe"},
		{"took 1.5s, 200ms, 1h2m3s", "took <DUR>, <DUR>, <DUR>"},
		{"disk at 91% with 512MB", "disk at <NUM>% with <NUM>MB"},
		{"myapp[1234]: pid=77 uid=0", "myapp[<PID>]: pid=<PID> uid=<NUM>"},
		{"at 2026-11-22T01:37:32.195671+00:00 on 2026-11-22 10:00:01", "at <TS> on <DATE> <TIME>"},
		{"session-123456 eth0 ssh2 v1", "session-<NUM> eth0 ssh2 v1"},
		{"version 1.2.3.", "version <NUM>.<NUM>.<NUM>."},
		{"-5 degrees", "<NUM> degrees"},
		// one variable, one mask, whatever its length or sign
		{"generating core.2275 and core.42", "generating core.<NUM> and core.<NUM>"},
		{"blk_-1727475099218615100 blk_2513940824125131775", "blk_<NUM> blk_<NUM>"},
		{"to proxy.example.org:5070 done", "to proxy.example.org:<NUM> done"},
		{"ok /etc/httpd/conf/workers2.properties", "ok <PATH>"},
		{`"GET /v2/54fa/servers/detail?all_tenants=True HTTP/1.1"`, `"GET <PATH> HTTP/<NUM>"`},
		{"see https://example.org/a/b?c=1 now", "see <URL> now"},
		{"at Sun Jul 10 03:55:15 2005 and Jun  9 12:01:01", "at <TS> and <TS>"},
		{"a / b and 10.0.0.0/24", "a / b and <IP>/<NUM>"},
	}
	for _, c := range cases {
		m := Masker{Builtin: true}
		if got := string(m.Mask(nil, []byte(c.in))); got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestUserMasks(t *testing.T) {
	m := Masker{Builtin: true, User: []Mask{{Name: "user", Regexp: regexp.MustCompile(`user=\w+`), Replace: "user=<USER>"}}}
	if got := string(m.Mask(nil, []byte("login user=bob from 10.0.0.1"))); got != "login user=<USER> from <IP>" {
		t.Errorf("got %q", got)
	}
}

func TestReadBlocksMatchesReadLines(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 30; trial++ {
		var in bytes.Buffer
		for i := r.IntN(200); i > 0; i-- {
			n := r.IntN(120)
			if r.IntN(50) == 0 {
				n = 3000 + r.IntN(5000)
			}
			for j := 0; j < n; j++ {
				in.WriteByte(byte(' ' + r.IntN(90)))
			}
			if i > 1 || r.IntN(2) == 0 {
				in.WriteByte('\n')
			}
		}
		var want, got []string
		var ctr Counters
		src := Source{Name: "-", Stdin: bytes.NewReader(in.Bytes())}
		if err := ReadLines(context.Background(), src, &ctr, func(l []byte) { want = append(want, string(l)) }); err != nil {
			t.Fatal(err)
		}
		src.Stdin = bytes.NewReader(in.Bytes())
		err := ReadBlocks(context.Background(), src, &ctr, 1000, func() []byte { return make([]byte, 0, 1500) }, func(b []byte) {
			if len(b) == 0 || b[len(b)-1] != '\n' {
				t.Fatalf("block does not end in a newline: %q", b)
			}
			got = append(got, strings.Split(string(b[:len(b)-1]), "\n")...)
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
			t.Fatalf("trial %d: %d lines by blocks, %d by lines", trial, len(got), len(want))
		}
	}
}

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"plain ascii":    "plain ascii",
		"tab\tok":        "tab\tok",
		"café ✓":         "café ✓",
		"caf\xe9":        `caf\xe9`,
		"nul\x00bel\x07": `nul\x00bel\x07`,
		"del\x7f":        `del\x7f`,
		"c1\u0085":       `c1\xc2\x85`,
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendCount(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 999999, 1000000, 9999999, 10000000, 123456789012, -5} {
		if got, want := string(appendCount([]byte("x"), n)), fmt.Sprintf("x%7d ", n); got != want {
			t.Errorf("appendCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlainASCII(t *testing.T) {
	for _, s := range []string{"", "a", "hello world, 12345678", "exactly8", "0123456789abcdef", "tab\there"} {
		if !plainASCII([]byte(s)) {
			t.Errorf("plainASCII(%q) = false", s)
		}
	}
	// every position of a NUL or a high byte, in and after the 8-byte blocks
	for n := 1; n <= 20; n++ {
		for i := 0; i < n; i++ {
			for _, bad := range []byte{0, 0x80, 0xc3, 0xff} {
				b := bytes.Repeat([]byte("x"), n)
				b[i] = bad
				if plainASCII(b) {
					t.Errorf("plainASCII(%q) = true", b)
				}
			}
		}
	}
}

// TestTemplateCacheOverflow: more distinct messages per program than the
// cache holds. The cache behaves as one map per program emptied when it
// reaches maxCache (the model below): a hit returns the group cached for
// the text, Drain sees exactly the misses. The cache stays bounded and
// one program's overflow keeps another's entries.
func TestTemplateCacheOverflow(t *testing.T) {
	agg := NewAggregator(Options{Header: HeaderNone, Grouping: GroupTemplates, Masker: Masker{Builtin: true}})
	c := agg.category("")
	word := func(i int) string { // distinct letters-only words: nothing to mask
		b := []byte("w")
		for ; i > 0; i /= 26 {
			b = append(b, byte('a'+i%26))
		}
		return string(b)
	}
	model := map[string]map[string]*group{}
	misses := 0
	add := func(program, msg string) {
		agg.buf = append(agg.buf[:0], msg...)
		g := agg.addTemplate(c, []byte(program), []byte(msg), 0)
		m := model[program]
		if m == nil {
			m = map[string]*group{}
			model[program] = m
		}
		if want, hit := m[msg]; hit {
			if g != want {
				t.Fatalf("%s: %q: not the cached group", program, msg)
			}
			return
		}
		misses++
		if len(m) >= maxCache {
			clear(m)
		}
		m[msg] = g
	}
	add("small", "kept in the cache")
	n := maxCache*2 + 100
	for round := 0; round < 3; round++ {
		for i := 0; i < n; i++ {
			add("big", "event "+word(i)+" happened")
			if i%1000 == 0 {
				add("small", "kept in the cache")
			}
		}
		if live, limit := len(c.cache), 2*maxCache+1; live > limit {
			t.Errorf("round %d: %d cache entries, want at most %d", round, live, limit)
		}
	}
	inserts := 0
	for _, pd := range c.drains {
		inserts += int(pd.gen)*maxCache + pd.cached
	}
	if inserts != misses {
		t.Errorf("Drain saw %d texts, the model %d", inserts, misses)
	}
	if misses != 1+3*n {
		t.Errorf("%d misses, want %d (the small program's text once, every big text each round)", misses, 1+3*n)
	}
}
