package corpus

import (
	"strconv"
	"time"
)

// facilities per daemon, for PRI in the formats that carry one.
var facility = map[string]int{"asa": 20, "sshd": 10, "postfix": 2, "cron": 9, "kernel": 0, "nginx": 16}

func appendLine(dst []byte, f Format, t time.Time, host, prog, pid, msg, daemon string) []byte {
	pri := facility[daemon]*8 + 6
	switch f {
	case File:
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00")
		dst = appendTag(append(append(append(dst, ' '), host...), ' '), prog, pid)
		return append(dst, msg...)
	case Protocol23:
		dst = append(strconv.AppendInt(append(dst, '<'), int64(pri), 10), ">1 "...)
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00")
		dst = append(append(append(append(dst, ' '), host...), ' '), prog...)
		if pid == "" {
			pid = "-"
		}
		return append(append(append(append(dst, ' '), pid...), " - -  "...), msg...)
	case JSON:
		dst = append(dst, `{"timereported":"`...)
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000-07:00")
		dst = append(append(append(dst, `","hostname":"`...), host...), `","programname":"`...)
		dst = append(append(dst, prog...), `","procid":"`...)
		dst = append(append(dst, pid...), `","syslogfacility":"`...)
		dst = append(strconv.AppendInt(dst, int64(pri/8), 10), `","syslogseverity":"6","msg":`...)
		dst = strconv.AppendQuote(dst, " "+msg)
		return append(dst, '}')
	default:
		dst = t.AppendFormat(dst, time.Stamp)
		dst = appendTag(append(append(append(dst, ' '), host...), ' '), prog, pid)
		return append(dst, msg...)
	}
}

func appendTag(dst []byte, prog, pid string) []byte {
	dst = append(dst, prog...)
	if pid != "" {
		dst = append(append(append(dst, '['), pid...), ']')
	}
	return append(dst, ": "...)
}
