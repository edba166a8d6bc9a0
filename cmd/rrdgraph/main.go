// Command rrdgraph renders a PNG graph of one counter's RRD file written by
// summarize's RRD output: the observed per-minute values, the Holt-Winters
// band ŷ ± δ·d and a tick for every minute in failure. For dashboards and
// cron:
//
//	rrdgraph --dir /var/lib/logtally/rrd --category asa --counter http_connections \
//	    --start -1d --end now --size 800x300 --out /var/www/asa-http.png
//
// or --file path/to/counter.rrd instead of --dir/--category/--counter.
// Exit status: 0 ok, 1 rendering failed, 2 bad usage (see --help).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/logtally/logtally/internal/atomicfile"
	"github.com/logtally/logtally/internal/cli"
	"github.com/logtally/logtally/outputs/rrd"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
}

func run(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer, now func() time.Time) int {
	cmd := cli.New("rrdgraph", "render a PNG graph of one counter's RRD file with its Holt-Winters band and failures")
	cmd.Usage = []string{"--dir DIR --category NAME --counter NAME [options]", "--file FILE.rrd [options]"}
	cmd.Description = `rrdgraph draws the per-minute values summarize stored in an RRD file ` +
		`(--rrd-dir), the Holt-Winters band (prediction ± delta × deviation) and a tick for ` +
		`every minute in failure, for dashboards and cron. See docs/rrd.md.`
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "the graph was written"}, {Code: 1, Meaning: "rendering or writing failed"}, {Code: 2, Meaning: "bad usage"}}
	cmd.SeeAlso = []string{"summarize(1)", "rrdtool(1)"}
	in := cmd.Group("Input")
	file := in.String("file", "", "RRD `FILE` to graph")
	dir := in.String("dir", "", "RRD directory `DIR` of summarize (with --category and --counter)")
	category := in.String("category", "", "category `NAME`")
	counter := in.String("counter", "", "counter `NAME`")
	start := in.String("start", "-1d", "start `TIME`: RFC 3339 time, Unix seconds, or -DURATION before --end (e.g. -6h, -1d, -1w)")
	end := in.String("end", "now", "end `TIME`: RFC 3339 time, Unix seconds, or now")
	out := cmd.Group("Outputs")
	size := out.String("size", "800x300", "image size WIDTHxHEIGHT in pixels")
	title := out.String("title", "", "graph title (default category/counter or the file)")
	outPath := out.String("out", "-", "PNG output `FILE`, - for stdout")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	if len(cmd.Args()) > 0 {
		return cmd.Fail(stderr, "unexpected argument %q", cmd.Args()[0])
	}
	if *file == "" {
		if *dir == "" || *category == "" || *counter == "" {
			return cmd.Fail(stderr, "give --file, or --dir with --category and --counter")
		}
		*file = rrd.Path(*dir, *category, *counter)
		if *title == "" {
			*title = *category + "/" + *counter
		}
	}
	e, err := parseTime(*end, now(), time.Time{})
	if err != nil {
		fmt.Fprintf(stderr, "rrdgraph: --end: %v\n", err)
		return 2
	}
	s, err := parseTime(*start, now(), e)
	if err != nil {
		fmt.Fprintf(stderr, "rrdgraph: --start: %v\n", err)
		return 2
	}
	var w, h uint
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil {
		fmt.Fprintf(stderr, "rrdgraph: --size %q: want WIDTHxHEIGHT\n", *size)
		return 2
	}
	img, err := rrd.Graph(rrd.GraphOptions{File: *file, Title: *title, Start: s, End: e, Width: w, Height: h})
	if err != nil {
		fmt.Fprintf(stderr, "rrdgraph: %v\n", err)
		return 1
	}
	if *outPath == "-" {
		_, err = stdout.Write(img)
	} else {
		err = writeFileAtomic(*outPath, img)
	}
	if err != nil {
		fmt.Fprintf(stderr, "rrdgraph: %v\n", err)
		return 1
	}
	return 0
}

// parseTime accepts RFC 3339, Unix seconds, "now", or -DURATION relative
// to rel (or to now when rel is zero); d and w suffixes are days and weeks.
func parseTime(v string, now, rel time.Time) (time.Time, error) {
	if v == "now" {
		return now, nil
	}
	if strings.HasPrefix(v, "-") {
		base := rel
		if base.IsZero() {
			base = now
		}
		d, err := parseDuration(v[1:])
		if err != nil {
			return time.Time{}, err
		}
		return base.Add(-d), nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Parse(time.RFC3339, v)
}

func parseDuration(v string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, fmt.Errorf("bad duration %q", v)
			}
			return time.Duration(f * float64(unit)), nil
		}
	}
	return time.ParseDuration(v)
}

// writeFileAtomic writes via a temp file, fsync and rename, so a dashboard
// never reads half a PNG. The graph is meant for a web server to read:
// 0644 minus the umask.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o644)
}
