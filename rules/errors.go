package rules

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is matched by errors.Is on every ErrorList: the rule file was
// read but does not validate.
var ErrInvalid = errors.New("invalid rule file")

// Error is one problem in a rule file, at the YAML node that caused it.
// Line and Col are 1-based; Col is 1 when the YAML parser reports only a
// line.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in a rule file, sorted by position.
// Parse and Load return it (as error) when validation fails; use errors.As
// to get at the individual errors.
type ErrorList []Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is reports ErrInvalid for any ErrorList.
func (l ErrorList) Is(target error) bool { return target == ErrInvalid }

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
}

// suggest returns ` (did you mean "x"?)` when key looks like a misspelling
// of one of the allowed keys, "" otherwise.
func suggest(key string, allowed []string) string {
	best, bestD := "", 1<<30
	for _, a := range allowed {
		d := editDistance(key, a)
		if len(key) >= 3 && (strings.HasPrefix(a, key) || strings.HasPrefix(key, a)) {
			d = 0
		} else if commonPrefix(key, a) >= 5 {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = a, d
		}
	}
	if best != "" && bestD <= max(2, len(key)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
