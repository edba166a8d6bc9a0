package main

import (
	"errors"
	"fmt"
	"github.com/logtally/logtally/outputs/rrd"
	"github.com/logtally/logtally/pipeline"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/logtally/logtally/outputs"
	"github.com/logtally/logtally/rules"
)

// wiring holds the outputs built from the flags, in the order they are
// written and closed.
type wiring struct {
	outputs  []pipeline.Output
	spool    *outputs.Spool // nil without --spool-dir
	reopener []interface{ Reopen() error }
	closers  []io.Closer // closed after the outputs (the alert syslog)
}

// wire builds every output the flags ask for. stdout may be used only by
// outputs asked for with "-".
func wire(o *options, set *rules.Set, stdout io.Writer, log *slog.Logger) (*wiring, error) {
	w := &wiring{}
	fail := func(err error) (*wiring, error) {
		w.close(log)
		return nil, err
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
	if o.kvPath != "" {
		out, name, closer, err := openAppend(o.kvPath, stdout)
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, closingOutput{outputs.NewKVLines(out, name), closer})
	}
	if o.jsonPath != "" {
		cfg := outputs.JSONLinesConfig{Path: o.jsonPath}
		if o.jsonPath == "-" {
			cfg = outputs.JSONLinesConfig{Writer: stdout}
		}
		j, err := outputs.NewJSONLines(cfg)
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, j)
		w.reopener = append(w.reopener, j)
		alerts.json = j
	}
	if o.rrdDir != "" {
		r, err := rrd.New(rrd.Config{
			Dir: o.rrdDir, Forecast: forecastParams(set), Alert: alerts.send,
			Builtins: true, Logger: log,
		})
		if err != nil {
			return fail(fmt.Errorf("--rrd-dir: %w", err))
		}
		// First, so that alerts of a minute go out with its summaries.
		w.outputs = append([]pipeline.Output{r}, w.outputs...)
	}
	if files := topFiles(set); o.topDir != "" && len(files) > 0 {
		if err := os.MkdirAll(o.topDir, 0o755); err != nil {
			return fail(fmt.Errorf("--top-dir: %w", err))
		}
		t, err := outputs.NewTopFiles(outputs.TopFilesConfig{Files: files, Dir: o.topDir})
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, t)
	}
	if o.promPath != "" {
		p, err := outputs.NewPrometheus(outputs.PrometheusConfig{Path: o.promPath})
		if err != nil {
			return fail(err)
		}
		w.outputs = append(w.outputs, p)
	}
	if o.spoolDir != "" {
		s, err := outputs.NewSpool(outputs.SpoolConfig{
			Dir: o.spoolDir, Compression: o.spoolComp, MaxSize: o.spoolSize, MaxAge: o.spoolAge,
		})
		if err != nil {
			return fail(err)
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

// openAppend opens path for appending, or returns stdout for "-".
func openAppend(path string, stdout io.Writer) (io.Writer, string, io.Closer, error) {
	if path == "-" {
		return stdout, "stdout", nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, path, f, nil
}

// closingOutput closes the file under an output that does not own it.
type closingOutput struct {
	pipeline.Output
	file io.Closer
}

func (c closingOutput) Close() error {
	err := c.Output.Close()
	if c.file != nil {
		err = errors.Join(err, c.file.Close())
	}
	return err
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
