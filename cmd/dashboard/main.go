// Command dashboard serves a read-only, live web dashboard over the files
// summarize and aireport write: the RRD directory, the JSON-lines summaries
// and alerts, and aireport's JSON reports (docs/dashboard.md).
//
//	dashboard --rrd-dir /var/lib/logtally/rrd --json /var/lib/logtally/summaries.jsonl \
//	          --reports /var/lib/logtally/reports [--listen 127.0.0.1:8080]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/logtally/logtally/dashboard"
	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends; it returns 0 after a clean shutdown, 1 when
// serving failed, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("dashboard", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on (loopback by default; put a TLS reverse proxy or --tls-cert in front of anything else)")
	rrdDir := fs.String("rrd-dir", "", "summarize's --rrd-dir")
	jsonFiles := fs.StringArray("json", nil, "summarize's --json file (summaries and alerts); repeat for several")
	reportsDir := fs.String("reports", "", "directory of aireport's JSON reports (-f json -o DIR/NAME.json; NAME.html beside it is linked)")
	history := fs.Duration("history", 6*time.Hour, "how long statistics percentiles are kept for their charts")
	span := fs.Duration("overview-span", 6*time.Hour, "time span of the overview's charts")
	staleAfter := fs.Duration("stale-after", 5*time.Minute, "say that summarize may not be running when the newest minute is older than this (0: never, for replayed data)")
	poll := fs.Duration("poll", 5*time.Second, "how often the files are checked for new minutes")
	authFile := fs.String("auth-file", "", "require HTTP basic auth: file with one line user:SHA256-hex-of-password")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM) ...")
	tlsKey := fs.String("tls-key", "", "... and this key (PEM)")
	logLevel := fs.String("log-level", "info", "stderr log level: debug, info, warn, error")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *help {
		fmt.Fprintln(stdout, "usage: dashboard [flags]\n\nServes a read-only live dashboard of summarize's and aireport's files.\n\nflags:")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dashboard: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "dashboard: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "dashboard: --tls-cert and --tls-key go together")
		return 2
	}
	var auth *dashboard.Credentials
	if *authFile != "" {
		b, err := os.ReadFile(*authFile)
		if err == nil {
			auth, err = dashboard.ParseCredentials(b)
		}
		if err != nil {
			fmt.Fprintf(stderr, "dashboard: --auth-file: %v\n", err)
			return 2
		}
	}
	d, err := dashboard.New(dashboard.Config{RRDDir: *rrdDir, JSONFiles: *jsonFiles, ReportsDir: *reportsDir,
		History: *history, OverviewSpan: *span, StaleAfter: staleFlag(*staleAfter)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	srv, err := dashboard.NewServer(d, dashboard.ServerConfig{Auth: auth, PollEvery: *poll, Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "dashboard: %v\n", err)
		return 1
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !isLoopback(host) && auth == nil {
		log.Warn("dashboard: listening beyond loopback without --auth-file: anyone who can reach it reads your log summaries", "addr", ln.Addr().String())
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		srv.Run(ctx, ready)
	}()
	<-ready

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stderr, "dashboard: serving %s://%s/\n", scheme, ln.Addr())
	served := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			served <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			served <- hs.Serve(ln)
		}
	}()
	code := 0
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "dashboard: %v\n", err)
		code = 1
	case <-ctx.Done():
		// Event streams never end by themselves: give requests a moment,
		// then close what is left.
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := hs.Shutdown(sctx); err != nil {
			_ = hs.Close()
		}
		scancel()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "dashboard: %v\n", err)
			code = 1
		}
	}
	cancel()
	<-pollDone
	return code
}

// staleFlag maps --stale-after 0 ("never") to the Config's negative value.
func staleFlag(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
