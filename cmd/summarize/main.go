// Command summarize is logtally's omprog child: it reads syslog lines on
// stdin, counts them per category and per minute by a rule file, and sends
// one summary per category per minute to syslog and the configured files.
// See README.md and docs/rules.md.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
