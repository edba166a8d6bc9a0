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
	"github.com/logtally/logtally/internal/cli"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	cmd := cli.New("genrules", "write logtally rule files for the benchmarks")
	cmd.Usage = []string{"[-n RULES] > rules.yaml", "--merge FILE..."}
	cmd.ExitCodes = []cli.ExitCode{{Code: 0, Meaning: "the rule file was written"}, {Code: 1, Meaning: "a rule file could not be read or written"}, {Code: 2, Meaning: "bad usage"}}
	rules := cmd.Group("Rules")
	n := rules.IntP("rules", "n", 100, "total number of rules (at least 3, the job's)")
	merge := rules.Bool("merge", false, "merge the rule files given as arguments into one")
	if done, code := cmd.Parse(args, stdout, stderr); done {
		return code
	}
	var err error
	if *merge {
		if len(cmd.Args()) == 0 {
			return cmd.Fail(stderr, "--merge: no rule files given")
		}
		err = benchutil.MergeRules(stdout, cmd.Args())
	} else {
		err = benchutil.WriteRules(stdout, *n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "genrules: %v\n", err)
		return 1
	}
	return 0
}
