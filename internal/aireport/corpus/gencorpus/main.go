// Command gencorpus writes aireport's synthetic benchmark input to stdout:
//
//	go run ./internal/aireport/corpus/gencorpus -lines 1000000 -templates 1000 -seed 1 > in.log
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/logtally/logtally/internal/aireport/corpus"
)

func main() {
	var cfg corpus.Config
	flag.IntVar(&cfg.Lines, "lines", 1000000, "lines to write")
	flag.IntVar(&cfg.Templates, "templates", 1000, "distinct message templates")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	flag.IntVar(&cfg.Values, "values", 100, "distinct values per variable field the article's masks leave alone")
	flag.BoolVar(&cfg.Nasty, "nasty", true, "mix in edge cases (short lines, odd bytes, sed corner cases)")
	flag.Parse()
	if err := corpus.Generate(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}
