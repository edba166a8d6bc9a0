package parsers

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/logtally/logtally/internal/facility"
)

// jsonKind is the Record field a top-level JSON key feeds.
type jsonKind uint8

const (
	jNone jsonKind = iota
	jTime
	jHost
	jProgram
	jTag
	jPID
	jMsg
	jFacility
	jSeverity
	jPri
	jKinds
)

// jsonKey maps the top-level keys of rsyslog's %jsonmesg%, of common jsonf
// templates, of journald and of GELF to a field, with a rank: when several
// keys feed one field the lowest rank wins (the last one among equals, as
// encoding/json). Keys are case-sensitive.
func jsonKey(k []byte) (jsonKind, uint8) {
	switch string(k) {
	case "timereported":
		return jTime, 0
	case "timestamp":
		return jTime, 1
	case "@timestamp":
		return jTime, 2
	case "time":
		return jTime, 3
	case "ts":
		return jTime, 4
	case "timegenerated":
		return jTime, 5
	case "hostname":
		return jHost, 0
	case "host":
		return jHost, 1
	case "_HOSTNAME":
		return jHost, 2
	case "fromhost":
		return jHost, 3
	case "programname":
		return jProgram, 0
	case "program":
		return jProgram, 1
	case "app-name":
		return jProgram, 2
	case "appname", "app_name":
		return jProgram, 3
	case "SYSLOG_IDENTIFIER", "ident":
		return jProgram, 4
	case "syslogtag":
		return jTag, 0
	case "tag":
		return jTag, 1
	case "procid":
		return jPID, 0
	case "pid":
		return jPID, 1
	case "SYSLOG_PID", "_PID":
		return jPID, 2
	case "msg":
		return jMsg, 0
	case "message":
		return jMsg, 1
	case "MESSAGE":
		return jMsg, 2
	case "short_message":
		return jMsg, 3
	case "syslogfacility":
		return jFacility, 0
	case "facility":
		return jFacility, 1
	case "SYSLOG_FACILITY":
		return jFacility, 2
	case "syslogfacility-text":
		return jFacility, 3
	case "syslogseverity":
		return jSeverity, 0
	case "severity":
		return jSeverity, 1
	case "PRIORITY":
		return jSeverity, 2
	case "level":
		return jSeverity, 3
	case "syslogseverity-text":
		return jSeverity, 4
	case "pri", "syslogpriority":
		return jPri, 0
	}
	return jNone, 0
}

type jsonVal struct {
	v    []byte
	rank uint8
	set  bool
	str  bool // a JSON string (else a bare scalar)
}

// parseJSON parses a flat-enough JSON object: known top-level keys are
// kept, every other value (nested objects such as "$!" included) is skipped.
// Strings without escapes alias line; unescaped ones go to p.scratch.
func (p *Parser) parseJSON(b []byte, rec *Record) error {
	p.scratch = p.scratch[:0]
	var vals [jKinds]jsonVal
	i := skipWS(b, 1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return malformed("bad JSON key", i)
			}
			ke, ok := skipString(b, i)
			if !ok {
				return malformed("bad JSON string", ke)
			}
			kind, rank := jsonKey(b[i+1 : ke-1])
			i = skipWS(b, ke)
			if i >= len(b) || b[i] != ':' {
				return malformed("bad JSON object", i)
			}
			i = skipWS(b, i+1)
			if i >= len(b) {
				return malformed("bad JSON value", i)
			}
			slot := &vals[kind]
			c := b[i]
			switch {
			case kind != jNone && c == '"' && (!slot.set || rank <= slot.rank):
				v, next, ok := p.jsonString(b, i)
				if !ok {
					return malformed("bad JSON string", next)
				}
				*slot = jsonVal{v: v, rank: rank, set: true, str: true}
				i = next
			case c == '"':
				if i, ok = skipString(b, i); !ok {
					return malformed("bad JSON string", i)
				}
			case c == '{' || c == '[':
				if i, ok = skipNested(b, i); !ok {
					return malformed("bad JSON value", i)
				}
			default:
				s := i
				for i < len(b) && !isJSONDelim(b[i]) {
					i++
				}
				if i == s {
					return malformed("bad JSON value", i)
				}
				if kind != jNone && (!slot.set || rank <= slot.rank) {
					*slot = jsonVal{v: b[s:i], rank: rank, set: true}
				}
			}
			i = skipWS(b, i)
			if i < len(b) && b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return malformed("bad JSON object", i)
		}
	}
	if i = skipWS(b, i); i != len(b) {
		return malformed("trailing data after JSON", i)
	}

	if v := vals[jTime]; v.set {
		rec.Time = p.jsonTime(v)
	}
	rec.Host = vals[jHost].v
	rec.Program = vals[jProgram].v
	rec.PID = vals[jPID].v
	if tag := vals[jTag].v; len(tag) > 0 && (len(rec.Program) == 0 || len(rec.PID) == 0) {
		if tag[len(tag)-1] == ':' {
			tag = tag[:len(tag)-1]
		}
		prog, pid := splitPID(tag)
		if len(rec.Program) == 0 {
			rec.Program = prog
		}
		if len(rec.PID) == 0 {
			rec.PID = pid
		}
	}
	if v := vals[jMsg]; v.set {
		// rsyslog's msg property keeps the space that followed the tag.
		rec.Message = v.v
		if len(rec.Message) > 0 && rec.Message[0] == ' ' {
			rec.Message = rec.Message[1:]
		}
	} else {
		rec.Message = b
	}
	if v := vals[jPri]; v.set {
		if n, ok := atoi(v.v); ok && n <= 191 {
			rec.Facility, rec.Severity = int8(n>>3), int8(n&7)
		}
	}
	if v := vals[jFacility]; v.set {
		if n, ok := atoi(v.v); ok && n <= 23 {
			rec.Facility = int8(n)
		} else if n := int8(facility.Lookup(v.v)); n >= 0 {
			rec.Facility = n
		}
	}
	if v := vals[jSeverity]; v.set {
		if n, ok := atoi(v.v); ok && n <= 7 {
			rec.Severity = int8(n)
		} else if n := facility.LookupSeverity(v.v); n >= 0 {
			rec.Severity = n
		}
	}
	return nil
}

// jsonTime interprets a time value: RFC 3339, traditional "Mmm dd
// hh:mm:ss", or a number of Unix seconds (milliseconds when > 1e11, with
// an optional fraction). Anything else gives the zero time.
func (p *Parser) jsonTime(v jsonVal) time.Time {
	b := v.v
	if len(b) == 0 {
		return time.Time{}
	}
	if isDigit(b[0]) {
		if t, n, ok := p.rfc3339Time(b); ok && n == len(b) {
			return t
		}
		var sec, frac, scale int64 = 0, 0, 1
		i := 0
		for ; i < len(b) && isDigit(b[i]) && i < 16; i++ {
			sec = sec*10 + int64(b[i]-'0')
		}
		if i < len(b) && b[i] == '.' {
			for i++; i < len(b) && isDigit(b[i]); i++ {
				if scale < 1e9 {
					frac = frac*10 + int64(b[i]-'0')
					scale *= 10
				}
			}
		}
		if i != len(b) {
			return time.Time{}
		}
		nsec := frac * (1e9 / scale)
		if sec > 1e11 { // milliseconds
			return time.Unix(sec/1000, (sec%1000)*1e6+nsec/1000).UTC()
		}
		return time.Unix(sec, nsec).UTC()
	}
	if t, n, ok := p.traditionalTime(b); ok && n == len(b) {
		return t
	}
	return time.Time{}
}

// jsonString returns the contents of the JSON string at b[i] == '"': a
// sub-slice of b when it has no escapes, else its unescaped form in
// p.scratch. next is the index after the closing quote.
func (p *Parser) jsonString(b []byte, i int) (val []byte, next int, ok bool) {
	start := i + 1
	q := bytes.IndexByte(b[start:], '"')
	if q < 0 {
		return nil, len(b), false
	}
	q += start
	if e := bytes.IndexByte(b[start:q], '\\'); e >= 0 {
		return p.unescape(b, start, start+e)
	}
	return b[start:q], q + 1, true
}

// unescape decodes the JSON string starting at b[start:], whose first
// escape is at b[j], into p.scratch. An unescaped string is never longer
// than its source, so once scratch holds len(b) bytes it never moves and
// earlier results stay valid.
func (p *Parser) unescape(b []byte, start, j int) (val []byte, next int, ok bool) {
	if cap(p.scratch)-len(p.scratch) < len(b)-start {
		if len(p.scratch) != 0 {
			return nil, j, false // cannot happen: see above
		}
		p.scratch = make([]byte, 0, len(b))
	}
	s0 := len(p.scratch)
	out := append(p.scratch, b[start:j]...)
	for j < len(b) {
		c := b[j]
		if c == '"' {
			p.scratch = out
			return out[s0:len(out):len(out)], j + 1, true
		}
		if c != '\\' {
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(b) {
			return nil, j, false
		}
		switch e := b[j+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, j+2)
			if !ok {
				return nil, j, false
			}
			j += 6
			if utf16IsHigh(r) {
				if lo, ok := hex4(b, j+2); ok && j+1 < len(b) && b[j] == '\\' && b[j+1] == 'u' && utf16IsLow(lo) {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					j += 6
				} else {
					r = utf8.RuneError
				}
			} else if utf16IsLow(r) {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return nil, j, false
		}
		j += 2
	}
	return nil, j, false
}

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			r = r<<4 | rune(c|0x20-'a'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// skipString returns the index after the JSON string at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	j := i + 1
	for {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			return len(b), false
		}
		q += j
		// The quote is escaped when an odd run of backslashes precedes it.
		k := q - 1
		for k >= j && b[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q + 1, true
		}
		j = q + 1
	}
}

// skipNested returns the index after the object or array at b[i]. Bracket
// kinds are not matched against each other: this is a skipper, not a
// validator.
func skipNested(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			var ok bool
			if i, ok = skipString(b, i); !ok {
				return i, false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return i, false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isJSONDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// atoi parses 1 to 3 decimal digits.
func atoi(b []byte) (int, bool) {
	n, i, ok := digits(b, 0, 1, 3)
	return n, ok && i == len(b)
}
