package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/outputs/rrd"
	"github.com/logtally/logtally/pipeline"
	"github.com/logtally/logtally/rules"
)

// wiring holds the outputs built from the flags, in the order they are
// written and closed.
type wiring struct {
	outputs  []pipeline.Output
	spool    *outputs.Spool // nil without --spool-dir
	reopener []interface{ Reopen() error }
	closers  []io.Closer // closed after the outputs (the alert syslog)

	// outputs that take settings from the rule file (see rulesChanged)
	top *outputs.TopFiles // nil without --top-dir
	rrd *rrd.Output       // nil without --rrd-dir
}

// wire builds every output the flags ask for. stdout may be used only by
// outputs asked for with "-".
func wire(o *options, set *rules.Set, stdout io.Writer, log *slog.Logger) (*wiring, error) {
	w := &wiring{}
	fail := func(err error) (*wiring, error) {
		w.close(log)
		return nil, err
	}
	// retrying says whether err is an output that could not write at start
	// and will retry: summarize starts anyway (under rsyslog an exit is a
	// restart loop with nothing counted); every failed write is counted in
	// output_errors.
	retrying := func(flag string, err error) bool {
		if !errors.Is(err, outputs.ErrRetrying) && !errors.Is(err, rrd.ErrRetrying) {
			return false
		}
		log.Error("output not writable at start; counting goes on and the output is retried every minute (output_errors)", "flag", flag, "err", err)
		return true
	}
	alerts := &alertSink{log: log}
	if o.syslog != "none" && o.syslog != "" {
		network, address := syslogTarget(o.syslog)
		format := outputs.RFC3164
		if strings.EqualFold(o.syslogFmt, "rfc5424") {
			format = outputs.RFC5424
		}
		cfg := outputs.SyslogConfig{
			Network: network, Address: address, Format: format,
			Priority: o.syslogPri, CloseTimeout: o.closeWait, Backlog: o.backlog,
		}
		s, err := outputs.NewSyslog(cfg)
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, s)
		if o.rrdDir != "" {
			cfg.Priority = o.alertPri
			if alerts.syslog, err = outputs.NewSyslog(cfg); err != nil {
				return fail(err)
			}
			w.closers = append(w.closers, alerts.syslog)
		}
	}
	if o.kvPath == "-" {
		w.outputs = append(w.outputs, outputs.NewKVLines(stdout, "stdout"))
	} else if o.kvPath != "" {
		k, err := outputs.NewKVFile(o.kvPath, o.perm)
		if err != nil && !retrying("--kv", err) {
			return fail(err)
		}
		w.outputs = append(w.outputs, k)
		w.reopener = append(w.reopener, k)
	}
	if o.jsonPath != "" {
		cfg := outputs.JSONLinesConfig{Path: o.jsonPath, Perm: o.perm}
		if o.jsonPath == "-" {
			cfg = outputs.JSONLinesConfig{Writer: stdout}
		}
		j, err := outputs.NewJSONLines(cfg)
		if err != nil && !retrying("--json", err) {
			return fail(err)
		}
		w.outputs = append(w.outputs, j)
		w.reopener = append(w.reopener, j)
		alerts.json = j
	}
	if o.rrdDir != "" {
		r, err := rrd.New(rrd.Config{
			Dir: o.rrdDir, Forecast: forecastParams(set), Alert: alerts.send,
			Builtins: true, Logger: log, FilePerm: o.perm,
		})
		if err != nil && !retrying("--rrd-dir", err) {
			return fail(fmt.Errorf("--rrd-dir: %w", err))
		}
		w.rrd = r
		// First, so that alerts of a minute go out with its summaries.
		w.outputs = append([]pipeline.Output{r}, w.outputs...)
	}
	if o.topDir != "" {
		// Even without top files today: a reloaded rule file may name some.
		if err := os.MkdirAll(o.topDir, filemode.Dir(o.perm)); err != nil {
			retrying("--top-dir", fmt.Errorf("%w: %w", outputs.ErrRetrying, err)) // TopFiles makes it at a later write
		}
		t, err := outputs.NewTopFiles(outputs.TopFilesConfig{Files: topFiles(set), Dir: o.topDir, Perm: o.perm})
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, t)
		w.top = t
	}
	if o.promPath != "" {
		p, err := outputs.NewPrometheus(outputs.PrometheusConfig{Path: o.promPath, Perm: o.perm})
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, p)
	}
	if o.spoolDir != "" {
		s, err := outputs.NewSpool(outputs.SpoolConfig{
			Dir: o.spoolDir, Compression: o.spoolComp, MaxSize: o.spoolSize, MaxAge: o.spoolAge,
			SyncFlush: o.journalSync && o.checkpoint != "",
			FilePerm:  o.perm, DirPerm: filemode.Dir(o.perm),
			Now: now, // the clock the engine's ticks rotate by
		})
		if err != nil {
			return fail(err)
		}
		// What a killed summarize left in progress becomes complete files
		// (aireport's input) before this one writes anything.
		st, err := s.Recover()
		if err != nil {
			log.Error("spool recovery incomplete", "err", err)
		}
		if st.Files > 0 || st.TornBytes > 0 {
			log.Info("spool recovered", "files", st.Files, "lines", st.Lines, "torn_bytes", st.TornBytes)
		}
		w.spool = s
	}
	return w, nil
}

// syslogTarget splits --syslog into a network and an address.
func syslogTarget(s string) (network, address string) {
	for _, n := range []string{"unixgram", "unix", "udp", "tcp"} {
		if rest, ok := strings.CutPrefix(s, n+":"); ok {
			return n, rest
		}
	}
	return "unixgram", s
}

// topFiles maps each category to the top-N files its rules name.
func topFiles(set *rules.Set) map[string][]outputs.TopFile {
	files := map[string][]outputs.TopFile{}
	for _, c := range set.Categories {
		for _, tf := range c.TopFiles {
			files[c.Name] = append(files[c.Name], outputs.TopFile{Top: c.Schema.Tops[tf.Top].Name, Path: tf.Name})
		}
	}
	return files
}

// rulesChanged hands a reloaded rule file's settings to the outputs that
// take them from it: the top-N files and the forecast parameters.
func (w *wiring) rulesChanged(set *rules.Set, log *slog.Logger) {
	if w.top != nil {
		if err := w.top.SetFiles(topFiles(set)); err != nil {
			log.Error("reload: top files", "err", err)
		}
	}
	if w.rrd != nil {
		w.rrd.SetForecast(forecastParams(set))
	}
}

// reopen reopens appended files after logrotate moved them (SIGHUP).
func (w *wiring) reopen(log *slog.Logger) {
	for _, r := range w.reopener {
		if err := r.Reopen(); err != nil {
			log.Error("reopen failed", "err", err)
		}
	}
}

// rotateSpool completes the open spool files (SIGUSR1, SIGUSR2), so that
// aireport sees every line spooled so far.
func (w *wiring) rotateSpool(log *slog.Logger) {
	if w.spool == nil {
		return
	}
	if err := w.spool.RotateAll(); err != nil {
		log.Error("spool rotation failed", "err", err)
		return
	}
	log.Info("spool files completed for a report")
}

// close closes every output, spool last, logging what could not be
// delivered.
func (w *wiring) close(log *slog.Logger) {
	start := time.Now()
	for _, o := range w.outputs {
		if err := o.Close(); err != nil {
			log.Error("close failed", "err", err)
		}
	}
	for _, c := range w.closers {
		if err := c.Close(); err != nil {
			log.Error("close failed", "err", err)
		}
	}
	if w.spool != nil {
		if err := w.spool.Close(); err != nil {
			log.Error("close failed", "err", err)
		}
	}
	log.Debug("outputs closed", "took", time.Since(start))
}
