// Package parsers turns one syslog line, as rsyslog hands it to an omprog
// child, into a Record. Every rsyslog template listed in DESIGN.md is
// detected per line, plus JSON (%jsonmesg% and jsonf list templates).
// Parsing is a pure function of the line and an injected clock: no I/O.
//
// parsers is one of logtally's four public library packages, with rules,
// tally and holtwinters: programs outside logtally may import it, and its
// exported API changes only with care.
package parsers

import (
	"errors"
	"time"
)

// Format names the shape a line was recognised as.
type Format uint8

const (
	FormatUnknown            Format = iota
	FormatTraditionalFile           // Nov 22 01:37:32 vm myapp[29808]: msg
	FormatFile                      // 2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: msg
	FormatSyslogProtocol23          // <156>1 2026-11-22T01:37:32.195671+00:00 vm myapp 29808 - -  msg
	FormatTraditionalForward        // <156>Nov 22 01:37:32 vm myapp[29808]: msg
	FormatForward                   // <156>2026-11-22T01:37:32.195671+00:00 vm myapp[29808]: msg
	FormatJSON                      // {"timereported":"…","hostname":"vm","programname":"myapp","msg":"…"}
)

// ErrMalformed is wrapped by every error Parse returns: the line is counted
// as malformed by the caller and the stream goes on.
var ErrMalformed = errors.New("malformed line")

// Record is one parsed line. Its byte-slice fields alias the input line or
// the Parser's scratch buffer: they are valid only until the next Parse call
// on the same Parser. Copy what you keep.
type Record struct {
	Format   Format
	Time     time.Time // zero when the line carries no usable timestamp; located in the line's own offset (UTC for Z and +00:00), or the Parser's loc for yearless/offsetless ones
	Facility int8      // 0..23, -1 when the line has no PRI
	Severity int8      // 0..7, -1 when the line has no PRI
	Host     []byte
	Program  []byte // tag without "[pid]" and ":"; e.g. "sshd", "%ASA-5-304001"
	PID      []byte // empty when absent
	Message  []byte // the MSG part, header stripped (one leading space dropped; "#012" kept as is)
}

var formatNames = [...]string{
	FormatUnknown:            "unknown",
	FormatTraditionalFile:    "traditional-file",
	FormatFile:               "file",
	FormatSyslogProtocol23:   "syslog-protocol23",
	FormatTraditionalForward: "traditional-forward",
	FormatForward:            "forward",
	FormatJSON:               "json",
}

// String returns a short lowercase name: "traditional-file", "file",
// "syslog-protocol23", "traditional-forward", "forward", "json", "unknown".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}
