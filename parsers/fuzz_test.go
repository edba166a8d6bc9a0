package parsers

import (
	"testing"
	"time"
	"unsafe"
)

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		if len(tc.line) < 4096 {
			f.Add([]byte(tc.line))
		}
	}
	for _, line := range rfc5424Lines {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p := New(func() time.Time { return defaultNow }, time.UTC)
		var rec Record
		err := p.Parse(line, &rec)
		if err != nil {
			if string(rec.Message) != string(line) {
				t.Fatalf("Message on error = %q, want the line", rec.Message)
			}
			return
		}
		for name, s := range map[string][]byte{"Host": rec.Host, "Program": rec.Program, "PID": rec.PID, "Message": rec.Message} {
			if !within(s, line) && !within(s, p.scratch[:cap(p.scratch)]) {
				t.Fatalf("%s = %q is neither in the line nor in scratch", name, s)
			}
		}
		if rec.Facility < -1 || rec.Facility > 23 || rec.Severity < -1 || rec.Severity > 7 {
			t.Fatalf("Facility, Severity = %d, %d", rec.Facility, rec.Severity)
		}
		// A second parse goes through the timestamp caches: same result.
		var again Record
		if err := p.Parse(line, &again); err != nil {
			t.Fatalf("second Parse: %v", err)
		}
		if !again.Time.Equal(rec.Time) || again.Format != rec.Format ||
			string(again.Host) != string(rec.Host) || string(again.Program) != string(rec.Program) ||
			string(again.PID) != string(rec.PID) || string(again.Message) != string(rec.Message) {
			t.Fatalf("second Parse differs: %+v vs %+v", again, rec)
		}
		if len(line) > 0 && line[0] == '<' {
			crossCheckRFC5424(t, line)
		}
	})
}

// within reports whether s lies inside buf's backing memory.
func within(s, buf []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(buf) == 0 {
		return false
	}
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	s0 := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return s0 >= b0 && s0+uintptr(len(s)) <= b0+uintptr(len(buf))
}
