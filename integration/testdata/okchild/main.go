// Command okchild is the trivial omprog child of the rsyslog benchmark: it
// reads lines and, with -confirm, answers OK to each, doing nothing else.
// When it has read -n lines it creates the -done file.
package main

import (
	"bufio"
	"flag"
	"os"
)

func main() {
	confirm := flag.Bool("confirm", false, "answer OK at start and per line")
	n := flag.Int("n", 0, "lines to expect")
	done := flag.String("done", "", "file created when n lines were read")
	flag.Parse()
	ok := []byte("OK\n")
	if *confirm {
		os.Stdout.Write(ok)
	}
	r := bufio.NewReaderSize(os.Stdin, 256<<10)
	count := 0
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			count++
			if *confirm {
				os.Stdout.Write(ok)
			}
			if count == *n && *done != "" {
				os.WriteFile(*done, nil, 0o644)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return
		}
	}
}
