// Package syslogpri parses syslog priorities as rsyslog spells them
// ("daemon.info", "local0.notice") or as a PRI number, for the outputs and
// flags that send syslog messages. The names are internal/facility's, the
// table the parsers and the rule file use too.
package syslogpri

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/logtally/logtally/internal/facility"
)

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
	f, okf := facility.Code(fac)
	v, oks := facility.SeverityCode(sev)
	if !ok || !okf || !oks {
		return 0, fmt.Errorf("bad priority %q (want facility.severity, e.g. daemon.info)", s)
	}
	return f*8 + v, nil
}
