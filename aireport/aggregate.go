package aireport

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"runtime"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/logtally/logtally/aireport/drain"
	"github.com/logtally/logtally/internal/exactcount"
)

// Classified is what a Classifier learned about one raw spool line.
type Classified struct {
	OK      bool      // the header was recognised; false: Message is the whole line
	Time    time.Time // event time; zero when the line has none
	Host    []byte
	Program []byte
	Message []byte // header stripped
	Rule    string // non-empty: a rule of the rule file claims the line ("category/rule")
	Ignore  bool   // that rule is an ignore rule (otherwise it counts the line)
}

// Classifier parses a raw spool line and matches it against the rule file.
//
// Contract: called from one goroutine, once per line; the slices in the
// result alias line or the classifier's scratch space and are valid until
// the next call. category is the report section the line belongs to ("" if
// unknown). It never fails: an unparseable line comes back with OK false.
type Classifier interface {
	Classify(category string, line []byte) Classified
}

// FileStarter is implemented by a Classifier that wants to know when the
// aggregator moves on to the next input (e.g. to take the year of yearless
// timestamps from the spool file's name).
type FileStarter interface {
	StartFile(src *Source)
}

// HeaderMode says how the syslog header is removed before grouping.
type HeaderMode int

const (
	HeaderAuto HeaderMode = iota // parse every input format (needs a Classifier)
	HeaderCut                    // `cut -c 17-`: drop the first 16 bytes
	HeaderNone                   // group whole lines
)

// Grouping says how masked messages are grouped.
type Grouping int

const (
	GroupTemplates Grouping = iota // Drain-style templates
	GroupExact                     // identical masked lines (sort | uniq -c)
)

// Options configures an Aggregator.
type Options struct {
	Header      HeaderMode
	Grouping    Grouping
	Masker      Masker
	Classifier  Classifier // nil: no rules, and HeaderAuto falls back to the whole line
	Since       time.Time  // zero: unbounded
	Until       time.Time  // zero: unbounded; exclusive
	KeepHost    bool       // keep the host name in the grouped text (HeaderAuto)
	Drain       drain.Config
	MaxExamples int // raw examples kept per group (default 3)
	Seed        *State
	// TrackTimes records each group's first and last event time (for the
	// state file and the text, JSON and HTML reports; not needed by uniq).
	TrackTimes bool
	// SkipOddities does not count binary and invalid-UTF-8 lines (the
	// uniq output does not show those counts).
	SkipOddities bool
	// Assign remembers every line's group for WriteAssignments (a few
	// words per line: the only option whose memory grows with the input).
	Assign bool
}

// group is one row of the ranking.
type group struct {
	program  string
	count    int64
	firstSeq int64 // line number (over the run) of its first line: the tie-breaker
	first    int64 // unix seconds of the earliest / latest event, 0 unknown
	last     int64
	examples []string
	seedKey  string         // state key this group was seeded from
	sub      *drain.Sub     // its template and sub-group
	cluster  *drain.Cluster // sub.Cluster, one load less per line
}

type programDrain struct {
	d      *drain.Drain
	groups []*group // by sub-group ID
	// the program's part of its category's cache: entries of an older
	// generation are gone (a clear without visiting the map), cached
	// counts the live ones
	gen    uint32
	cached int
	// seedKeys: the state key each seeded cluster came from, by cluster
	// ID. Every sub-group of the cluster inherits it: the lines that
	// generalize a seeded template were seen under that key.
	seedKeys map[int]string
}

// category aggregates one report section.
type category struct {
	name                          string
	lines, ignored, claimed       int64
	outOfRange, unparsed          int64
	binary, invalidUTF8, longLine int64
	rules                         map[string]int64
	ruleIgnore                    map[string]bool
	table                         *lineTable       // exact grouping
	tableEx                       map[int][]string // examples by table entry
	groups                        []*group         // template grouping
	drains                        map[string]*programDrain
	// cache maps program and masked message (see cacheKey) to the group
	// Drain gave them: one lookup per repeated line, for every program
	// of the category. At most maxCache live entries per program, plus
	// stale ones (older generations) up to maxCache before a sweep.
	cache map[string]cachedGroup
	stale int
}

type cachedGroup struct {
	g   *group
	pd  *programDrain
	gen uint32
}

// Aggregator counts lines into categories. Not safe for concurrent use.
type Aggregator struct {
	opt     Options
	cats    map[string]*category
	last    *category
	src     *Source
	hseed   maphash.Seed
	seq     int64 // lines added
	article *exactcount.Counter
	buf     []byte
	text    []byte
	keybuf  []byte
	// workers is GOMAXPROCS when the aggregator was made: the fast path
	// keeps one key table per worker, so the count must not follow a
	// GOMAXPROCS changed between two inputs.
	workers int

	assigned []assignment // with Options.Assign, one per line
	lastRule string       // the rule that took the line Add saw last
	display  []byte       // non-nil: the example to show instead of the grouped text
}

// NewAggregator returns an empty aggregator.
func NewAggregator(opt Options) *Aggregator {
	if opt.MaxExamples <= 0 {
		opt.MaxExamples = 3
	}
	return &Aggregator{opt: opt, cats: map[string]*category{}, hseed: maphash.MakeSeed(), workers: runtime.GOMAXPROCS(0)}
}

func (a *Aggregator) category(name string) *category {
	if a.last != nil && a.last.name == name {
		return a.last
	}
	c := a.cats[name]
	if c == nil {
		c = &category{name: name, rules: map[string]int64{}, ruleIgnore: map[string]bool{}, table: newLineTable(a.hseed), tableEx: map[int][]string{}, drains: map[string]*programDrain{}, cache: map[string]cachedGroup{}}
		a.cats[name] = c
		if a.opt.Grouping == GroupTemplates && a.opt.Seed != nil {
			a.seed(c)
		}
	}
	a.last = c
	return c
}

// LongLine is the length above which a line is counted as long (it is
// still grouped whole).
const LongLine = 64 << 10

// GroupRef names the group a line was counted in (zero: the line was
// ignored, claimed by a rule or outside the time range).
type GroupRef struct {
	g *group
	t *lineTable
	i int
}

// Key is the group's current key ("program: template"); templates
// generalize as lines arrive, so ask after the last line.
func (r GroupRef) Key() string {
	if r.t != nil {
		return string(r.t.key(r.i))
	}
	if r.g == nil {
		return ""
	}
	if r.g.program != "" {
		return r.g.program + ": " + r.g.sub.Template()
	}
	return r.g.sub.Template()
}

// Add counts one raw line of source src and returns its group.
func (a *Aggregator) Add(src *Source, line []byte) GroupRef {
	if !a.opt.Assign {
		return a.add(src, line)
	}
	a.lastRule = ""
	ref := a.add(src, line)
	a.assigned = append(a.assigned, assignment{ref: ref, cat: a.last, rule: a.lastRule})
	return ref
}

func (a *Aggregator) add(src *Source, line []byte) GroupRef {
	a.seq++
	a.display = nil
	c := a.category(src.Category)
	c.lines++
	if len(line) > LongLine {
		c.longLine++
	}
	var text, program []byte
	var evt time.Time
	cl := Classified{}
	if a.opt.Classifier != nil {
		if a.src != src {
			a.src = src
			if fs, ok := a.opt.Classifier.(FileStarter); ok {
				fs.StartFile(src)
			}
		}
		cl = a.opt.Classifier.Classify(src.Category, line)
		evt = cl.Time
		if !cl.OK {
			c.unparsed++
		}
	}
	switch a.opt.Header {
	case HeaderCut:
		text = Cut17(line)
	case HeaderNone:
		text = line
	default:
		if cl.OK {
			text = cl.Message
			program = cl.Program
			if a.opt.KeepHost && len(cl.Host) > 0 {
				a.text = append(append(append(a.text[:0], cl.Host...), ' '), cl.Message...)
				text = a.text
			}
		} else if m, ok := InferHeader(line); ok {
			// not syslog, but a header of its own: group the message,
			// show the whole line
			text, a.display = m, line
		} else {
			text = line
		}
	}
	if !a.opt.Since.IsZero() || !a.opt.Until.IsZero() {
		t := evt
		if t.IsZero() {
			t = src.Time
		}
		if !t.IsZero() && (t.Before(a.opt.Since) || !a.opt.Until.IsZero() && !t.Before(a.opt.Until)) {
			c.outOfRange++
			c.lines--
			return GroupRef{}
		}
	}
	if cl.Rule != "" {
		c.rules[cl.Rule]++
		c.ruleIgnore[cl.Rule] = cl.Ignore
		if cl.Ignore {
			c.ignored++
		} else {
			c.claimed++
		}
		if a.opt.Assign {
			a.lastRule = map[bool]string{true: "ignored: ", false: "counted: "}[cl.Ignore] + cl.Rule
		}
		return GroupRef{}
	}
	if !a.opt.SkipOddities && !plainASCII(text) {
		if !utf8.Valid(text) {
			c.invalidUTF8++
		}
		if bytes.IndexByte(text, 0) >= 0 {
			c.binary++
		}
	}
	a.buf = a.opt.Masker.Mask(a.buf, text)
	var ts int64
	if a.opt.TrackTimes {
		if !evt.IsZero() {
			ts = evt.Unix()
		} else if !src.Time.IsZero() {
			ts = src.Time.Unix()
		}
	}
	if a.opt.Grouping == GroupExact {
		return GroupRef{t: c.table, i: a.addExact(c, program, text, ts)}
	}
	return GroupRef{g: a.addTemplate(c, program, text, ts)}
}

func (g *group) seen(ts int64) {
	g.count++
	if ts == 0 {
		return
	}
	if g.first == 0 || ts < g.first {
		g.first = ts
	}
	if ts > g.last {
		g.last = ts
	}
}

func (a *Aggregator) addExact(c *category, program, raw []byte, ts int64) int {
	key := a.buf
	if len(program) > 0 {
		a.keybuf = append(append(append(a.keybuf[:0], program...), ": "...), a.buf...)
		key = a.keybuf
	}
	n := len(c.table.ents)
	i := c.table.add(key, len(program), 1)
	c.table.seen(i, ts)
	if i == n && !a.opt.Masker.Article {
		c.tableEx[i] = []string{exampleText(program, raw)}
	}
	return i
}

func exampleText(program, raw []byte) string {
	if len(raw) > 4096 {
		raw = raw[:4096]
	}
	if len(program) > 0 {
		return string(program) + ": " + string(raw)
	}
	return string(raw)
}

// maxCache bounds the per-program exact-text cache in front of Drain.
const maxCache = 1 << 14

func (a *Aggregator) programDrain(c *category, program string) *programDrain {
	pd := c.drains[program]
	if pd == nil {
		pd = &programDrain{d: drain.New(a.opt.Drain)}
		c.drains[program] = pd
	}
	return pd
}

func (a *Aggregator) addTemplate(c *category, program, raw []byte, ts int64) *group {
	// the program's length first: "a" + "b c" and "a b" + "c" differ
	a.keybuf = binary.AppendUvarint(a.keybuf[:0], uint64(len(program)))
	a.keybuf = append(append(a.keybuf, program...), a.buf...)
	if e, ok := c.cache[string(a.keybuf)]; ok && e.gen == e.pd.gen {
		g := e.g
		if g.count == 0 {
			g.firstSeq = a.seq
		}
		g.cluster.Size++
		a.example(g, program, raw)
		g.seen(ts)
		return g
	}
	pd := c.drains[string(program)]
	if pd == nil {
		pd = a.programDrain(c, string(program))
	}
	sub := pd.d.Add(string(a.buf))
	for len(pd.groups) <= sub.ID {
		pd.groups = append(pd.groups, nil)
	}
	g := pd.groups[sub.ID]
	if g == nil {
		g = &group{program: string(program), sub: sub, cluster: sub.Cluster, seedKey: pd.seedKeys[sub.Cluster.ID]}
		pd.groups[sub.ID] = g
		c.groups = append(c.groups, g)
	}
	if g.count == 0 {
		g.firstSeq = a.seq
	}
	if pd.cached >= maxCache {
		// forget the program's cached texts: a new generation
		pd.gen++
		c.stale += pd.cached
		pd.cached = 0
		if c.stale >= maxCache {
			for k, e := range c.cache {
				if e.gen != e.pd.gen {
					delete(c.cache, k)
				}
			}
			c.stale = 0
		}
	}
	c.cache[string(a.keybuf)] = cachedGroup{g: g, pd: pd, gen: pd.gen}
	pd.cached++
	a.example(g, program, raw)
	g.seen(ts)
	return g
}

func (a *Aggregator) example(g *group, program, raw []byte) {
	if len(g.examples) >= a.opt.MaxExamples {
		return
	}
	if a.display != nil {
		raw = a.display
	}
	if len(raw) > 4096 {
		raw = raw[:4096]
	}
	for _, e := range g.examples {
		// compare before building the string: a group whose lines are
		// all alike never fills its examples and would allocate per line
		if len(program) > 0 {
			if len(e) == len(program)+2+len(raw) && e[:len(program)] == string(program) && e[len(program)+2:] == string(raw) {
				return
			}
		} else if e == string(raw) {
			return
		}
	}
	g.examples = append(g.examples, exampleText(program, raw))
}

// seed loads the templates of an earlier run into the category's Drain
// trees so that the same messages keep the same template keys.
func (a *Aggregator) seed(c *category) {
	sc := a.opt.Seed.Categories[c.name]
	if sc == nil {
		return
	}
	keys := make([]string, 0, len(sc.Templates))
	for key := range sc.Templates {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		t := sc.Templates[key]
		if t.Program == "" && t.Template == "" {
			continue
		}
		pd := a.programDrain(c, t.Program)
		sub := pd.d.Seed(t.Template)
		if pd.seedKeys == nil {
			pd.seedKeys = map[int]string{}
		}
		if _, ok := pd.seedKeys[sub.Cluster.ID]; !ok {
			pd.seedKeys[sub.Cluster.ID] = key
		}
		for len(pd.groups) <= sub.ID {
			pd.groups = append(pd.groups, nil)
		}
		if pd.groups[sub.ID] == nil {
			g := &group{program: t.Program, sub: sub, cluster: sub.Cluster, seedKey: key}
			pd.groups[sub.ID] = g
			c.groups = append(c.groups, g)
		}
	}
}

// plainASCII reports text without bytes >= 0x80 and without NUL, eight
// bytes at a time: such a line is valid UTF-8 and not binary, which spares
// the common line the two separate scans.
func plainASCII(b []byte) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		v := binary.LittleEndian.Uint64(b)
		// v&hi: a byte >= 0x80; (v-lo)&^v&hi: a zero byte
		if (v|(v-lo)&^v)&hi != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c == 0 || c >= 0x80 {
			return false
		}
	}
	return true
}
