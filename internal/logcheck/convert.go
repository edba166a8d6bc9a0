package logcheck

import (
	"fmt"
	"regexp"
	"sort"
)

// Converted is one logtally rule made from (one alternative of) a pattern.
type Converted struct {
	From  Pattern
	Name  string // rule name: "<dir>.<file>.<line>[.<branch>]"
	Split *Split
}

// Failure is a pattern that could not be converted, and why.
type Failure struct {
	From   Pattern
	Reason string
}

// Conversion is the result of converting a database.
type Conversion struct {
	DB       *Database
	Rules    []Converted
	Failures []Failure
	Approx   []Converted // the rules whose Split.Approx is set
}

// Counter names of the generated rules: logcheck's two report sections
// become per-minute counts (and so RRD files and Holt-Winters alerts).
const (
	CounterAttacks    = "attacks"
	CounterViolations = "violations"
)

// Convert translates every pattern of db into rules of one category, each
// rule with the programs its pattern names.
func Convert(db *Database) *Conversion {
	cv := &Conversion{DB: db}
	for _, p := range db.Patterns {
		tree, err := parseERE(p.Text)
		if err != nil {
			cv.Failures = append(cv.Failures, Failure{p, "ERE → RE2: " + err.Error()})
			continue
		}
		var rules []Converted
		var fail error
		for i, br := range tree.subs {
			s, err := splitBranch(br)
			if err != nil {
				fail = err
				break
			}
			if _, err := regexp.Compile(s.Message); err != nil {
				fail = fmt.Errorf("RE2 rejects the translation %q: %w", s.Message, err)
				break
			}
			name := fmt.Sprintf("%s.%s.%d", cleanName(p.Dir), cleanName(p.File), p.Line)
			if len(tree.subs) > 1 {
				name += fmt.Sprintf(".%d", i+1)
			}
			rules = append(rules, Converted{From: p, Name: name, Split: s})
		}
		if fail != nil {
			cv.Failures = append(cv.Failures, Failure{p, fail.Error()})
			continue
		}
		cv.Rules = append(cv.Rules, rules...)
	}
	for i := range cv.Rules {
		if cv.Rules[i].Split.Approx != "" {
			cv.Approx = append(cv.Approx, cv.Rules[i])
		}
	}
	// logcheck's order: attacks first, then violations (their ignores
	// before them), then the ignore rules; file order within each
	sort.SliceStable(cv.Rules, func(a, b int) bool { return cv.Rules[a].From.Class < cv.Rules[b].From.Class })
	return cv
}
