package logcheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/logtally/logtally/parsers"
	"github.com/logtally/logtally/rules"
)

// Verdict is what happens to one line.
type Verdict uint8

const (
	Reported  Verdict = iota // logcheck: "System Events"; logtally: unknown (spooled)
	Ignored                  // logcheck: in no section; logtally: an ignore rule claimed it
	Violation                // logcheck: "Security Events"; logtally: counted as violations
	Attack                   // logcheck: "Security Alerts"; logtally: counted as attacks
)

func (v Verdict) String() string {
	return [...]string{"reported", "ignored", "violation", "attack"}[v]
}

// trailingSpace is what logcheck strips from every line before matching
// (`sed -e 's/[[:space:]]\+$//'`).
var trailingSpace = regexp.MustCompile(`[[:space:]]+$`)

// LogcheckVerdicts classifies lines exactly as /usr/sbin/logcheck does at
// db's report level, by running `grep -E --text -f` with each of its
// cleaned rule files over the lines (trailing white space stripped, as
// logcheck does), and combining the answers in logcheck's order:
//
//   - attack: a cracking.d pattern matches;
//   - violation: a violations.d/F pattern matches, and neither
//     violations.ignore.d/F nor violations.ignore.d/logcheck-F does (for
//     F = "logcheck": no violations.ignore.d file and no other violations.d
//     file either), and it is not an attack;
//   - reported: no ignore.d, cracking.d or violations.d pattern matches;
//   - ignored: everything else.
//
// grep is looked up in PATH. local* ignore files are not shipped and not
// handled.
func LogcheckVerdicts(db *Database, lines []string) ([]Verdict, error) {
	dir, err := os.MkdirTemp("", "logcheck-verdicts")
	if err != nil {
		return nil, fmt.Errorf("logcheck verdicts: %w", err)
	}
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "logoutput-sorted")
	var in bytes.Buffer
	for _, l := range lines {
		in.WriteString(trailingSpace.ReplaceAllString(l, ""))
		in.WriteByte('\n')
	}
	if err := os.WriteFile(input, in.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("logcheck verdicts: %w", err)
	}
	match := map[string][]bool{}
	keys := make([]string, 0, len(db.Files))
	for k := range db.Files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m, err := grepLines(dir, db.Files[k], input, len(lines))
		if err != nil {
			return nil, fmt.Errorf("logcheck verdicts: %s: %w", k, err)
		}
		match[k] = m
	}
	any := func(prefix string, i int, skip func(name string) bool) bool {
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) && (skip == nil || !skip(strings.TrimPrefix(k, prefix))) && match[k][i] {
				return true
			}
		}
		return false
	}
	out := make([]Verdict, len(lines))
	for i := range lines {
		attack := any("cracking/", i, nil)
		violation := false
		for _, k := range keys {
			name, ok := strings.CutPrefix(k, "violations/")
			if !ok || !match[k][i] {
				continue
			}
			if m := match["violations-ignore/"+name]; m != nil && m[i] {
				continue
			}
			if m := match["violations-ignore/logcheck-"+name]; m != nil && m[i] {
				continue
			}
			if name == "logcheck" && (any("violations-ignore/", i, nil) ||
				any("violations/", i, func(n string) bool { return strings.HasPrefix(n, "logcheck") })) {
				continue
			}
			violation = true
		}
		switch {
		case attack:
			out[i] = Attack
		case violation:
			out[i] = Violation
		case !any("ignore/", i, nil) && !any("violations/", i, nil):
			out[i] = Reported
		default:
			out[i] = Ignored
		}
	}
	return out, nil
}

// grepLines runs `grep -E --text -n -f patterns input` and returns which of
// the n input lines matched.
func grepLines(dir string, patterns []string, input string, n int) ([]bool, error) {
	m := make([]bool, n)
	if len(patterns) == 0 {
		return m, nil
	}
	pf := filepath.Join(dir, "patterns")
	if err := os.WriteFile(pf, []byte(strings.Join(patterns, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command("grep", "-E", "--text", "-n", "-f", pf, input)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outp, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return m, nil // no line matched
	}
	if err != nil {
		return nil, fmt.Errorf("grep: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	sc := bufio.NewScanner(bytes.NewReader(outp))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		num, _, _ := strings.Cut(sc.Text(), ":")
		k, err := strconv.Atoi(num)
		if err != nil || k < 1 || k > n {
			return nil, fmt.Errorf("grep: unexpected output line %q", sc.Text())
		}
		m[k-1] = true
	}
	return m, sc.Err()
}

// LogtallyVerdicts classifies lines with a logtally rule file converted by
// WriteRules: the first rule claiming a line decides (attacks and
// violations by the counter they feed, ignore rules by ignore); a line no
// rule claims, or no category takes, or that does not parse, is reported.
func LogtallyVerdicts(set *rules.Set, lines []string) []Verdict {
	p := parsers.New(func() time.Time { return time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC) }, time.UTC)
	m := set.NewMatcher()
	out := make([]Verdict, len(lines))
	var rec parsers.Record
	for i, l := range lines {
		if err := p.Parse([]byte(l), &rec); err != nil {
			continue
		}
		cat := m.Categorize(&rec)
		if cat < 0 {
			continue
		}
		ri := m.Match(cat, &rec, 0)
		if ri < 0 {
			continue
		}
		c := set.Categories[cat]
		r := c.Rules[ri]
		switch {
		case r.Ignore:
			out[i] = Ignored
		case countsInto(c, r, CounterAttacks):
			out[i] = Attack
		case countsInto(c, r, CounterViolations):
			out[i] = Violation
		default:
			out[i] = Ignored // claimed by a rule that counts something else: not reported
		}
	}
	return out
}

func countsInto(c *rules.Category, r *rules.Rule, counter string) bool {
	for _, idx := range r.Counters {
		if c.Schema.Counters[idx] == counter {
			return true
		}
	}
	return false
}

// Comparison is logcheck's and logtally's verdicts over the same lines.
type Comparison struct {
	Lines      int
	Logcheck   [4]int // lines per Verdict
	Logtally   [4]int
	Agree      int
	Disagree   []Disagreement
	MaxSamples int // Disagree keeps at most this many (0: all)
	OnlyPID    int // disagreements explained by the [pid] alone (Measure)
}

// Disagreement is one line the two classify differently.
type Disagreement struct {
	Line               int // 1-based
	Text               string
	Logcheck, Logtally Verdict
	OnlyPID            bool // logcheck agrees once the [pid] is removed or added
}

// Compare tallies two verdict lists over lines.
func Compare(lines []string, lc, lt []Verdict, maxSamples int) *Comparison {
	c := &Comparison{Lines: len(lines), MaxSamples: maxSamples}
	for i := range lines {
		c.Logcheck[lc[i]]++
		c.Logtally[lt[i]]++
		if lc[i] == lt[i] {
			c.Agree++
			continue
		}
		if maxSamples == 0 || len(c.Disagree) < maxSamples {
			c.Disagree = append(c.Disagree, Disagreement{Line: i + 1, Text: lines[i], Logcheck: lc[i], Logtally: lt[i]})
		}
	}
	return c
}

// Disagreements counts the lines classified differently.
func (c *Comparison) Disagreements() int { return c.Lines - c.Agree }
