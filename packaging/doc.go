// Package packaging holds no code: it is the home of logtally's Debian
// package (build-deb.sh, debian/ — run by `make deb`) and of its test,
// which builds the package, checks it with lintian, installs it on the
// machine with dpkg, runs it under a private rsyslogd with the installed
// snippet, runs the installed cron job as the logtally user and purges
// it, checking that nothing is left behind. The system rsyslog is never
// touched: the snippet stays unlinked and no service is started.
package packaging
