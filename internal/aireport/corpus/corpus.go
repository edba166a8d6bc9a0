// Package corpus generates synthetic unknown-spool input for aireport's
// tests and benchmarks: RSYSLOG_TraditionalFileFormat lines from a fixed
// number of message templates with variable fields (ports, PIDs, pid=N,
// addresses, users, numbers), plus the edge cases the article's sed masks
// must get exactly right. Output is a pure function of the seed.
package corpus

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Config says what to generate.
type Config struct {
	Lines     int
	Templates int    // distinct message templates (>= 1)
	Seed      uint64 // same seed, same bytes
	Values    int    // distinct values per variable field the article's masks leave alone (default 100)
	Nasty     bool   // add edge cases: short lines, "port  ", "[]", "pid=", bytes >= 0x80, NUL, tabs, CR
}

var (
	programs = []string{"sshd", "postfix/smtpd", "kernel", "CRON", "nginx", "dhcpd", "sudo", "systemd", "named", "dovecot", "ntpd", "app-worker"}
	words    = strings.Fields("connection session request client server upstream timeout refused accepted closed opened failed retry queue message lost reset delayed ready started stopped reload denied granted cache miss hit disk volume mount lease renew bound socket handshake certificate expired invalid user token backend pool worker job task")
	users    = strings.Fields("root alice bob carol dave eve mallory oscar peggy trent victor walter nobody www-data postfix backup")
)

// word returns a pronounceable, digit-free token unique to i.
func word(i int) string {
	const c, v = "bcdfghklmnprstvz", "aeiou"
	var b strings.Builder
	for {
		b.WriteByte(c[i%len(c)])
		i /= len(c)
		b.WriteByte(v[i%len(v)])
		i /= len(v)
		if i == 0 {
			return b.String()
		}
	}
}

type tmpl struct {
	prog  string
	parts []string // literal parts; slots between them
	slots []byte   // 'p' port, 'i' ipv4, 'u' user, 'n' number, 'd' pid=N, 'h' hex
}

func makeTemplates(r *rand.Rand, n int) []tmpl {
	ts := make([]tmpl, n)
	for i := range ts {
		t := tmpl{prog: programs[i%len(programs)]}
		nslots := 1 + r.IntN(3)
		for k := 0; k < nslots; k++ {
			kind := "piundh"[r.IntN(6)]
			lit := " " + words[r.IntN(len(words))] + " "
			if k == 0 {
				lit = words[r.IntN(len(words))] + " " + word(i) + " " + words[r.IntN(len(words))] + " "
			}
			switch kind {
			case 'p':
				lit += "port "
			case 'i':
				lit += "from "
			case 'd':
				lit += "pid="
			}
			t.parts = append(t.parts, lit)
			t.slots = append(t.slots, kind)
		}
		t.parts = append(t.parts, " "+words[r.IntN(len(words))])
		ts[i] = t
	}
	return ts
}

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Generate writes cfg.Lines lines to w.
func Generate(w io.Writer, cfg Config) error {
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	if cfg.Templates < 1 {
		cfg.Templates = 1
	}
	ts := makeTemplates(r, cfg.Templates)
	if cfg.Values < 1 {
		cfg.Values = 100
	}
	v := cfg.Values
	bw := bufio.NewWriterSize(w, 1<<20)
	var b []byte
	sec := 0
	for n := 0; n < cfg.Lines; n++ {
		if r.IntN(50) == 0 {
			sec++
		}
		b = b[:0]
		if cfg.Nasty && r.IntN(200) == 0 {
			b = nasty(b, r)
			b = append(b, '\n')
			bw.Write(b)
			continue
		}
		// Zipf-like template popularity: a few big groups, a long tail.
		t := &ts[int(float64(len(ts))*r.Float64()*r.Float64()*r.Float64())]
		b = fmt.Appendf(b, "%s %2d %02d:%02d:%02d host%d %s[%d]: ", months[10], 22, sec/3600%24, sec/60%60, sec%60, r.IntN(8), t.prog, 100+r.IntN(30000))
		for i, p := range t.parts {
			b = append(b, p...)
			if i < len(t.slots) {
				switch t.slots[i] {
				case 'p':
					b = fmt.Appendf(b, "%d", 1024+r.IntN(60000))
				case 'i':
					b = fmt.Appendf(b, "10.0.%d.%d", r.IntN(v)/250, r.IntN(v)%250)
				case 'u':
					b = append(b, users[r.IntN(min(v, len(users)))]...)
				case 'n':
					b = fmt.Appendf(b, "%d", r.IntN(v))
				case 'd':
					b = fmt.Appendf(b, "%d", r.IntN(40000))
				case 'h':
					b = fmt.Appendf(b, "%08x", r.IntN(v))
				}
			}
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}

// nasty returns one line that stresses the article's sed semantics or
// byte handling.
func nasty(b []byte, r *rand.Rand) []byte {
	cases := []string{
		"short",
		"",
		"Nov 22 10:00:00 ",
		"Nov 22 10:00:00 h x: port  two spaces",
		"Nov 22 10:00:00 h x: port 22x not a port, port 23 is",
		"Nov 22 10:00:00 h x: port 1 port 2 port 3 ",
		"Nov 22 10:00:00 h x: empty [] and [12a] and [[7]] and [8",
		"Nov 22 10:00:00 h x: pid= pid=abc pid=pid=4 spid=55 PID=9",
		"Nov 22 10:00:00 h x: export 80 report 81 airport 82 x",
		"Nov 22 10:00:00 h x: tab\there\tport 9\tend",
		"Nov 22 10:00:00 h x: carriage return\r",
		"Nov 22 10:00:00 h x: latin1 caf\xe9 and \xff\xfe bytes port 77 ",
		"Nov 22 10:00:00 h x: nul \x00 byte [123]",
		"Nov 22 10:00:00 h x[12]: utf-8 café ✓ pid=12 port 5 ",
	}
	return append(b, cases[r.IntN(len(cases))]...)
}
