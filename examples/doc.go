// Package examples holds the shipped examples: rule files for real
// daemons, the rsyslog snippet, the cron and logrotate files. It has no
// code; its test checks that the examples and the docs name only the paths
// of the one table in docs/install.md, and runs the logrotate file.
package examples
