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

	"github.com/logtally/logtally/internal/cli"
	"github.com/logtally/logtally/internal/debianday"
	"github.com/logtally/logtally/internal/logcheck"
	"github.com/logtally/logtally/rules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := cli.New("logcheck2rules", "convert Debian's logcheck database into a logtally rule file")
	cmd.Usage = []string{"[--logcheck-dir DIR] [--level LEVEL] [-o FILE]", "-o FILE --compare LOG,... [--debian-day]"}
	cmd.Description = `logcheck2rules reads logcheck's rule directories (cracking.d, violations.d, ` +
		`violations.ignore.d and the ignore.d directories of a report level), translates every ` +
		`POSIX extended regular expression it can into RE2, and writes one logtally category: ` +
		`ignore rules for what logcheck ignores, counting rules (attacks, violations) for what it ` +
		`reports as Security Alerts and Security Events, each rule with its program. Patterns it ` +
		`cannot translate are listed with the reason, on stderr and at the end of the file.

With --compare it classifies log files both ways, logcheck's by running grep -E with its rule ` +
		`files as logcheck does, and prints how many lines get the same verdict. See docs/logcheck.md.`
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "the rule file was written (and the comparison printed)"}, {Code: 1, Meaning: "the database or a log file could not be read, or the result does not load"}, {Code: cli.ExitUsage, Meaning: "bad usage"}}
	cmd.SeeAlso = []string{"summarize(1)", "aireport(1)", "logcheck(8)"}
	in := cmd.Group("Database")
	dir := in.String("logcheck-dir", "/etc/logcheck", "logcheck's rule `DIR`")
	level := in.String("level", "server", "logcheck report level: workstation, server or paranoid (each includes the stricter ones)")
	out := cmd.Group("Output")
	category := out.String("category", "system", "name of the generated category")
	output := out.StringP("output", "o", "-", "rule `FILE` to write (- = standard output)")
	cmp := cmd.Group("Comparison with logcheck")
	compare := cmp.StringSlice("compare", nil, "log `FILE`s (traditional syslog format) to classify with logcheck's grep and with the converted rules")
	day := cmp.Bool("debian-day", false, "with --compare: also a generated day of a Debian 12 server's syslog (20,002 lines, seed 1)")
	samples := cmp.Int("samples", 10, "disagreeing lines to print per input")
	printDay := cmp.Bool("print-debian-day", false, "write the generated Debian day to standard output and exit (to replay it through summarize)")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	if len(cmd.Args()) > 0 {
		return cmd.Fail(stderr, "unexpected argument %q", cmd.Args()[0])
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
