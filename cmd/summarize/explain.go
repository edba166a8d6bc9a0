package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
)

// explain prints, for every input line, what summarize would do with it:
// the format and fields the parser found, the category, every rule of the
// category with its outcome, the captures and what the claiming rule adds
// to the minute. Nothing is counted or written anywhere else.
func explain(set *rules.Set, loc *time.Location, maxLine int, stdin io.Reader, stdout io.Writer) error {
	p := parsers.New(now, loc)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine+1)
	w := bufio.NewWriter(stdout)
	var rec parsers.Record
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		fmt.Fprintf(w, "line %d: %s\n", n, line)
		if err := p.Parse(line, &rec); err != nil {
			fmt.Fprintf(w, "  malformed: %v\n  => counted as malformed in category logtally\n\n", err)
			continue
		}
		writeRecord(w, &rec)
		e := set.Explain(&rec)
		if e.Category < 0 {
			fmt.Fprintf(w, "  category: none matches\n  => counted as uncategorized in category logtally\n\n")
			continue
		}
		c := set.Categories[e.Category]
		match := c.MatchText()
		if match == "" {
			match = "no match block: every line"
		}
		fmt.Fprintf(w, "  category %s (line %d; %s)\n", c.Name, c.Line, match)
		var claimed []string
		for _, t := range e.Trials {
			fmt.Fprintf(w, "    rule %s (line %d): %s", t.Rule.Name, t.Rule.Line, t.Outcome)
			switch t.Outcome {
			case rules.LiteralAbsent:
				fmt.Fprintf(w, " (%q)", t.Literal)
			case rules.ProgramMismatch:
				fmt.Fprintf(w, " (program %s)", t.Rule.ProgramText())
			case rules.Matched:
				claimed = append(claimed, t.Rule.Name)
				if t.Rule.Continue {
					w.WriteString(", continue")
				}
			}
			w.WriteByte('\n')
			if len(t.Captures) > 0 {
				w.WriteString("      captures")
				for _, c := range t.Captures {
					if c.Set {
						fmt.Fprintf(w, " %s=%s", c.Name, strconv.Quote(c.Value))
					} else {
						fmt.Fprintf(w, " %s=(unset)", c.Name)
					}
				}
				w.WriteByte('\n')
			}
			for _, k := range t.Keys {
				switch k.Kind {
				case "ignore":
					w.WriteString("      ignore: counted as ignored, kept out of the spool\n")
				case "count":
					fmt.Fprintf(w, "      count %s +1\n", k.Name)
				case "stats":
					fmt.Fprintf(w, "      stats %s <- %s\n", k.Name, strconv.Quote(k.Key))
				default:
					fmt.Fprintf(w, "      %s %s <- %s\n", k.Kind, k.Name, strconv.Quote(k.Key))
				}
			}
		}
		switch {
		case len(claimed) > 0:
			fmt.Fprintf(w, "  => claimed by %s\n\n", strings.Join(claimed, ", "))
		case c.Unknown == rules.UnknownDrop:
			fmt.Fprintf(w, "  => unknown (counted, dropped: unknown: drop)\n\n")
		default:
			fmt.Fprintf(w, "  => unknown (counted, written to the %s spool)\n\n", c.Name)
		}
	}
	if err := sc.Err(); err != nil {
		w.Flush()
		return fmt.Errorf("read input: %w", err)
	}
	return w.Flush()
}

func writeRecord(w *bufio.Writer, r *parsers.Record) {
	orDash := func(b []byte) string {
		if len(b) == 0 {
			return "-"
		}
		return strconv.Quote(string(b))
	}
	tm := "-"
	if !r.Time.IsZero() {
		tm = r.Time.Format(time.RFC3339Nano)
	}
	pri := "facility -, severity - (no priority in this format)"
	if r.Facility >= 0 {
		pri = fmt.Sprintf("facility %d, severity %d", r.Facility, r.Severity)
	}
	fmt.Fprintf(w, "  format %s, time %s, host %s, program %s, pid %s, %s\n", r.Format, tm, orDash(r.Host), orDash(r.Program), orDash(r.PID), pri)
	fmt.Fprintf(w, "  message %s\n", strconv.Quote(string(r.Message)))
}
