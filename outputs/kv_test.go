package outputs

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/logtally/logtally/tally"
)

func TestAppendKVGolden(t *testing.T) {
	var out []byte
	for _, s := range fixture() {
		out = append(AppendKV(nil, &s), '\n')
		golden(t, "kv/"+strings.ReplaceAll(s.Category, " ", "_")+".golden", out)
	}
}

func TestAppendKVNoNewline(t *testing.T) {
	for _, s := range fixture() {
		if line := AppendKV(nil, &s); bytes.ContainsAny(line, "\n\r") {
			t.Errorf("line contains a newline: %q", line)
		}
	}
}

func TestAppendKVValues(t *testing.T) {
	m := time.Date(2026, 11, 22, 10, 1, 0, 0, time.FixedZone("x", 3600))
	tests := []struct {
		name string
		s    tally.Summary
		want string
	}{
		{"zero", tally.Summary{Category: "c", Minute: m},
			"category=c minute=2026-11-22T09:01:00Z lines=0 matched=0 ignored=0 unknown=0 late=0"},
		{"partial", tally.Summary{Category: "c", Minute: m, Partial: true, Lines: 1},
			"category=c minute=2026-11-22T09:01:00Z partial=1 lines=1 matched=0 ignored=0 unknown=0 late=0"},
		{"empty category quoted", tally.Summary{Minute: m},
			`category="" minute=2026-11-22T09:01:00Z lines=0 matched=0 ignored=0 unknown=0 late=0`},
		{"category with = and quote", tally.Summary{Category: `a="b"`, Minute: m},
			`category="a=\"b\"" minute=2026-11-22T09:01:00Z lines=0 matched=0 ignored=0 unknown=0 late=0`},
		{"unicode category bare", tally.Summary{Category: "café", Minute: m},
			`category=café minute=2026-11-22T09:01:00Z lines=0 matched=0 ignored=0 unknown=0 late=0`},
		{"bad key bytes", tally.Summary{Category: "c", Minute: m, Counters: []tally.Value{{Name: "a b=c", Value: 2}, {Name: "", Value: 1}}},
			`category=c minute=2026-11-22T09:01:00Z lines=0 matched=0 ignored=0 unknown=0 late=0 a_b_c=2 _=1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendKV(nil, &tt.s)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func BenchmarkAppendKV(b *testing.B) {
	s := fixture()[0]
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendKV(buf[:0], &s)
	}
}
