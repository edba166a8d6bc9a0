// Command loggen writes a reproducible, realistic syslog corpus (see package
// corpus) to stdout, for demos, tests and benchmarks.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/logtally/logtally/internal/cli"
	"github.com/logtally/logtally/internal/corpus"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cmd := cli.New("loggen", "write a reproducible, realistic syslog corpus to stdout")
	cmd.Usage = []string{"[options] > corpus.log"}
	cmd.Description = `loggen generates syslog lines of several daemons (ASA firewall, sshd, ` +
		`postfix, nginx, cron, kernel) for demos, tests and benchmarks; the same seed and ` +
		`flags give the same corpus.`
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "the corpus was written"}, {Code: 1, Meaning: "writing failed"}, {Code: 2, Meaning: "bad usage"}}
	out := cmd.Group("Output")
	lines := out.IntP("lines", "n", 1000000, "number of lines")
	format := out.String("format", "traditional", "traditional | file | protocol23 | json")
	start := out.String("start", "2026-11-22T10:00:00Z", "time of the first line (RFC 3339)")
	perMin := out.Int("per-minute", 60000, "lines per minute of log time")
	pad := out.Int("pad-to", 0, "pad messages to about this many bytes (long-line benchmarks)")
	content := cmd.Group("Content")
	seed := content.Uint64("seed", 1, "random seed; the same seed gives the same corpus")
	mix := content.String("mix", "", "daemon weights, e.g. asa=40,sshd=10 (default: the built-in mix)")
	urls := content.Int("urls", 0, "distinct URL paths (default 20000)")
	users := content.Int("users", 0, "distinct user names (default 2000)")
	clients := content.Int("clients", 0, "distinct client addresses (default 5000)")
	uniqueURLs := content.Bool("unique-urls", false, "make every URL new (worst case for top-N and distinct memory)")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	if len(cmd.Args()) > 0 {
		return cmd.Fail(stderr, "unexpected argument %q", cmd.Args()[0])
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		fmt.Fprintf(stderr, "loggen: --start: %v\n", err)
		return 2
	}
	cfg := corpus.Config{Seed: *seed, Start: t0, LinesPerMin: *perMin, Format: corpus.Format(*format), PadMessagesTo: *pad,
		URLs: *urls, Users: *users, Clients: *clients, UniqueURLs: *uniqueURLs}
	switch cfg.Format {
	case corpus.Traditional, corpus.File, corpus.Protocol23, corpus.JSON:
	default:
		fmt.Fprintf(stderr, "loggen: --format: unknown format %q\n", *format)
		return 2
	}
	if *mix != "" {
		cfg.Mix = map[string]int{}
		for _, kv := range strings.Split(*mix, ",") {
			var w int
			name, val, ok := strings.Cut(kv, "=")
			if _, err := fmt.Sscan(val, &w); !ok || err != nil || !known(name) {
				fmt.Fprintf(stderr, "loggen: --mix: bad entry %q (want daemon=weight, daemons: %s)\n", kv, strings.Join(corpus.Daemons, ","))
				return 2
			}
			cfg.Mix[name] = w
		}
	}
	g := corpus.New(cfg)
	w := bufio.NewWriterSize(stdout, 1<<20)
	var buf []byte
	for i := 0; i < *lines; i++ {
		buf, _ = g.Next(buf[:0])
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			fmt.Fprintf(stderr, "loggen: write: %v\n", err)
			return 1
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "loggen: write: %v\n", err)
		return 1
	}
	return 0
}

func known(d string) bool {
	for _, k := range corpus.Daemons {
		if k == d {
			return true
		}
	}
	return false
}
