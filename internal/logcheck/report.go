package logcheck

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/logtally/logtally/rules"
)

// WriteSummary prints what the conversion did: patterns per directory,
// converted, widened, and every pattern not converted with its reason.
func (cv *Conversion) WriteSummary(w io.Writer) {
	perDir := map[string]int{}
	files := map[string]bool{}
	for _, p := range cv.DB.Patterns {
		perDir[p.Dir]++
		files[p.Dir+"/"+p.File] = true
	}
	dirs := make([]string, 0, len(perDir))
	for d := range perDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var parts []string
	for _, d := range dirs {
		parts = append(parts, fmt.Sprintf("%s %d", d, perDir[d]))
	}
	fmt.Fprintf(w, "patterns: %d in %d files at report level %s (%s)\n", len(cv.DB.Patterns), len(files), cv.DB.Level, strings.Join(parts, ", "))
	approx := map[string]bool{}
	for _, r := range cv.Approx {
		approx[r.From.Where()] = true
	}
	fmt.Fprintf(w, "converted: %d (%d exactly, %d wider than the original: listed at the end of the rule file); not converted: %d\n",
		cv.ConvertedPatterns(), cv.ConvertedPatterns()-len(approx), len(approx), len(cv.Failures))
	for _, f := range cv.Failures {
		fmt.Fprintf(w, "  not converted: %s: %s\n", f.From.Where(), oneLine(f.Reason))
	}
}

// Measure classifies lines both ways and explains disagreements: a line
// whose logcheck verdict changes to logtally's when its "[pid]" is removed
// or added differs only by the PID, which logtally's rules do not look at.
func Measure(db *Database, set *rules.Set, lines []string, maxSamples int) (*Comparison, error) {
	lc, err := LogcheckVerdicts(db, lines)
	if err != nil {
		return nil, err
	}
	lt := LogtallyVerdicts(set, lines)
	c := Compare(lines, lc, lt, 0)
	if len(c.Disagree) > 0 {
		variants := make([]string, len(c.Disagree))
		for i, d := range c.Disagree {
			variants[i] = togglePID(d.Text)
		}
		vv, err := LogcheckVerdicts(db, variants)
		if err != nil {
			return nil, err
		}
		for i := range c.Disagree {
			d := &c.Disagree[i]
			if variants[i] != d.Text && vv[i] == d.Logtally {
				d.OnlyPID = true
				c.OnlyPID++
			}
		}
	}
	if maxSamples > 0 && len(c.Disagree) > maxSamples {
		c.Disagree = c.Disagree[:maxSamples]
	}
	return c, nil
}

// tagPID finds "prog[pid]:" or "prog:" after a syslog header.
var tagPID = regexp.MustCompile(`^((?:\w{3} [ :0-9]{11}|[0-9T:.+-]{32}) [^ ]+ [^ :\[]+)(\[[0-9]+\])?:`)

// togglePID removes the line's "[pid]", or adds "[1]" when it has none.
func togglePID(line string) string {
	m := tagPID.FindStringSubmatchIndex(line)
	if m == nil {
		return line
	}
	if m[4] >= 0 {
		return line[:m[4]] + line[m[5]:]
	}
	return line[:m[3]] + "[1]" + line[m[3]:]
}

// WriteComparison prints a comparison as a small table.
func (c *Comparison) WriteComparison(w io.Writer, name string) {
	fmt.Fprintf(w, "%s: %d lines\n", name, c.Lines)
	fmt.Fprintf(w, "  %-10s %9s %9s\n", "verdict", "logcheck", "logtally")
	for v := Reported; v <= Attack; v++ {
		fmt.Fprintf(w, "  %-10s %9d %9d\n", v, c.Logcheck[v], c.Logtally[v])
	}
	share := func(n int) float64 {
		if c.Lines == 0 {
			return 0
		}
		return 100 * float64(n) / float64(c.Lines)
	}
	fmt.Fprintf(w, "  ignored share: logcheck %.1f %%, logtally %.1f %%\n", share(c.Logcheck[Ignored]), share(c.Logtally[Ignored]))
	fmt.Fprintf(w, "  same verdict on %d of %d lines", c.Agree, c.Lines)
	if c.OnlyPID > 0 {
		fmt.Fprintf(w, "; %d of the %d others differ only by the [pid] logtally's rules do not check", c.OnlyPID, c.Disagreements())
	}
	fmt.Fprintln(w)
	for _, d := range c.Disagree {
		why := ""
		if d.OnlyPID {
			why = " (only the [pid])"
		}
		fmt.Fprintf(w, "    line %d: logcheck %s, logtally %s%s: %s\n", d.Line, d.Logcheck, d.Logtally, why, d.Text)
	}
}
