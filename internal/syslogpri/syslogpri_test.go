package syslogpri

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int{"daemon.info": 30, "local0.info": 134, "kern.emerg": 0, "LOCAL7.debug": 191, "user.warning": 12, "30": 30} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "daemon", "daemon.", ".info", "daemon.loud", "nosuch.info", "192", "-1"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
		}
	}
}
