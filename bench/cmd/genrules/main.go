// Command genrules writes logtally rule files for the benchmarks:
//
//	genrules -n 500 > rules500.yaml          # the bench-peers job + 497 rules that never match
//	genrules --merge examples/*/rules.yaml   # every example's categories in one file
//
// See benchutil.WriteRules and benchutil.MergeRules.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/logtally/logtally/internal/benchutil"
	"github.com/spf13/pflag"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("genrules", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.IntP("rules", "n", 100, "total number of rules (at least 3, the job's)")
	merge := fs.Bool("merge", false, "merge the rule files given as arguments into one")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if *merge {
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, "genrules: --merge: no rule files given")
			return 2
		}
		err = benchutil.MergeRules(stdout, fs.Args())
	} else {
		err = benchutil.WriteRules(stdout, *n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "genrules: %v\n", err)
		return 1
	}
	return 0
}
