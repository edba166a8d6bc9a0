// Command holtwinters-example generates a week of seasonal per-minute event
// counts (busy weekdays, quiet nights and weekend) with an injected
// incident, feeds them minute by minute through summarize's RRD output on a
// simulated clock, prints the alert lines the in-process Holt-Winters
// detector raises (syslog text and JSON lines), and renders a graph.
//
//	go run ./examples/holtwinters --dir /tmp/hw --graph /tmp/hw/web-hits.png
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/logtally/logtally/outputs/rrd"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/logtally/logtally/holtwinters"
	"github.com/logtally/logtally/tally"
	"github.com/spf13/pflag"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// Start is a Monday.
var start = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// Count is the generated number of events in minute i: a daily curve that
// peaks in the afternoon, lower at weekends, noise, and the incident.
func Count(r *rand.Rand, i int, incidentAt, incidentLen int) uint64 {
	t := start.Add(time.Duration(i) * time.Minute)
	h := float64(t.Hour()) + float64(t.Minute())/60
	daily := 40 + 160*math.Exp(-math.Pow((h-14)/4, 2)) // quiet night, busy afternoon
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		daily *= 0.6
	}
	v := daily + r.NormFloat64()*math.Sqrt(daily)
	if i >= incidentAt && i < incidentAt+incidentLen {
		v *= 3.5 // the incident: an error storm
	}
	return uint64(math.Max(0, math.Round(v)))
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("holtwinters-example", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "hw-example", "RRD directory (created)")
	days := fs.Int("days", 7, "days of per-minute data")
	period := fs.Int("period", 1440, "seasonal period in minutes")
	incident := fs.Int("incident", 5*1440+14*60, "minute offset of the incident (default: Saturday 14:00)")
	incidentLen := fs.Int("incident-minutes", 20, "incident length in minutes")
	graph := fs.String("graph", "", "write a PNG of the last two days here")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	r := rand.New(rand.NewPCG(*seed, 7))
	enc := json.NewEncoder(stdout)
	out, err := rrd.New(rrd.Config{
		Dir: *dir,
		Forecast: func(string) holtwinters.Params {
			p := holtwinters.DefaultParams(*period)
			p.Alpha, p.Beta, p.Gamma, p.GammaDev = 0.05, 0.0005, 0.1, 0.1
			return p
		},
		Alert: func(a rrd.Alert) {
			fmt.Fprintf(stdout, "<180>summarydata: %s\n", a) // what goes to syslog (user.warning)
			_ = enc.Encode(a)                                // the JSON-lines record
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	n := *days * 1440
	for i := 0; i < n; i++ {
		s := []tally.Summary{{
			Category: "web", Minute: start.Add(time.Duration(i) * time.Minute),
			Counters: []tally.Value{{Name: "errors", Value: Count(r, i, *incident, *incidentLen)}},
		}}
		if err := out.Write(s); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	st := out.Stats()
	fmt.Fprintf(stderr, "%d minutes written to %s (%d rrd updates, %d alerts)\n",
		n, out.Path("web", "errors"), st.Updates, st.Alerts)
	if *graph != "" {
		end := start.Add(time.Duration(n) * time.Minute)
		img, err := rrd.Graph(rrd.GraphOptions{File: out.Path("web", "errors"), Title: "web/errors",
			Start: end.Add(-48 * time.Hour), End: end, Width: 1000, Height: 360})
		if err == nil {
			err = os.WriteFile(*graph, img, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	return 0
}
