package parsers

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
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
	// warm parses every input in turn, so its caches hold whatever the
	// previous inputs left: it must agree with a fresh parser.
	var mu sync.Mutex
	warm := New(func() time.Time { return defaultNow }, time.UTC)
	f.Fuzz(func(t *testing.T, line []byte) {
		p := New(func() time.Time { return defaultNow }, time.UTC)
		var rec Record
		err := p.Parse(line, &rec)
		mu.Lock()
		var w Record
		werr := warm.Parse(line, &w)
		mu.Unlock()
		if (err == nil) != (werr == nil) || !sameRecord(rec, w) {
			t.Fatalf("warm parser differs: %v %+v, fresh: %v %+v", werr, w, err, rec)
		}
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
		if !sameRecord(again, rec) {
			t.Fatalf("second Parse differs: %+v vs %+v", again, rec)
		}
		if len(line) > 0 && line[0] == '<' {
			crossCheckRFC5424(t, line)
		}
		if rec.Format == FormatJSON {
			crossCheckJSON(t, line, rec)
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

// crossCheckJSON compares the message of a valid JSON line with what
// encoding/json decodes.
func crossCheckJSON(t *testing.T, line []byte, rec Record) {
	if !utf8.Valid(line) || !json.Valid(line) {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("json.Unmarshal of a valid line: %v", err)
	}
	msg, ok := m["msg"].(string)
	if !ok {
		return
	}
	msg = strings.TrimPrefix(msg, " ")
	if string(rec.Message) != msg {
		t.Fatalf("Message = %q, encoding/json says %q", rec.Message, msg)
	}
}

func sameRecord(a, b Record) bool {
	return a.Time.Equal(b.Time) && a.Format == b.Format &&
		a.Facility == b.Facility && a.Severity == b.Severity &&
		string(a.Host) == string(b.Host) && string(a.Program) == string(b.Program) &&
		string(a.PID) == string(b.PID) && string(a.Message) == string(b.Message)
}
