// Command logcheck2rules converts Debian's logcheck database
// (/etc/logcheck: cracking.d, violations.d, violations.ignore.d and the
// ignore.d directories of a report level) into a logtally rule file: one
// category whose rules ignore what logcheck ignores and count what it
// reports as attacks and violations. With --compare it also classifies log
// files both ways, logcheck's with grep -E exactly as logcheck does, and
// prints how often they agree. See docs/logcheck.md.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/logtally/logtally/internal/debianday"
	"github.com/logtally/logtally/internal/logcheck"
	"github.com/logtally/logtally/rules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("logcheck2rules", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("logcheck-dir", "/etc/logcheck", "logcheck's rule directory")
	level := fs.String("level", "server", "logcheck report level: workstation, server or paranoid (each includes the stricter ones)")
	category := fs.String("category", "system", "name of the generated category")
	output := fs.StringP("output", "o", "-", "rule file to write (- = standard output)")
	compare := fs.StringSlice("compare", nil, "log files (traditional syslog format) to classify with logcheck's grep and with the converted rules")
	day := fs.Bool("debian-day", false, "with --compare: also a generated day of a Debian 12 server's syslog (20,000 lines, seed 1)")
	samples := fs.Int("samples", 10, "disagreeing lines to print per input")
	printDay := fs.Bool("print-debian-day", false, "write the generated Debian day to standard output and exit (to replay it through summarize)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: logcheck2rules [--logcheck-dir DIR] [--level LEVEL] [-o FILE] [--compare FILE,… [--debian-day]]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return 0
		}
		// pflag says nothing itself with ContinueOnError
		fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
		fs.Usage()
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "logcheck2rules: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *printDay {
		w := bufio.NewWriter(stdout)
		for _, l := range debianDay() {
			w.WriteString(l + "\n")
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
			return 1
		}
		return 0
	}
	db, err := logcheck.LoadDatabase(*dir, *level)
	if err != nil {
		fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
		return 1
	}
	if len(db.Patterns) == 0 {
		fmt.Fprintf(stderr, "logcheck2rules: no patterns under %s (apt-get install logcheck-database)\n", *dir)
		return 1
	}
	cv := logcheck.Convert(db)
	var file bytes.Buffer
	if err := cv.WriteRules(&file, *category); err != nil {
		fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
		return 1
	}
	// the converted file must load: the same check summarize --check does
	set, err := rules.Parse(*output, file.Bytes())
	if err != nil {
		fmt.Fprintf(stderr, "logcheck2rules: the converted rules do not load: %v\n", err)
		return 1
	}
	if *output == "-" {
		_, err = stdout.Write(file.Bytes())
	} else {
		err = os.WriteFile(*output, file.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
		return 1
	}
	cv.WriteSummary(stderr)

	type input struct {
		name  string
		lines []string
	}
	var inputs []input
	for _, p := range *compare {
		lines, err := readLines(p)
		if err != nil {
			fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
			return 1
		}
		inputs = append(inputs, input{p, lines})
	}
	if *day {
		inputs = append(inputs, input{"generated Debian 12 day (seed 1)", debianDay()})
	}
	if len(inputs) > 1 {
		var all []string
		for _, in := range inputs {
			all = append(all, in.lines...)
		}
		inputs = append(inputs, input{"all of the above", all})
	}
	for _, in := range inputs {
		c, err := logcheck.Measure(db, set, in.lines, *samples)
		if err != nil {
			fmt.Fprintf(stderr, "logcheck2rules: %v\n", err)
			return 1
		}
		c.WriteComparison(stderr, in.name)
	}
	return 0
}

// debianDay is the day --debian-day measures: fixed seed and date, so the
// figures in the docs can be reproduced.
func debianDay() []string {
	return debianday.Day(debianday.Config{Seed: 1, Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
