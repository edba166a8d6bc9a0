// Package facility is logtally's single table of syslog facility and
// severity names. The parsers (JSON fields such as syslogfacility-text),
// the rule file (match: facility/severity) and the syslog output
// (--syslog-priority) all look names up here, so a name means the same
// code everywhere.
//
// The canonical names are rsyslog's %syslogfacility-text% and
// %syslogseverity-text% (RFC 5424 codes: 13 audit, 14 alert, 15 clock).
// Aliases are the ones rsyslog's configuration and glibc's <syslog.h>
// accept: "security" is auth (4), as on Linux — BSD's LOG_SECURITY (13)
// is not what an rsyslog host sends.
package facility

// names are the canonical facility names by code, 0..23.
var names = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// aliases are further names for a facility code.
var aliases = map[string]int8{"security": 4}

// severityNames are the canonical severity names by code, 0..7.
var severityNames = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// severityAliases are further names for a severity code.
var severityAliases = map[string]int8{
	"panic": 0, "emergency": 0, "critical": 2, "error": 3, "warn": 4, "informational": 6,
}

var facilities, severities = func() (map[string]int8, map[string]int8) {
	f := map[string]int8{}
	for i, n := range names {
		f[n] = int8(i)
	}
	for n, v := range aliases {
		f[n] = v
	}
	s := map[string]int8{}
	for i, n := range severityNames {
		s[n] = int8(i)
	}
	for n, v := range severityAliases {
		s[n] = v
	}
	return f, s
}()

// Names returns every facility name the table accepts, canonical and
// aliases (for tests and documentation).
func Names() []string {
	out := append([]string(nil), names[:]...)
	for n := range aliases {
		out = append(out, n)
	}
	return out
}

// SeverityNamesAll returns every severity name the table accepts.
func SeverityNamesAll() []string {
	out := append([]string(nil), severityNames[:]...)
	for n := range severityAliases {
		out = append(out, n)
	}
	return out
}

// Name returns the canonical name of facility code c (0..23), or "".
func Name(c int) string {
	if c < 0 || c >= len(names) {
		return ""
	}
	return names[c]
}

// SeverityName returns the canonical name of severity code c (0..7), or "".
func SeverityName(c int) string {
	if c < 0 || c >= len(severityNames) {
		return ""
	}
	return severityNames[c]
}

// Lookup maps a facility name (any ASCII case) to its code 0..23, or -1.
// It does not allocate.
func Lookup(name []byte) int8 { return lookup(facilities, name) }

// LookupSeverity maps a severity name (any ASCII case) to 0..7, or -1.
// It does not allocate.
func LookupSeverity(name []byte) int8 { return lookup(severities, name) }

// Code is Lookup for a string.
func Code(name string) (int, bool) {
	c := lookup(facilities, []byte(name))
	return int(c), c >= 0
}

// SeverityCode is LookupSeverity for a string.
func SeverityCode(name string) (int, bool) {
	c := lookup(severities, []byte(name))
	return int(c), c >= 0
}

func lookup(m map[string]int8, name []byte) int8 {
	var buf [16]byte
	if len(name) > len(buf) {
		return -1
	}
	for i, c := range name {
		if c-'A' < 26 {
			c |= 0x20
		}
		buf[i] = c
	}
	if v, ok := m[string(buf[:len(name)])]; ok {
		return v
	}
	return -1
}
