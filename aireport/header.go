package aireport

import "bytes"

// Header inference for log files that are not syslog (HeaderAuto, when the
// classifier does not recognise the line).
//
// Application logs put a header of fixed fields before the message: a
// timestamp in one of many spellings, a level, a pid, a thread or request
// id in brackets, a host or node name, a component. Their order differs
// from format to format, but the kinds of fields do not, and the message
// starts at the first field that is none of them. InferHeader reads the
// leading fields of a line by their shape:
//
//   - bracketed fields: [Sun Dec 04 04:47:44 2005], [notice], [main],
//     [req-1 - - -]
//   - timestamps and numbers: 2015-10-18, 18:01:47,978, 081109, 203615,
//     1117838570, 2005.06.03, 2005-06-03-15.42.50.675872, pids
//   - month and weekday names (Jun 14, Sun Dec 04)
//   - levels: INFO, WARN, error, notice, ...; short all-capital words (RAS
//     KERNEL) and a lone "-"
//   - names with digits: hosts and nodes (dn228, R02-M1-N0-C:J12-U11)
//   - components: a dotted name (nova.compute.manager, chrome.exe) or a
//     name ending in ':' (dfs.DataNode$PacketResponder:, sshd[42]:), which
//     ends the header
//   - '|'-separated fields before the message (2017...|Step_LSC|3000|msg)
//
// A line has a header only when one of its first three fields is a date
// or a time: a message that merely starts with a number or a name keeps
// it. The header is stripped for grouping; reports still show the raw
// line as the example.

// InferHeader returns the message of line after an inferred header, and
// whether a header was found (otherwise message is line).
func InferHeader(line []byte) (message []byte, ok bool) {
	i, fields, timeAt := 0, 0, -1
	component := false // after a component only brackets and a "-" follow
	epoch := false     // the only time seen is a bare number
	for {
		i = skipBlanks(line, i)
		if i >= len(line) || fields >= 16 {
			break
		}
		kind, end := headerField(line, i)
		if kind == fieldMessage {
			break
		}
		if component && kind != fieldBracket && !(end == i+1 && line[i] == '-') {
			break
		}
		if (kind == fieldTime || kind == fieldPipes) && timeAt < 0 {
			timeAt = fields
			// a bare epoch number needs another header field after it:
			// "1365301360 double-hummer ..." is a message
			epoch = allDigits(line[i:end]) || bytes.IndexByte(line[i:end], '.') > 0 && numberish(line[i:end]) && !hasDateOrClock(line[i:end])
		}
		if timeAt < 0 && fields >= 2 {
			return line, false
		}
		fields++
		i = end
		if kind == fieldComponentEnd || kind == fieldPipes {
			break
		}
		if kind == fieldComponent {
			component = true
			// "chrome.exe *64 - msg": a lone "-" shortly after the
			// component separates the header
			j := i
			for k := 0; k < 2; k++ {
				j = skipBlanks(line, j)
				if j < len(line) && line[j] == '[' {
					break
				}
				e := j
				for e < len(line) && line[e] != ' ' && line[e] != '\t' {
					e++
				}
				if e == j+1 && line[j] == '-' {
					i = e
					break
				}
				j = e
			}
		}
	}
	if timeAt < 0 || epoch && fields < 2 {
		return line, false
	}
	return line[skipBlanks(line, i):], true
}

func skipBlanks(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

type fieldKind int

const (
	fieldMessage      fieldKind = iota // not a header field: the message starts here
	fieldTime                          // a date, a time or a timestamp
	fieldHeader                        // any other header field
	fieldComponentEnd                  // "name:": the last header field
	fieldComponent                     // a dotted name: nova.compute.manager
	fieldBracket                       // [anything]
	fieldPipes                         // a|b|c| before the message: the whole header
)

var levelWords = map[string]bool{
	"trace": true, "debug": true, "info": true, "notice": true, "warn": true, "warning": true,
	"error": true, "err": true, "crit": true, "critical": true, "alert": true, "emerg": true,
	"fatal": true, "severe": true, "fine": true, "finer": true, "finest": true, "verbose": true,
	"config": true,
}

// headerField classifies the field at line[i:] and returns where it ends.
func headerField(line []byte, i int) (fieldKind, int) {
	if line[i] == '[' {
		j := bytes.IndexByte(line[i:], ']')
		if j < 0 || j > 256 {
			return fieldMessage, i
		}
		inner := line[i+1 : i+j]
		end := i + j + 1
		if end < len(line) && line[end] != ' ' && line[end] != '\t' {
			return fieldMessage, i // "[x]y": not a field of its own
		}
		if hasTime(inner) {
			return fieldTime, end
		}
		return fieldBracket, end
	}
	end := i
	for end < len(line) && line[end] != ' ' && line[end] != '\t' {
		end++
	}
	tok := line[i:end]
	if p := bytes.IndexByte(tok, '|'); p >= 0 {
		// '|'-separated header: every field before the last '|' of this word
		last := bytes.LastIndexByte(tok, '|')
		if !hasTime(tok[:last]) {
			return fieldMessage, i
		}
		return fieldPipes, i + last + 1
	}
	switch {
	case len(tok) == 6 && sixDigitPair(line[i:]):
		return fieldTime, end
	case len(tok) == 1 && tok[0] == '-':
		return fieldHeader, end
	case hasTime(tok):
		return fieldTime, end
	case numberish(tok):
		return fieldHeader, end
	case len(tok) == 3 && (hasWordPrefix(append(tok[:3:3], ' '), monthNames) || hasWordPrefix(append(tok[:3:3], ' '), dayNames)):
		return fieldHeader, end
	case levelWords[string(bytes.ToLower(bytes.Trim(tok, ":")))]:
		return fieldHeader, end
	case capsWord(tok):
		return fieldHeader, end
	case tok[len(tok)-1] == ':' && len(tok) > 1 && componentName(tok[:len(tok)-1], true):
		return fieldComponentEnd, end
	case bytes.IndexByte(tok, '.') > 0 && componentName(tok, false):
		return fieldComponent, end
	case nodeName(tok):
		return fieldHeader, end
	}
	return fieldMessage, i
}

// hasDateOrClock reports hh:mm or a date inside b.
func hasDateOrClock(b []byte) bool {
	return hasTime(b) && !allDigits(b)
}

// hasTime reports a date or time: hh:mm (not the port of 1.2.3.4:22),
// yyyy-mm-dd, yyyy.mm.dd, or a
// number of 6, 8, 10 or 13 digits (yyyymmdd, epoch seconds or
// milliseconds), possibly with a fraction.
func hasTime(b []byte) bool {
	for k := 0; k+4 < len(b); k++ {
		if isDigit(b[k]) && isDigit(b[k+1]) && b[k+2] == ':' && isDigit(b[k+3]) && isDigit(b[k+4]) &&
			(k == 0 || !isDigit(b[k-1]) && b[k-1] != '.') && (k+5 == len(b) || !isDigit(b[k+5])) {
			return true
		}
	}
	for k := 0; k+9 < len(b); k++ {
		if allDigits(b[k:k+4]) && (b[k+4] == '-' || b[k+4] == '.' || b[k+4] == '/') && allDigits(b[k+5:k+7]) && b[k+7] == b[k+4] && allDigits(b[k+8:k+10]) {
			return true
		}
	}
	if len(b) > 9 && yyyymmdd(b[:8]) && !isDigit(b[8]) && isDigit(b[9]) {
		return true // 20171224-0:7:23:321
	}
	n := len(b)
	if d := bytes.IndexByte(b, '.'); d > 0 && allDigits(b[d+1:]) {
		n = d
	}
	if !allDigits(b[:n]) {
		return false
	}
	switch n {
	case 8:
		return yyyymmdd(b)
	case 10, 13: // epoch seconds or milliseconds, 2001 to 2286
		return b[0] == '1' || b[0] == '2'
	}
	return false
}

func yyyymmdd(b []byte) bool {
	return allDigits(b) && (b[0] == '1' && b[1] == '9' || b[0] == '2' && b[1] == '0') && b[4] <= '1' && b[6] <= '3'
}

// sixDigitPair reports "yymmdd hhmmss" at the start of b.
func sixDigitPair(b []byte) bool {
	return len(b) >= 13 && allDigits(b[:6]) && b[6] == ' ' && allDigits(b[7:13]) && (len(b) == 13 || b[13] == ' ' || b[13] == '\t')
}

// numberish: digits with separators (pids, counters, versions).
func numberish(b []byte) bool {
	digit := false
	for _, c := range b {
		switch {
		case isDigit(c):
			digit = true
		case c == '-' || c == ':' || c == '.' || c == ',' || c == '/' || c == '+':
		default:
			return false
		}
	}
	return digit
}

// capsWord: 2 to 10 capital letters (RAS, KERNEL, APP).
func capsWord(b []byte) bool {
	if len(b) < 2 || len(b) > 10 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// nodeName: letters and digits both, with '.', '-', '_', ':', '/', '@'
// (dn228, R02-M1-N0-C:J12-U11, local@tbird-admin1, web-3.example.com:80).
func nodeName(b []byte) bool {
	letter, digit := false, false
	for _, c := range b {
		switch {
		case isAlpha(c):
			letter = true
		case isDigit(c):
			digit = true
		case c == '.' || c == '-' || c == '_' || c == ':' || c == '/' || c == '@':
		default:
			return false
		}
	}
	return letter && digit
}

// componentName: a program or logger name, with (suffix) an optional
// [pid] or (facility): sshd, sshd[42], crond(pam_unix)[2915],
// dfs.DataNode$PacketResponder, nova.compute.manager, chrome.exe; not a
// call such as workerEnv.init().
func componentName(b []byte, suffix bool) bool {
	if i := bytes.IndexByte(b, '['); suffix && i > 0 && b[len(b)-1] == ']' {
		b = b[:i]
	}
	if i := bytes.IndexByte(b, '('); suffix && i > 0 && b[len(b)-1] == ')' {
		b = b[:i]
	}
	if len(b) == 0 || !isAlpha(b[0]) && !isDigit(b[0]) || !bytes.ContainsFunc(b, func(r rune) bool { return r < 128 && isAlpha(byte(r)) }) {
		return false
	}
	for _, c := range b {
		if !isAlpha(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' && c != '$' && c != '/' {
			return false
		}
	}
	return true
}
