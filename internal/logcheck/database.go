package logcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Class is what logcheck does with a line a pattern matches.
type Class uint8

const (
	ClassAttack          Class = iota // cracking.d: "Security Alerts"
	ClassViolationIgnore              // violations.ignore.d: not a violation after all
	ClassViolation                    // violations.d: "Security Events"
	ClassIgnore                       // ignore.d.<level>: not reported
)

func (c Class) String() string {
	return [...]string{"attack", "violation-ignore", "violation", "ignore"}[c]
}

// Pattern is one line of a logcheck rule file.
type Pattern struct {
	Class Class
	Dir   string // "ignore.d.server", "violations.d", …
	File  string // rule file name: "postfix", "logcheck-su"
	Line  int
	Text  string // the ERE as written
}

// Where names the pattern as dir/file:line.
func (p Pattern) Where() string { return fmt.Sprintf("%s/%s:%d", p.Dir, p.File, p.Line) }

// Levels returns the ignore.d directories logcheck reads at a report level:
// each level includes the stricter ones ("server" reads server and
// paranoid), as /usr/sbin/logcheck does.
func Levels(level string) ([]string, error) {
	switch level {
	case "workstation":
		return []string{"workstation", "server", "paranoid"}, nil
	case "server":
		return []string{"server", "paranoid"}, nil
	case "paranoid":
		return []string{"paranoid"}, nil
	}
	return nil, fmt.Errorf("unknown report level %q (want workstation, server or paranoid)", level)
}

// Database is the set of rule files logcheck reads at one report level.
type Database struct {
	Root     string
	Level    string
	Patterns []Pattern
	// Files maps "<class dir>/<file>" to the cleaned patterns in the order
	// logcheck's cleanrules concatenates them (levels in order).
	Files map[string][]string
}

// runParts is run-parts' rule for which file names count (Debian's default
// --lsbsysinit off): letters, digits, underscores and hyphens only.
var runParts = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// blankOrComment is logcheck's cleanrules filter, `grep -E -v '^[[:space:]]*$|^#'`.
var blankOrComment = regexp.MustCompile(`^[[:space:]]*$|^#`)

// LoadDatabase reads the database under root (usually /etc/logcheck) for
// the given report level.
func LoadDatabase(root, level string) (*Database, error) {
	levels, err := Levels(level)
	if err != nil {
		return nil, err
	}
	db := &Database{Root: root, Level: level, Files: map[string][]string{}}
	type src struct {
		class Class
		dir   string
		key   string
	}
	var srcs []src
	srcs = append(srcs, src{ClassAttack, "cracking.d", "cracking"},
		src{ClassViolationIgnore, "violations.ignore.d", "violations-ignore"},
		src{ClassViolation, "violations.d", "violations"})
	for _, l := range levels {
		srcs = append(srcs, src{ClassIgnore, "ignore.d." + l, "ignore"})
	}
	for _, s := range srcs {
		names, err := ruleFiles(filepath.Join(root, s.dir))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			pats, err := readRuleFile(filepath.Join(root, s.dir, name))
			if err != nil {
				return nil, err
			}
			key := s.key + "/" + name
			for _, p := range pats {
				db.Files[key] = append(db.Files[key], p.text)
				db.Patterns = append(db.Patterns, Pattern{Class: s.class, Dir: s.dir, File: name, Line: p.line, Text: p.text})
			}
			if _, ok := db.Files[key]; !ok {
				db.Files[key] = nil
			}
		}
	}
	return db, nil
}

// ruleFiles lists a rule directory the way run-parts --list does; a missing
// directory is empty.
func ruleFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rule directory: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && runParts.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

type ruleLine struct {
	line int
	text string
}

func readRuleFile(path string) ([]ruleLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read rule file: %w", err)
	}
	defer f.Close()
	var out []ruleLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		t := sc.Text()
		if blankOrComment.MatchString(t) {
			continue
		}
		out = append(out, ruleLine{n, t})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// cleanName is a rule-name-safe form of s.
func cleanName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}
