// Package rules loads, validates and compiles the rule file, and matches
// parsed records against it.
//
// A Set is immutable once built and may be shared by any number of
// goroutines; each goroutine matches with its own Matcher. The per-line path
// is Categorize (dispatch on program, host, facility, severity), then Match
// (literal prefilter over all rules of the category, regexps only on
// candidates), then AppendKey for each template of the matched rule.
//
// The schema of the rule file is documented in docs/rules.md.
//
// rules is one of logtally's four public library packages, with parsers,
// tally and holtwinters: programs outside logtally may import it, and its
// exported API changes only with care.
package rules

import (
	"regexp"

	"github.com/logtally/logtally/holtwinters"

	"github.com/logtally/logtally/tally"
)

// Set is a compiled rule file.
type Set struct {
	Path       string // as given to Load or Parse
	Masks      []Mask
	Categories []*Category

	disp dispatch
}

// Mask is a variable-field mask for the unknown-log report (aireport).
// Replace uses regexp.Expand syntax ($1, ${name}).
type Mask struct {
	Name    string
	Regexp  *regexp.Regexp
	Replace string
}

// UnknownMode says what happens to a category's lines no rule claimed.
type UnknownMode uint8

const (
	UnknownSpool UnknownMode = iota // write them to the category's unknown spool
	UnknownDrop                     // count them only
)

func (u UnknownMode) String() string {
	if u == UnknownDrop {
		return "drop"
	}
	return "spool"
}

// Category is one stream of lines summarised once per minute.
type Category struct {
	Name      string
	Index     int // position in Set.Categories
	Line, Col int // of the category in the rule file
	Schema    tally.Schema
	Unknown   UnknownMode
	Forecast  Forecast
	TopFiles  []TopFile
	Rules     []*Rule

	cond   condition
	ac     *ahoCorasick
	always []uint64 // candidate bits of rules without a literal
	words  int
}

// TopFile asks for one top-N table to be written to a file every minute.
type TopFile struct {
	Top  int    // index into Schema.Tops
	Name string // file name, relative to the top-file directory
}

// Forecast holds the Holt-Winters settings for a category's RRD files and
// aberration alerts. Parse fills in defaults for everything not given.
type Forecast struct {
	Period         int // steps (minutes) per season
	Multiplicative bool
	Alpha, Beta    float64
	Gamma          float64
	GammaDev       float64
	DeltaPos       float64
	DeltaNeg       float64
	Threshold      int // failures when >= Threshold of the last Window steps violate
	Window         int
}

// Params is the Holt-Winters model of f: what the category's RRD files and
// detectors are built with. The loader validates it, so a rule file that
// loads never yields parameters the RRD output refuses.
func (f Forecast) Params() holtwinters.Params {
	p := holtwinters.DefaultParams(f.Period)
	p.Multiplicative = f.Multiplicative
	p.Alpha, p.Beta, p.Gamma, p.GammaDev = f.Alpha, f.Beta, f.Gamma, f.GammaDev
	p.DeltaPos, p.DeltaNeg = f.DeltaPos, f.DeltaNeg
	p.Threshold, p.Window = f.Threshold, f.Window
	return p
}

// DefaultForecast is what a category gets when it has no forecast block;
// keys missing from a forecast block take these values too.
var DefaultForecast = Forecast{
	Period: 1440, Alpha: 0.1, Beta: 0.0035, Gamma: 0.1, GammaDev: 0.1,
	DeltaPos: 2, DeltaNeg: 2, Threshold: 7, Window: 9,
}

// Rule is one compiled rule of a category.
type Rule struct {
	Name     string
	Line     int // line of the rule in the file
	Col      int
	Ignore   bool
	Continue bool

	Counters  []int // indices into Schema.Counters
	Tops      []KeyAction
	Distincts []KeyAction
	Stats     []FieldAction

	programs   []*glob        // rule-level program condition; empty: any
	re         *regexp.Regexp // nil: substring-only rule
	fast       *fastProg      // re for the fast matcher, nil when outside its subset
	lit        []byte         // required literal ("" = none)
	verify     bool           // lit must be checked with bytes.Contains (no regexp does it)
	needCaps   bool           // some template references a capture
	litOnly    bool           // the regexp is exactly lit: a hit is a match
	litFromSub bool           // lit is the rule's substring, not implied by re
}

// KeyAction feeds the table Schema.Tops[Index] (or Distincts) with the key
// Key expands to.
type KeyAction struct {
	Index int
	Key   *Template
}

// FieldAction feeds Schema.Stats[Index] with the number Key expands to. Key
// is always exactly one capture.
type FieldAction struct {
	Index int
	Key   *Template
}
