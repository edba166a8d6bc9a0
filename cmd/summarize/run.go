package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/logtally/logtally/pipeline"
	"github.com/logtally/logtally/rules"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure (unreadable input, confirmations failed)
	exitUsage   = 2 // bad flags or a bad rule file: nothing was started
)

// now is the clock of everything summarize does; tests fix it.
var now = time.Now

// setNow replaces the clock and returns a function restoring it.
func setNow(f func() time.Time) (restore func()) {
	old := now
	now = f
	return func() { now = old }
}

// signals lets tests deliver signals without touching the process.
var notifySignals = func(c chan<- os.Signal) func() {
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	return func() { signal.Stop(c) }
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code := parseFlags(args, stdout, stderr)
	if o == nil {
		return code
	}
	if len(o.check) > 0 {
		return check(o.check, o.topDir, stdout, stderr)
	}
	log := newLogger(stderr, o.logLevel)
	if o.cpuProfile != "" {
		stopProfile, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "summarize: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer stopProfile()
	}

	set, err := loadRules(o.rules)
	if err != nil {
		printRuleErrors(stderr, err)
		return exitUsage
	}
	loc, err := loadLocation(o.tz)
	if err != nil {
		fmt.Fprintf(stderr, "summarize: --tz: %v\n", err)
		return exitUsage
	}
	if o.explain {
		if err := explain(set, loc, o.maxLine, stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "summarize: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	if w := topDirWarning(set, o.topDir); w != "" {
		log.Warn(w)
	}
	w, err := wire(o, set, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "summarize: %v\n", err)
		return exitUsage
	}
	defer w.close(log)

	var spool pipeline.UnknownSink
	if w.spool != nil {
		spool = w.spool
	}
	engine, err := pipeline.New(pipeline.Config{
		Rules:      set,
		Now:        now,
		Location:   loc,
		EventClock: o.clock == "event",
		Grace:      o.grace,
		MaxLine:    o.maxLine,
		Outputs:    w.outputs,
		Spool:      spool,
		Logger:     log,
	})
	if err != nil {
		fmt.Fprintf(stderr, "summarize: %v\n", err)
		return exitUsage
	}

	controls := make(chan pipeline.Control)
	sigs := make(chan os.Signal, 4)
	stop := notifySignals(sigs)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go forwardSignals(ctx, sigs, controls, o.rules, w, log)

	proto, err := newProtocol(o, exitWatchdog(stdin, o.closeWait+3*time.Second, log), stdout)
	if err != nil {
		log.Error("stopped", "err", err)
		return exitFailure
	}
	defer proto.Close()
	ropt := pipeline.RunOptions{TickEvery: o.tick, Checkpoint: o.checkpoint, CheckpointEvery: o.cpEvery, Workers: o.workers,
		Journal: o.journal, JournalSync: o.journalSync,
		// Ready once the checkpoint and the journal are restored: with
		// confirmations rsyslog sends nothing before this OK.
		Ready: func() error {
			if err := proto.Start(); err != nil {
				return fmt.Errorf("announce readiness to rsyslog: %w", err)
			}
			return nil
		}}
	if o.confirm {
		ropt.Ack = proto.Ack
		ropt.Lockstep = true // one line per round trip: no hand-offs
	}
	err = engine.Run(ctx, proto.Reader(), controls, ropt)
	if err != nil {
		log.Error("stopped", "err", err)
		return exitFailure
	}
	return exitOK
}

// forwardSignals turns signals into engine controls until ctx ends.
// SIGHUP reloads the rules (a bad file keeps the old rules and says why) and
// reopens the appended files for logrotate. SIGUSR1 emits the open minute
// and completes the spool files; SIGUSR2 only completes the spool files.
func forwardSignals(ctx context.Context, sigs <-chan os.Signal, controls chan<- pipeline.Control, rulePath string, w *wiring, log *slog.Logger) {
	send := func(c pipeline.Control) error {
		c.Done = make(chan error, 1)
		select {
		case controls <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case err := <-c.Done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-sigs:
			switch s {
			case syscall.SIGUSR1:
				// emit now, and complete the spool files: a report can be
				// made at once, not only after --spool-max-age
				_ = send(pipeline.Control{Kind: pipeline.EmitNow})
				w.rotateSpool(log)
			case syscall.SIGUSR2:
				// a report request: complete the spool files, emit nothing
				w.rotateSpool(log)
			case syscall.SIGHUP:
				w.reopen(log)
				set, err := loadRules(rulePath)
				if err != nil {
					log.Error("reload failed; the old rules stay in force", "rules", rulePath, "err", err)
					continue
				}
				if err := send(pipeline.Control{Kind: pipeline.Reload, Rules: set}); err != nil {
					log.Error("reload failed; the old rules stay in force", "rules", rulePath, "err", err)
					continue
				}
				w.rulesChanged(set, log)
				log.Info("rules reloaded", "rules", rulePath, "categories", len(set.Categories))
			default: // SIGTERM, SIGINT
				_ = send(pipeline.Control{Kind: pipeline.Stop})
				return
			}
		}
	}
}

// loadRules is the one validation of a rule file: --check, start-up and
// SIGHUP all go through it, so a file --check accepts is one summarize
// starts with, and the reverse. Everything the outputs need of the rules
// (forecast parameters, top-N limits, output names) is checked by the
// loader itself.
func loadRules(path string) (*rules.Set, error) {
	return rules.Load(path)
}

// check validates each rule file and prints every error; the exit status is
// non-zero when any file has one.
func check(paths []string, topDir string, stdout, stderr io.Writer) int {
	status := exitOK
	for _, p := range paths {
		set, err := loadRules(p)
		if err != nil {
			printRuleErrors(stderr, err)
			status = exitUsage
			continue
		}
		rulesN := 0
		for _, c := range set.Categories {
			rulesN += len(c.Rules)
		}
		fmt.Fprintf(stdout, "%s: ok (%s, %s)\n", p, plural(len(set.Categories), "category", "categories"), plural(rulesN, "rule", "rules"))
		// warnings: the file runs, but part of it probably does not do what was meant
		for _, w := range set.Lint() {
			fmt.Fprintln(stderr, w)
		}
		if w := topDirWarning(set, topDir); w != "" {
			fmt.Fprintf(stderr, "%s: warning: %s\n", p, w)
		}
	}
	return status
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// topDirWarning says when the rules name top files that will not be
// written because no --top-dir is set.
func topDirWarning(set *rules.Set, topDir string) string {
	if topDir != "" {
		return ""
	}
	var names []string
	for _, c := range set.Categories {
		for _, tf := range c.TopFiles {
			names = append(names, tf.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("the rules name top files (%s) but no --top-dir is set: they are not written", strings.Join(names, ", "))
}

// printRuleErrors prints one error per line, file:line:col first.
func printRuleErrors(stderr io.Writer, err error) {
	var list rules.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		return
	}
	fmt.Fprintln(stderr, err)
}

// parseLogLevel accepts exactly the levels --log-level names (any case).
func parseLogLevel(level string) (slog.Level, error) {
	switch strings.ToLower(level) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("want debug, info, warn or error, got %q", level)
}

// newLogger logs to stderr at level, which parseFlags has checked.
func newLogger(stderr io.Writer, level string) *slog.Logger {
	l, _ := parseLogLevel(level)
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})).With("prog", "summarize")
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func loadLocation(name string) (*time.Location, error) {
	if strings.EqualFold(name, "local") || name == "" {
		return time.Local, nil
	}
	return time.LoadLocation(name)
}
