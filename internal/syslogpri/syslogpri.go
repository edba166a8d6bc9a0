// Package syslogpri parses syslog priorities as rsyslog spells them
// ("daemon.info", "local0.notice") or as a PRI number, for the outputs and
// flags that send syslog messages.
package syslogpri

import (
	"fmt"
	"strconv"
	"strings"
)

var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
	"news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12,
	"security": 13, "console": 14, "clock": 15, "local0": 16, "local1": 17,
	"local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

var severities = map[string]int{
	"emerg": 0, "panic": 0, "alert": 1, "crit": 2, "err": 3, "error": 3,
	"warning": 4, "warn": 4, "notice": 5, "info": 6, "debug": 7,
}

// Parse parses "facility.severity" (rsyslog names, e.g.
// "daemon.info" or "local0.notice") or a PRI number 0..191 into a PRI
// value (facility*8 + severity).
func Parse(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 191 {
			return 0, fmt.Errorf("priority %d out of range 0..191", n)
		}
		return n, nil
	}
	fac, sev, ok := strings.Cut(strings.ToLower(s), ".")
	f, okf := facilities[fac]
	v, oks := severities[sev]
	if !ok || !okf || !oks {
		return 0, fmt.Errorf("bad priority %q (want facility.severity, e.g. daemon.info)", s)
	}
	return f*8 + v, nil
}
