package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// options is every command-line setting of summarize.
type options struct {
	rules      string
	check      []string
	clock      string
	grace      time.Duration
	tz         string
	maxLine    int
	tick       time.Duration
	syslog     string
	syslogFmt  string
	syslogPri  string
	jsonPath   string
	kvPath     string
	topDir     string
	promPath   string
	spoolDir   string
	spoolComp  string
	spoolSize  int64
	spoolAge   time.Duration
	closeWait  time.Duration
	logLevel   string
	cpuProfile string
	workers    int
	rrdDir     string
	alertPri   string
	showHelp   bool
	printUsage func()

	// rsyslog omprog protocol and checkpoint (docs/rsyslog.md)
	confirm      bool
	transactions bool
	beginMark    string
	commitMark   string
	keepAlive    time.Duration
	checkpoint   string
	cpEvery      time.Duration
	backlog      int
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := pflag.NewFlagSet("summarize", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVarP(&o.rules, "rules", "r", "", "rule file (YAML; see docs/rules.md)")
	fs.StringSliceVar(&o.check, "check", nil, "validate rule file(s), print every error as file:line:col: message, and exit")
	fs.StringVar(&o.clock, "clock", "arrival", "which clock decides a line's minute: arrival (live) or event (the line's own timestamp, for replaying files)")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "event clock: how long a minute stays open for late lines")
	fs.StringVar(&o.tz, "tz", "Local", "time zone of timestamps that carry none (traditional syslog)")
	fs.IntVar(&o.maxLine, "max-line", 64<<10, "longest line counted whole; longer lines are truncated and counted as malformed")
	fs.DurationVar(&o.tick, "tick", time.Second, "how often the clock is checked for a finished minute")
	fs.StringVar(&o.syslog, "syslog", "/dev/log", "where summaries go as syslog: a unix datagram socket path, unix:PATH (stream), udp:HOST:PORT, tcp:HOST:PORT, or none")
	fs.StringVar(&o.syslogFmt, "syslog-format", "rfc3164", "syslog framing: rfc3164 or rfc5424")
	fs.StringVar(&o.syslogPri, "syslog-priority", "daemon.info", "facility.severity of summary lines")
	fs.StringVar(&o.jsonPath, "json", "", "append one JSON object per category per minute to this file (- for stdout)")
	fs.StringVar(&o.kvPath, "kv", "", "write the key=value summary lines to this file (- for stdout)")
	fs.StringVar(&o.topDir, "top-dir", "", "directory of the top-N files named in the rules (file:), like the article's urlcount")
	fs.StringVar(&o.promPath, "prom", "", "Prometheus textfile to rewrite every minute (node_exporter textfile collector)")
	fs.StringVar(&o.spoolDir, "spool-dir", "", "directory of the per-category unknown-line spool (input of aireport)")
	fs.StringVar(&o.spoolComp, "spool-compression", "zstd", "spool compression: zstd or gzip")
	fs.Int64Var(&o.spoolSize, "spool-max-bytes", 64<<20, "rotate a spool file once it holds this many compressed bytes")
	fs.DurationVar(&o.spoolAge, "spool-max-age", time.Hour, "rotate a spool file after this long")
	fs.DurationVar(&o.closeWait, "close-timeout", 500*time.Millisecond, "at exit, how long outputs may take to deliver what they hold")
	fs.StringVar(&o.logLevel, "log-level", "info", "stderr log level: debug, info, warn, error")
	fs.BoolVar(&o.confirm, "confirm", false, "omprog confirmMessages=\"on\": write OK at start and one reply per line (the line is counted before the next is read); nothing else on stdout")
	fs.BoolVar(&o.transactions, "transactions", false, "omprog useTransactions=\"on\": strip the transaction marks (and answer them with --confirm)")
	fs.StringVar(&o.beginMark, "begin-mark", "BEGIN TRANSACTION", "omprog beginTransactionMark (no spaces can be passed through omprog's binary=; see docs/rsyslog.md)")
	fs.StringVar(&o.commitMark, "commit-mark", "COMMIT TRANSACTION", "omprog commitTransactionMark")
	fs.DurationVar(&o.keepAlive, "keep-alive", 2*time.Second, "with --confirm: write a keep-alive dot when a reply has been owed this long (keep it well below confirmTimeout); 0 disables")
	fs.IntVar(&o.backlog, "syslog-backlog", 10000, "summary lines kept while the syslog target is down; beyond, the oldest are dropped and counted (dropped= in the next summary)")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "file keeping the open minutes across restarts (restored at start, saved periodically and at exit)")
	fs.DurationVar(&o.cpEvery, "checkpoint-every", 200*time.Millisecond, "how often the checkpoint is saved while lines arrive")
	fs.StringVar(&o.rrdDir, "rrd-dir", "", "keep RRD files with Holt-Winters forecasts here (DIR/<category>/<counter>.rrd) and raise aberration alerts")
	fs.StringVar(&o.alertPri, "alert-priority", "daemon.warning", "facility.severity of aberration alert lines")
	fs.IntVar(&o.workers, "workers", runtime.NumCPU(), "goroutines that parse and match lines, and as many that count top-N keys, in parallel (1 = all on one)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a Go CPU profile to this file (for performance work)")
	fs.BoolVarP(&o.showHelp, "help", "h", false, "show this help")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: summarize --rules FILE [options] < lines\n       summarize --check FILE...\n\n%s", fs.FlagUsages())
	}
	o.printUsage = fs.Usage
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.showHelp {
		return o, nil
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (input is read from stdin)", fs.Arg(0))
	}
	if len(o.check) > 0 {
		return o, nil
	}
	if o.rules == "" {
		return nil, fmt.Errorf("--rules is required")
	}
	switch o.clock {
	case "arrival", "event":
	default:
		return nil, fmt.Errorf("--clock: want arrival or event, got %q", o.clock)
	}
	switch strings.ToLower(o.syslogFmt) {
	case "rfc3164", "rfc5424":
	default:
		return nil, fmt.Errorf("--syslog-format: want rfc3164 or rfc5424, got %q", o.syslogFmt)
	}
	switch o.spoolComp {
	case "zstd", "gzip":
	default:
		return nil, fmt.Errorf("--spool-compression: want zstd or gzip, got %q", o.spoolComp)
	}
	if o.maxLine < 1024 {
		return nil, fmt.Errorf("--max-line: %d is too small (minimum 1024)", o.maxLine)
	}
	if o.confirm && (o.kvPath == "-" || o.jsonPath == "-") {
		return nil, fmt.Errorf("--confirm: stdout carries the replies to rsyslog; --kv and --json cannot write to it")
	}
	if o.backlog < 1 {
		return nil, fmt.Errorf("--syslog-backlog: %d must be at least 1", o.backlog)
	}
	if o.cpEvery <= 0 {
		return nil, fmt.Errorf("--checkpoint-every: %v must be positive", o.cpEvery)
	}
	if o.keepAlive < 0 {
		return nil, fmt.Errorf("--keep-alive: %v must not be negative", o.keepAlive)
	}
	if o.workers < 1 || o.workers > 64 {
		return nil, fmt.Errorf("--workers: %d is out of range [1, 64]", o.workers)
	}
	if o.tick <= 0 || o.tick > time.Minute {
		return nil, fmt.Errorf("--tick: %v is out of range (0, 1m]", o.tick)
	}
	return o, nil
}
