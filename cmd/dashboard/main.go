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
	"github.com/logtally/logtally/internal/cli"
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
	cmd := cli.New("dashboard", "serve a read-only live web dashboard of summarize's and aireport's files")
	cmd.Usage = []string{"--rrd-dir DIR --json FILE [--reports DIR] [options]"}
	cmd.Description = `dashboard serves what summarize and aireport already wrote: the RRD files ` +
		`(series, Holt-Winters bands, failures), the JSON-lines summaries and aberration alerts, and ` +
		`aireport's newest JSON report. It never reads raw logs, never writes, listens on 127.0.0.1 ` +
		`unless told otherwise, and updates its pages every minute. Pages under /, JSON under /api. ` +
		`See docs/dashboard.md.`
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "stopped by SIGINT or SIGTERM"}, {Code: 1, Meaning: "serving failed"}, {Code: 2, Meaning: "bad usage"}}
	cmd.SeeAlso = []string{"summarize(1)", "aireport(1)", "rrdgraph(1)"}
	in := cmd.Group("Input")
	rrdDir := in.String("rrd-dir", "", "summarize's --rrd-dir `DIR`")
	jsonFiles := in.StringArray("json", nil, "summarize's --json `FILE` (summaries and alerts); repeat for several")
	reportsDir := in.String("reports", "", "`DIR` of aireport's JSON reports (-f json -o DIR/NAME.json; NAME.html beside it is linked)")
	srv := cmd.Group("Serving")
	listen := srv.String("listen", "127.0.0.1:8080", "`ADDR` to serve on (loopback by default; put a TLS reverse proxy or --tls-cert in front of anything else)")
	authFile := srv.String("auth-file", "", "require HTTP basic auth: `FILE` with one line user:SHA256-hex-of-password")
	tlsCert := srv.String("tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM), with --tls-key")
	tlsKey := srv.String("tls-key", "", "the certificate's key `FILE` (PEM)")
	tune := cmd.Group("Tuning")
	history := tune.Duration("history", 6*time.Hour, "how long statistics percentiles are kept for their charts")
	span := tune.Duration("overview-span", 6*time.Hour, "time span of the overview's charts")
	staleAfter := tune.Duration("stale-after", 5*time.Minute, "say that summarize may not be running when the newest minute is older than this (0: never, for replayed data)")
	poll := tune.Duration("poll", 5*time.Second, "how often the JSON-lines files are checked for new minutes")
	logLevel := tune.String("log-level", "info", "stderr log level: debug, info, warn, error")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	if len(cmd.Args()) > 0 {
		return cmd.Fail(stderr, "unexpected argument %q", cmd.Args()[0])
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return cmd.Fail(stderr, "--log-level: %v", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if (*tlsCert == "") != (*tlsKey == "") {
		return cmd.Fail(stderr, "--tls-cert and --tls-key go together")
	}
	var auth *dashboard.Credentials
	if *authFile != "" {
		b, err := os.ReadFile(*authFile)
		if err == nil {
			auth, err = dashboard.ParseCredentials(b)
		}
		if err != nil {
			return cmd.Fail(stderr, "--auth-file: %v", err)
		}
	}
	d, err := dashboard.New(dashboard.Config{RRDDir: *rrdDir, JSONFiles: *jsonFiles, ReportsDir: *reportsDir,
		History: *history, OverviewSpan: *span, StaleAfter: staleFlag(*staleAfter)})
	if err != nil {
		return cmd.Fail(stderr, "%v", err)
	}
	server, err := dashboard.NewServer(d, dashboard.ServerConfig{Auth: auth, PollEvery: *poll, Logger: log})
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
		server.Run(ctx, ready)
	}()
	<-ready

	hs := &http.Server{Handler: server, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
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
