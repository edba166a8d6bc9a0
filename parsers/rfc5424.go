package parsers

// parseRFC5424 parses what follows "<PRI>VERSION " in an RFC 5424 line
// (RSYSLOG_SyslogProtocol23Format):
//
//	TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
//
// "-" is the nil value of every header field. MSGID and STRUCTURED-DATA are
// validated and skipped. A UTF-8 BOM at the start of MSG is dropped, and so
// is one leading space: rsyslog's %msg% of a legacy message starts with the
// space that followed the tag.
func (p *Parser) parseRFC5424(line []byte, i int, rec *Record) error {
	if i >= len(line) {
		return malformed("missing timestamp", i)
	}
	if line[i] == '-' {
		i++
	} else {
		t, n, ok := p.rfc3339Time(line[i:])
		if !ok {
			return malformed("bad timestamp", i+n)
		}
		rec.Time = t
		i += n
	}
	for k := range 4 { // HOSTNAME APP-NAME PROCID MSGID
		if i >= len(line) || line[i] != ' ' {
			return malformed("truncated header", i)
		}
		i++
		s := i
		for i < len(line) && line[i] != ' ' {
			i++
		}
		if i == s {
			return malformed("empty header field", i)
		}
		if i-s == 1 && line[s] == '-' {
			continue
		}
		switch k {
		case 0:
			rec.Host = line[s:i]
		case 1:
			rec.Program = line[s:i]
		case 2:
			rec.PID = line[s:i]
		}
	}
	if i >= len(line) || line[i] != ' ' {
		return malformed("truncated header", i)
	}
	i++
	i, ok := skipSD(line, i)
	if !ok {
		return malformed("bad structured data", i)
	}
	if i == len(line) {
		return nil
	}
	if line[i] != ' ' {
		return malformed("bad structured data", i)
	}
	msg := line[i+1:]
	if len(msg) >= 3 && msg[0] == 0xEF && msg[1] == 0xBB && msg[2] == 0xBF {
		msg = msg[3:]
	}
	if len(msg) > 0 && msg[0] == ' ' {
		msg = msg[1:]
	}
	rec.Message = msg
	return nil
}

// skipSD skips STRUCTURED-DATA at b[i:]: "-" or one or more
// "[id name="value" …]" elements, where a value may hold \" \\ \].
func skipSD(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	if b[i] == '-' {
		return i + 1, true
	}
	if b[i] != '[' {
		return i, false
	}
	for i < len(b) && b[i] == '[' {
		i++
		if i >= len(b) || b[i] == ' ' || b[i] == ']' {
			return i, false // SD-ID is required
		}
		quoted := false
	elem:
		for ; i < len(b); i++ {
			switch sdClass[b[i]] {
			case 0:
			case sdBackslash:
				if quoted {
					i++
				}
			case sdQuote:
				quoted = !quoted
			case sdClose:
				if !quoted {
					break elem
				}
			}
		}
		if i >= len(b) {
			return len(b), false
		}
		i++ // ']'
	}
	return i, true
}

const (
	sdQuote = 1 + iota
	sdClose
	sdBackslash
)

// sdClass marks the bytes that matter inside an SD element.
var sdClass = [256]uint8{'"': sdQuote, ']': sdClose, '\\': sdBackslash}
