package parsers

import (
	"bytes"
	"testing"
	"time"

	"github.com/leodido/go-syslog/v4/rfc5424"
)

// rfc5424Lines are checked against go-syslog's RFC 5424 parser.
var rfc5424Lines = []string{
	`<156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  disk "sda" at 91% full`,
	"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry",
	`<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.`,
	`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]`,
	`<13>1 2026-11-22T01:37:32Z h app 7 m [a@1 x="q\"\]uo\\te" y="\]"][b@2] msg [not sd]`,
	`<0>1 - - - - - -`,
	`<191>1 - - - - - - -`,
	`<14>1 2026-11-22T01:37:32+01:00 h a - - - one#012two`,
	`<14>1 2026-11-22T01:37:32.1+05:45 h a - - -`,
	`<14>1 2026-11-22T01:37:32.123456-00:00 h a - - - x`,
	`<14>999 2026-11-22T01:37:32Z h a - - - x`,
	`<14>1 2026-11-22T01:37:32Z h a - - -  two leading spaces`,
	"<14>1 2026-11-22T01:37:32Z h a - - - \xEF\xBB\xBF",
	`<14>1 2026-11-22T01:37:32Z h a - - [x@1 a="\\"] m`,
	`<14>1 2026-11-22T01:37:32Z h a - - [x@1]`,
}

func TestRFC5424MatchesGoSyslog(t *testing.T) {
	for _, line := range rfc5424Lines {
		t.Run(line, func(t *testing.T) {
			if !crossCheckRFC5424(t, []byte(line)) {
				t.Fatalf("go-syslog rejects the test line %q", line)
			}
		})
	}
}

// crossCheckRFC5424 parses line with go-syslog; when go-syslog accepts it,
// Parse must accept it too and agree on every field. It reports whether
// go-syslog accepted the line.
func crossCheckRFC5424(t testing.TB, line []byte) bool {
	t.Helper()
	m, err := rfc5424.NewParser().Parse(line)
	if err != nil {
		return false
	}
	sm, ok := m.(*rfc5424.SyslogMessage)
	if !ok || !sm.Valid() {
		return false
	}
	p := New(func() time.Time { return defaultNow }, time.UTC)
	var rec Record
	if err := p.Parse(line, &rec); err != nil {
		t.Fatalf("go-syslog accepts %q, Parse says %v", line, err)
	}
	if rec.Format != FormatSyslogProtocol23 {
		t.Errorf("Format = %v", rec.Format)
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	msg := []byte(str(sm.Message))
	msg = bytes.TrimPrefix(msg, []byte("\xEF\xBB\xBF"))
	msg = bytes.TrimPrefix(msg, []byte(" "))
	if sm.Facility == nil || sm.Severity == nil ||
		int8(*sm.Facility) != rec.Facility || int8(*sm.Severity) != rec.Severity {
		t.Errorf("Facility, Severity = %d, %d; go-syslog %v, %v", rec.Facility, rec.Severity, sm.Facility, sm.Severity)
	}
	var ts time.Time
	if sm.Timestamp != nil {
		ts = *sm.Timestamp
	}
	if !rec.Time.Equal(ts) {
		t.Errorf("Time = %v, go-syslog %v", rec.Time, ts)
	}
	for _, f := range []struct{ name, got, want string }{
		{"Host", string(rec.Host), str(sm.Hostname)},
		{"Program", string(rec.Program), str(sm.Appname)},
		{"PID", string(rec.PID), str(sm.ProcID)},
		{"Message", string(rec.Message), string(msg)},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, go-syslog %q", f.name, f.got, f.want)
		}
	}
	return true
}
