package main

import (
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/logtally/logtally/omprog"
)

// newProtocol sets up rsyslog's omprog protocol on stdin/stdout as the
// flags ask; its Start announces readiness (with --confirm, "OK" on
// stdout). Without --confirm and --transactions stdin passes through
// untouched.
func newProtocol(o *options, stdin io.Reader, stdout io.Writer) (*omprog.Protocol, error) {
	ka := o.keepAlive
	if ka == 0 {
		ka = -1 // omprog.Config: negative disables
	}
	cfg := omprog.Config{
		Confirm:      o.confirm,
		Transactions: o.transactions,
		BeginMark:    o.beginMark,
		CommitMark:   o.commitMark,
		KeepAlive:    ka,
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.confirm {
		// rsyslog closing the reply pipe must be an error on write (and a
		// clean exit with a checkpoint), not a silent death by SIGPIPE.
		signal.Ignore(syscall.SIGPIPE)
	}
	return omprog.New(stdin, stdout, cfg), nil
}

// exitWatchdog bounds the exit after stdin closed: when rsyslog closes the
// pipe while an output is blocked (a file on a hung NFS mount, a FIFO nobody
// reads), summarize still exits within grace — before omprog's closeTimeout
// kills it — instead of hanging in a write. Only for the real stdin: a
// test's reader must not end the test process.
func exitWatchdog(stdin io.Reader, grace time.Duration, log *slog.Logger) io.Reader {
	if f, ok := stdin.(*os.File); !ok || f != os.Stdin {
		return stdin
	}
	return &watchdogReader{in: os.Stdin, grace: grace, log: log}
}

type watchdogReader struct {
	in    io.Reader
	grace time.Duration
	log   *slog.Logger
	once  sync.Once
}

func (w *watchdogReader) Read(p []byte) (int, error) {
	n, err := w.in.Read(p)
	if err != nil {
		w.once.Do(func() {
			time.AfterFunc(w.grace, func() {
				w.log.Error("exit took too long after stdin closed (an output is blocked); exiting anyway", "waited", w.grace)
				os.Exit(exitFailure)
			})
		})
	}
	return n, err
}
