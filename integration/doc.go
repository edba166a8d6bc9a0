// Package integration runs summarize under a real rsyslogd (Debian's
// rsyslog 8.2302): the omprog protocol, restarts of either process, HUP,
// crashes and faulty outputs, using examples/rsyslog/logtally.conf
// verbatim apart from its paths. The tests live in *_test.go; each starts
// its own rsyslogd with its own config, work directory, pid file and
// sockets, and stops it by its PID.
package integration
