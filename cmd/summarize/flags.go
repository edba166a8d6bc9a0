package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/logtally/logtally/internal/cli"
	"github.com/logtally/logtally/internal/filemode"
)

// defaultRules is where docs/install.md puts the rule file.
const defaultRules = "/etc/logtally/rules.yaml"

// maxWorkers bounds --workers: one goroutine counts what the workers
// classify, so more would only add read buffers (4 × 256 KiB each). The
// default is the CPU count up to this bound, so a bigger host starts.
const maxWorkers = 64

// numCPU is the CPU count the --workers default comes from; tests fix it.
var numCPU = runtime.NumCPU

// options is every command-line setting of summarize.
type options struct {
	rules      string
	check      []string
	explain    bool
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
	fileMode   string
	perm       os.FileMode // --file-mode, parsed

	// rsyslog omprog protocol and checkpoint (docs/rsyslog.md)
	confirm      bool
	transactions bool
	beginMark    string
	commitMark   string
	keepAlive    time.Duration
	checkpoint   string
	journal      bool
	journalSync  bool
	cpEvery      time.Duration
	backlog      int
}

// parseFlags parses and checks the command line. A nil *options means the
// run is over (help, version, or a usage error already printed) with the
// returned exit status.
func parseFlags(args []string, stdout, stderr io.Writer) (*options, int) {
	o := &options{}
	cmd := cli.New("summarize", "count syslog lines per category and minute by a rule file, as rsyslog's omprog child")
	cmd.Usage = []string{"[--rules FILE] [options] < lines", "--check FILE... [--top-dir DIR]", "[--rules FILE] --explain < lines"}
	cmd.Description = `summarize reads syslog lines on stdin (any rsyslog template or JSON), ` +
		`sorts them into categories by the rule file, counts them per minute, and sends one ` +
		`summary per category per minute to syslog and the configured files. It runs as the ` +
		`omprog child of rsyslog (see docs/rsyslog.md) or over a replayed file (--clock event).

Signals: SIGHUP reloads the rules (a bad file keeps the old rules) and reopens the output ` +
		`files; SIGUSR1 emits the open minute now (marked partial and snapshot: it comes again, ` +
		`whole, when it closes) and completes the spool files; SIGUSR2 only completes the spool ` +
		`files, so a report can be made at once; SIGTERM, SIGINT and the end of input emit ` +
		`the open minute, marked partial, and exit.`
	cmd.ExitCodes = []cli.ExitCode{
		{Code: exitOK, Meaning: "input ended (or a signal stopped it) and every minute was emitted; --check: the files are valid"},
		{Code: exitFailure, Meaning: "a runtime failure: unreadable input, failed confirmations"},
		{Code: exitUsage, Meaning: "bad flags or a bad rule file: nothing was started"},
	}
	cmd.SeeAlso = []string{"aireport(1)", "rrdgraph(1)", "rsyslogd(8)"}

	rulesFS := cmd.Group("Rules")
	rulesFS.StringVarP(&o.rules, "rules", "r", defaultRules, "rule `FILE` (YAML; see docs/rules.md)")
	rulesFS.StringSliceVar(&o.check, "check", nil, "validate the rule `FILE`s, print every error as file:line:col: message and every warning (rules that can never match, …), and exit")
	rulesFS.BoolVar(&o.explain, "explain", false, "read lines and print, for each, the parsed fields, the category, every rule's outcome, the captures and what would be counted; count nothing")

	in := cmd.Group("Input")
	in.StringVar(&o.clock, "clock", "arrival", "which clock decides a line's minute: arrival (live) or event (the line's own timestamp, for replaying files)")
	in.DurationVar(&o.grace, "grace", 10*time.Second, "event clock: how long a minute stays open for late lines")
	in.StringVar(&o.tz, "tz", "Local", "time zone of timestamps that carry none (traditional syslog)")
	in.IntVar(&o.maxLine, "max-line", 64<<10, "longest line counted whole; longer lines are truncated and counted as malformed")

	out := cmd.Group("Outputs")
	out.StringVar(&o.syslog, "syslog", "/dev/log", "where summaries go as syslog (`TARGET`): a unix datagram socket path, unix:PATH (stream), udp:HOST:PORT, tcp:HOST:PORT, or none")
	out.StringVar(&o.syslogFmt, "syslog-format", "rfc3164", "syslog framing: rfc3164 or rfc5424")
	out.StringVar(&o.syslogPri, "syslog-priority", "daemon.info", "facility.severity of summary lines")
	out.IntVar(&o.backlog, "syslog-backlog", 10000, "summary lines kept while the syslog target is down; beyond, the oldest are dropped and counted (dropped= in the next summary)")
	out.StringVar(&o.jsonPath, "json", "", "append one JSON object per category per minute to `FILE` (- for stdout)")
	out.StringVar(&o.kvPath, "kv", "", "write the key=value summary lines to `FILE` (- for stdout)")
	out.StringVar(&o.topDir, "top-dir", "", "directory `DIR` of the top-N files named in the rules (file:), like the article's urlcount")
	out.StringVar(&o.promPath, "prom", "", "Prometheus textfile (`FILE`.prom) to rewrite every minute (node_exporter textfile collector)")
	out.StringVar(&o.spoolDir, "spool-dir", "", "directory `DIR` of the per-category unknown-line spool (input of aireport)")
	out.StringVar(&o.spoolComp, "spool-compression", "zstd", "spool compression: zstd or gzip")
	out.Int64Var(&o.spoolSize, "spool-max-bytes", 64<<20, "rotate a spool file once its in-progress (uncompressed) part holds this many bytes")
	out.DurationVar(&o.spoolAge, "spool-max-age", time.Hour, "rotate a spool file after this long")
	out.StringVar(&o.rrdDir, "rrd-dir", "", "keep RRD files with Holt-Winters forecasts in `DIR` (DIR/<category>/<counter>.rrd) and raise aberration alerts")
	out.StringVar(&o.alertPri, "alert-priority", "daemon.warning", "facility.severity of aberration alert lines")
	out.StringVar(&o.fileMode, "file-mode", "0640", "`MODE` of the files written (spool, JSON, key=value, top-N, Prometheus, RRD), minus the umask; 0640 lets a group (node_exporter, a web server) read them; the checkpoint stays 0600")
	out.DurationVar(&o.closeWait, "close-timeout", 500*time.Millisecond, "at exit, how long outputs may take to deliver what they hold")

	rs := cmd.Group("rsyslog")
	rs.BoolVar(&o.confirm, "confirm", false, "omprog confirmMessages=\"on\": write OK at start and one reply per line (the line is counted before the next is read); nothing else on stdout")
	rs.BoolVar(&o.transactions, "transactions", false, "omprog useTransactions=\"on\": strip the transaction marks (and answer them with --confirm)")
	rs.StringVar(&o.beginMark, "begin-mark", "BEGIN TRANSACTION", "omprog beginTransactionMark (no spaces can be passed through omprog's binary=; see docs/rsyslog.md)")
	rs.StringVar(&o.commitMark, "commit-mark", "COMMIT TRANSACTION", "omprog commitTransactionMark")
	rs.DurationVar(&o.keepAlive, "keep-alive", 2*time.Second, "with --confirm: write a keep-alive dot when a reply has been owed this long (keep it well below confirmTimeout); 0 disables")
	rs.StringVar(&o.checkpoint, "checkpoint", "", "`FILE` keeping the open minutes across restarts (restored at start, saved periodically and at exit)")
	rs.DurationVar(&o.cpEvery, "checkpoint-every", 200*time.Millisecond, "how often the checkpoint is saved while lines arrive")
	rs.BoolVar(&o.journal, "journal", true, "with --checkpoint: append each counted chunk to FILE.journal.* before confirming it and replay it at start, so a process kill loses no confirmed line")
	rs.BoolVar(&o.journalSync, "journal-sync", false, "fdatasync the journal (and the spool lines) after each chunk: confirmed lines survive a power loss too (slower; see docs/rsyslog.md)")

	tune := cmd.Group("Tuning")
	tune.IntVar(&o.workers, "workers", min(numCPU(), maxWorkers), "goroutines that parse and match lines, and as many that count top-N keys, in parallel (1 = all on one; at most 64)")
	cmd.DefaultText("workers", "the number of CPUs")
	tune.DurationVar(&o.tick, "tick", time.Second, "how often the clock is checked for a finished minute")
	tune.StringVar(&o.logLevel, "log-level", "info", "stderr log level: debug, info, warn, error")
	tune.StringVar(&o.cpuProfile, "cpuprofile", "", "write a Go CPU profile to `FILE` (for performance work)")

	if done, code := cmd.Parse(args, stdout, stderr); done {
		return nil, code
	}
	if err := o.validate(cmd.Args()); err != nil {
		return nil, cmd.Fail(stderr, "%v", err)
	}
	return o, exitOK
}

// validate checks what the flag types cannot.
func (o *options) validate(args []string) error {
	if len(o.check) > 0 {
		// "--check a.yaml b.yaml", as the usage line says: the flag takes
		// the first file, the arguments are the others.
		o.check = append(o.check, args...)
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q (input is read from stdin)", args[0])
	}
	if o.rules == "" {
		return fmt.Errorf("--rules: no rule file given")
	}
	switch o.clock {
	case "arrival", "event":
	default:
		return fmt.Errorf("--clock: want arrival or event, got %q", o.clock)
	}
	switch strings.ToLower(o.syslogFmt) {
	case "rfc3164", "rfc5424":
	default:
		return fmt.Errorf("--syslog-format: want rfc3164 or rfc5424, got %q", o.syslogFmt)
	}
	switch o.spoolComp {
	case "zstd", "gzip":
	default:
		return fmt.Errorf("--spool-compression: want zstd or gzip, got %q", o.spoolComp)
	}
	if o.maxLine < 1024 {
		return fmt.Errorf("--max-line: %d is too small (minimum 1024)", o.maxLine)
	}
	if o.confirm && (o.kvPath == "-" || o.jsonPath == "-") {
		return fmt.Errorf("--confirm: stdout carries the replies to rsyslog; --kv and --json cannot write to it")
	}
	if o.backlog < 1 {
		return fmt.Errorf("--syslog-backlog: %d must be at least 1", o.backlog)
	}
	if o.cpEvery <= 0 {
		return fmt.Errorf("--checkpoint-every: %v must be positive", o.cpEvery)
	}
	if o.keepAlive < 0 {
		return fmt.Errorf("--keep-alive: %v must not be negative", o.keepAlive)
	}
	if o.workers < 1 || o.workers > maxWorkers {
		return fmt.Errorf("--workers: %d is out of range [1, %d]", o.workers, maxWorkers)
	}
	perm, err := filemode.Parse(o.fileMode)
	if err != nil {
		return fmt.Errorf("--file-mode: %w", err)
	}
	o.perm = perm
	if _, err := parseLogLevel(o.logLevel); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	if o.tick <= 0 || o.tick > time.Minute {
		return fmt.Errorf("--tick: %v is out of range (0, 1m]", o.tick)
	}
	return nil
}
