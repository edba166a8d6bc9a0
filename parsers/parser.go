package parsers

import (
	"strconv"
	"time"
)

// SyntaxError is the error Parse returns for a line it cannot parse. It
// wraps ErrMalformed: test with errors.Is(err, ErrMalformed).
type SyntaxError struct {
	Reason string // short, lowercase: "bad timestamp", "missing hostname", …
	Offset int    // byte offset in the line where parsing stopped
}

func (e *SyntaxError) Error() string {
	return "parsers: " + e.Reason + " at byte " + strconv.Itoa(e.Offset)
}

// Unwrap returns ErrMalformed.
func (e *SyntaxError) Unwrap() error { return ErrMalformed }

func malformed(reason string, off int) error {
	return &SyntaxError{Reason: reason, Offset: off}
}

// Parser turns lines into Records. It keeps small caches (last timestamp,
// zones) and a scratch buffer for unescaped JSON strings, so it allocates
// nothing on the text formats.
//
// Parser is not safe for concurrent use; use one per goroutine.
type Parser struct {
	now     func() time.Time
	loc     *time.Location
	scratch []byte

	// Traditional timestamp cache: the last "Mmm dd hh:mm:ss" seen.
	tradOK  bool
	tradKey [15]byte
	tradT   time.Time

	// RFC 3339 cache: the last "YYYY-MM-DDThh:mm:ss" seen and its wall
	// clock as Unix seconds, before the zone offset is applied.
	rfcOK   bool
	rfcKey  [19]byte
	rfcWall int64

	// RFC 3339 offset cache: the last "±hh:mm" seen.
	offOK  bool
	offKey [6]byte
	off    int
	offLoc *time.Location

	zones []zoneEntry
}

type zoneEntry struct {
	off int
	loc *time.Location
}

// New returns a parser. now supplies the current time to infer the year of
// traditional (yearless) timestamps: the year chosen is the latest one that
// puts the timestamp no more than 31 days after now, so a "Dec 31" line seen
// on Jan 1 belongs to the previous year and a "Jan 1" line seen on Dec 31
// to the next. now is called only when the timestamp changes second; nil
// means time.Now. loc is the zone of timestamps without an offset
// (traditional formats); nil means time.Local.
func New(now func() time.Time, loc *time.Location) *Parser {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.Local
	}
	return &Parser{now: now, loc: loc}
}

// Parse fills rec from line (without its trailing newline), detecting the
// format per line: RSYSLOG_TraditionalFileFormat, RSYSLOG_FileFormat,
// RSYSLOG_SyslogProtocol23Format, RSYSLOG_TraditionalForwardFormat,
// RSYSLOG_ForwardFormat, or a JSON object. rec's slices alias line or the
// Parser's scratch buffer until the next call.
//
// When the line cannot be parsed Parse returns a *SyntaxError wrapping
// ErrMalformed; rec then holds what could be salvaged, and rec.Message is
// the whole line. Parse never panics, whatever the bytes.
func (p *Parser) Parse(line []byte, rec *Record) error {
	*rec = Record{Facility: -1, Severity: -1}
	if len(line) == 0 {
		return malformed("empty line", 0)
	}
	var err error
	switch c := line[0]; {
	case c == '<':
		err = p.parsePRI(line, rec)
	case c == '{':
		rec.Format = FormatJSON
		err = p.parseJSON(line, rec)
	case c >= '0' && c <= '9':
		err = p.parseRFC3164(line, 0, FormatFile, rec)
	case isAlpha(c):
		err = p.parseRFC3164(line, 0, FormatTraditionalFile, rec)
	default:
		err = malformed("unrecognised line start", 0)
	}
	if err != nil {
		rec.Message = line
	}
	return err
}

// parsePRI handles every format that starts with "<PRI>".
func (p *Parser) parsePRI(line []byte, rec *Record) error {
	pri, i := 0, 1
	for ; i < len(line) && i <= 4 && isDigit(line[i]); i++ {
		pri = pri*10 + int(line[i]-'0')
	}
	if i == 1 || i >= len(line) || line[i] != '>' || pri > 191 {
		return malformed("bad priority", i)
	}
	rec.Facility, rec.Severity = int8(pri>>3), int8(pri&7)
	i++
	if i >= len(line) {
		return malformed("missing timestamp", i)
	}
	c := line[i]
	if isAlpha(c) {
		return p.parseRFC3164(line, i, FormatTraditionalForward, rec)
	}
	if !isDigit(c) {
		return malformed("bad timestamp", i)
	}
	// "<PRI>1 " is RFC 5424; "<PRI>2026-" is RSYSLOG_ForwardFormat.
	j := i
	for j < len(line) && j-i < 3 && isDigit(line[j]) {
		j++
	}
	if j < len(line) && line[j] == ' ' {
		rec.Format = FormatSyslogProtocol23
		return p.parseRFC5424(line, j+1, rec)
	}
	return p.parseRFC3164(line, i, FormatForward, rec)
}

// parseRFC3164 parses "TIMESTAMP HOST TAG MSG" from line[i:], the header of
// the traditional and the RFC 3339 file and forward formats. rec.Format is
// set to f once the timestamp is recognised.
func (p *Parser) parseRFC3164(line []byte, i int, f Format, rec *Record) error {
	var n int
	var ok bool
	if f == FormatTraditionalFile || f == FormatTraditionalForward {
		rec.Time, n, ok = p.traditionalTime(line[i:])
	} else {
		rec.Time, n, ok = p.rfc3339Time(line[i:])
	}
	if !ok {
		return malformed("bad timestamp", i+n)
	}
	rec.Format = f
	i += n
	if i >= len(line) || line[i] != ' ' {
		return malformed("missing hostname", i)
	}
	i++
	h := i
	for i < len(line) && line[i] != ' ' {
		i++
	}
	if i == h {
		return malformed("missing hostname", i)
	}
	rec.Host = line[h:i]
	if i < len(line) {
		i++ // the space after the host
	}
	splitTag(line[i:], rec)
	return nil
}

// splitTag fills Program, PID and Message from what follows the hostname:
// "prog[pid]: msg", "prog: msg", "%ASA-5-304001: msg", "postfix/smtpd[1]:
// msg", or "prog[pid] msg" (no colon). Anything else has no tag: Program
// stays empty and Message is rest, less one leading space (rsyslog puts
// one between an empty tag and the message).
func splitTag(rest []byte, rec *Record) {
	if len(rest) > 0 && rest[0] == ' ' {
		rec.Message = rest[1:]
		return
	}
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case ':':
			if i == 0 {
				rec.Message = rest
				return
			}
			rec.Program, rec.PID = splitPID(rest[:i])
			msg := rest[i+1:]
			if len(msg) > 0 && msg[0] == ' ' {
				msg = msg[1:]
			}
			rec.Message = msg
			return
		case ' ':
			if pidOnlyTag(rest[:i], rec) {
				rec.Message = rest[i+1:]
			} else {
				rec.Message = rest
			}
			return
		}
	}
	if !pidOnlyTag(rest, rec) {
		rec.Message = rest
	}
}

// splitPID splits "prog[pid]" into prog and pid; any other tag is all
// program.
func splitPID(tag []byte) (prog, pid []byte) {
	n := len(tag)
	if n < 3 || tag[n-1] != ']' {
		return tag, nil
	}
	for j := n - 2; j > 0; j-- {
		if tag[j] == '[' {
			return tag[:j], tag[j+1 : n-1]
		}
	}
	return tag, nil
}

// pidOnlyTag accepts a colon-less tag only in the unambiguous form
// "prog[digits]".
func pidOnlyTag(tok []byte, rec *Record) bool {
	prog, pid := splitPID(tok)
	if len(pid) == 0 || len(prog) == len(tok) {
		return false
	}
	for _, c := range pid {
		if !isDigit(c) {
			return false
		}
	}
	rec.Program, rec.PID = prog, pid
	return true
}

func isDigit(c byte) bool { return c-'0' <= 9 }
func isAlpha(c byte) bool { return (c|0x20)-'a' < 26 }
