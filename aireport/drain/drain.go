// Package drain groups log messages into templates with the online
// clustering of Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing
// Approach with Fixed Depth Tree", ICWS 2017).
//
// A message is split into whitespace-separated tokens. A fixed-depth tree
// routes it by token count and then by its first Depth-2 tokens (tokens
// holding a digit or a mask placeholder, and tokens beyond MaxChildren siblings, route through a
// wildcard child). In the leaf, the message joins the cluster whose template
// shares the largest fraction of tokens with it, if that fraction reaches
// SimThreshold (a template token matches a message token that is equal,
// or that has the same shape around mask placeholders: "<HEX>:" and
// "<NUM>:"; tokens are split at blanks and after "key="); the template's differing positions then become "<*>".
// Otherwise the message may join a cluster of a few tokens more or less
// whose template it matches once variable-like tokens (placeholders, size
// units, punctuation) are left out: "0 bytes sent" and "1190 bytes
// (<NUM> KB) sent" are one event. Otherwise it starts a new cluster.
//
// Within a cluster, a variable position whose values are a few plain
// words (at most MaxValues different ones, "Started", "Paused") is taken
// as a constant that tells events apart: the cluster's lines are split by
// those words into sub-groups (Sub), each with its own template. A
// position that shows more words than that is a real variable, and the
// sub-groups that differ only there are one group again.
//
// Memory grows with the number of clusters, never with the number of
// messages. A Drain is not safe for concurrent use.
package drain

import (
	"strings"
)

// Wildcard is the template token for a variable position.
const Wildcard = "<*>"

// Config tunes the tree; the zero value is replaced by Default.
type Config struct {
	Depth        int     // tree depth incl. root and length layer; >= 3
	SimThreshold float64 // 0..1, fraction of equal tokens to join a cluster
	MaxChildren  int     // children per inner node before new tokens share "<*>"
	// MaxValues is the most plain words a variable position may take and
	// still split its cluster into sub-groups; negative: never split.
	MaxValues int
	// MaxGap is the most tokens a message may have more or fewer than
	// a cluster's template to join it; negative: lengths must be equal.
	MaxGap int
}

// Default is the configuration measured in docs/aireport.md.
var Default = Config{Depth: 4, SimThreshold: 0.6, MaxChildren: 100, MaxValues: 4, MaxGap: 6}

// maxSubs bounds the sub-groups of one cluster: memory stays bounded by
// the number of templates.
const maxSubs = 32

// splitEvidence is how many lines per word a cluster needs before a
// few-valued position splits it: two lines with "bob" and "eve" say
// nothing, ten do.
const splitEvidence = 2

// Cluster is one template. Tokens changes as the template generalizes; ID
// never does.
type Cluster struct {
	ID     int
	Tokens []string
	Size   int64

	values [][]string // per position: the different words seen, nil once over
	over   []bool     // per position: more than MaxValues words, or a value that is no word
	subs   map[string]*Sub
	d      *Drain
	skip   int // tokens of the template that alignment may leave out
}

// Sub is the part of a cluster whose lines have the same words at the
// cluster's few-valued positions (see the package comment).
type Sub struct {
	ID      int // index in the Drain's sub-groups; never changes
	Cluster *Cluster
	key     []string // per position: the token of the sub's lines ("" unknown)
}

// Template is the cluster's template with the sub's words at the
// positions that split the cluster.
func (s *Sub) Template() string {
	c := s.Cluster
	split := c.splitPositions()
	if len(split) == 0 {
		return c.Template()
	}
	toks := make([]string, len(c.Tokens))
	copy(toks, c.Tokens)
	for _, p := range split {
		if s.key[p] != "" {
			toks[p] = s.key[p]
		}
	}
	return render(toks)
}

// splitPositions are the wildcard positions of the template that took at
// least two and at most MaxValues plain words.
func (c *Cluster) splitPositions() []int {
	var out []int
	for p, t := range c.Tokens {
		if strings.TrimPrefix(t, glue) != Wildcard || c.over[p] || len(c.values[p]) < 2 || c.Size < int64(splitEvidence*len(c.values[p])) {
			continue
		}
		if p > 0 && namesVariable(c.Tokens[p-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// namesVariable reports a token that introduces a value whose words are
// names, not event kinds: "user root", "user=guest", "host alpha".
func namesVariable(t string) bool {
	t = strings.ToLower(strings.TrimRight(strings.TrimPrefix(t, glue), "=:"))
	switch t {
	case "user", "username", "uid", "login", "account", "host", "hostname", "client", "server":
		return true
	}
	return false
}

// plainWord reports a token that reads as a word, not a value: letters,
// '_' and '-' only once placeholders and surrounding punctuation are
// left out ("Started", "user=" glue "root", "dcbf.........<NUM>"), and
// not a unit.
func plainWord(t string) bool {
	t = strings.TrimPrefix(t, glue)
	if strings.HasPrefix(t, "\"") {
		return false
	}
	// one pass, no allocation: placeholders are skipped, punctuation
	// is allowed only before the first and after the last letter
	letters, tail := false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '<' {
			if j := placeholderEnd(t, i); j > 0 {
				i = j - 1
				continue
			}
		}
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' && letters && !tail:
			if tail {
				return false
			}
			letters = true
		case c >= '0' && c <= '9':
			return false
		default:
			if letters {
				tail = true
			}
		}
	}
	return letters
}

// placeholderEnd returns the end of "<NAME>" or "<*>" at t[i], or 0.
func placeholderEnd(t string, i int) int {
	j := i + 1
	for j < len(t) && (t[j] >= 'A' && t[j] <= 'Z' || t[j] == '*') {
		j++
	}
	if j > i+1 && j < len(t) && t[j] == '>' {
		return j + 1
	}
	return 0
}

// stripPlaceholders removes every "<NAME>" and "<*>" from t; found says
// whether there was one.
func stripPlaceholders(t string) (string, bool) {
	if strings.IndexByte(t, '<') < 0 {
		return t, false
	}
	n, found := normalize(t)
	if !found {
		return t, false
	}
	return strings.ReplaceAll(n, Wildcard, ""), true
}

// variableLike reports tokens that may be left out when a message of
// another length is matched against a template: a bracketed placeholder
// ("(<NUM>", "[<IP>]"), a unit of a size or duration ("KB)", "sec"), or
// an identifier-shaped placeholder that repeats in lists ("blk_<NUM>").
// A bare "<NUM>" is not: a different count of numbers is another event.
func variableLike(t string) bool {
	t = strings.TrimPrefix(t, glue)
	rest, found := stripPlaceholders(t)
	word := strings.TrimFunc(rest, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })
	if word == "" {
		return found && strings.ContainsAny(rest, "()[]{}")
	}
	switch word {
	case "B", "KB", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "ms", "us", "ns", "s", "sec", "secs", "min", "mins":
		return true
	}
	return found && strings.HasSuffix(rest, "_") && plainWord(word)
}

// glue marks a token that followed the previous one without a space (the
// value after "key=").
const glue = "\x01"

// Template joins the tokens with single spaces (glued tokens without).
func (c *Cluster) Template() string { return render(c.Tokens) }

func render(toks []string) string {
	var b strings.Builder
	for i, t := range toks {
		if strings.HasPrefix(t, glue) {
			b.WriteString(t[1:])
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// normalize replaces every placeholder ("<IP>", "<*>") in t by "<*>", so
// that "<HEX>:" and "<NUM>:" have the same shape. ok is false when t holds
// no placeholder.
func normalize(t string) (string, bool) {
	if strings.IndexByte(t, '<') < 0 {
		return t, false
	}
	var b strings.Builder
	found := false
	for i := 0; i < len(t); {
		if t[i] == '<' {
			j := i + 1
			for j < len(t) && (t[j] >= 'A' && t[j] <= 'Z' || t[j] == '*') {
				j++
			}
			if j > i+1 && j < len(t) && t[j] == '>' {
				b.WriteString(Wildcard)
				i = j + 1
				found = true
				continue
			}
		}
		b.WriteByte(t[i])
		i++
	}
	return b.String(), found
}

// same reports whether template token t matches message token m: equal,
// or the same shape around placeholders. shape is the generalized token
// when they differ only in placeholders.
func same(t, m string) (ok bool, shape string) {
	if t == m {
		return true, t
	}
	nt, okT := normalize(t)
	if !okT {
		return false, ""
	}
	nm, okM := normalize(m)
	if okM && nt == nm {
		return true, nt
	}
	return false, ""
}

// sameShape is same's ok without building the generalized token (no
// allocation): t and m are equal once every placeholder of each is read
// as "<*>", and t holds one (m then does too).
func sameShape(t, m string) bool {
	if t == m {
		return true
	}
	if strings.IndexByte(t, '<') < 0 {
		return false
	}
	found := false
	i, j := 0, 0
	for i < len(t) && j < len(m) {
		if t[i] == '<' || m[j] == '<' {
			pt, pm := 0, 0
			if t[i] == '<' {
				pt = placeholderEnd(t, i)
			}
			if m[j] == '<' {
				pm = placeholderEnd(m, j)
			}
			if pt > 0 || pm > 0 {
				if pt == 0 || pm == 0 {
					return false
				}
				i, j, found = pt, pm, true
				continue
			}
		}
		if t[i] != m[j] {
			return false
		}
		i++
		j++
	}
	return found && i == len(t) && j == len(m)
}

func wildcardFor(t string) string {
	if strings.HasPrefix(t, glue) {
		return glue + Wildcard
	}
	return Wildcard
}

type node struct {
	children map[string]*node
	clusters []*Cluster
}

// emptyNode is the leaf of a path that does not exist (read only).
var emptyNode node

// Drain is the clustering state.
type Drain struct {
	cfg      Config
	root     map[int]*node // by token count
	clusters []*Cluster
	byLen    map[int][]*Cluster
	subs     int
	toks     []string
	keybuf   []byte
	align    []int
	score    []int  // alignment scratch
	move     []byte // alignment scratch
}

// New returns an empty Drain.
func New(cfg Config) *Drain {
	if cfg.Depth < 3 {
		cfg.Depth = Default.Depth
	}
	if cfg.SimThreshold <= 0 {
		cfg.SimThreshold = Default.SimThreshold
	}
	if cfg.MaxChildren <= 0 {
		cfg.MaxChildren = Default.MaxChildren
	}
	if cfg.MaxValues == 0 {
		cfg.MaxValues = Default.MaxValues
	}
	if cfg.MaxGap == 0 {
		cfg.MaxGap = Default.MaxGap
	}
	return &Drain{cfg: cfg, root: map[int]*node{}, byLen: map[int][]*Cluster{}}
}

// Clusters returns all clusters, indexed by ID.
func (d *Drain) Clusters() []*Cluster { return d.clusters }

// Add files msg and returns its sub-group (whose cluster's Size is
// incremented).
func (d *Drain) Add(msg string) *Sub {
	d.toks = appendFields(d.toks[:0], msg)
	c := d.match(d.toks)
	aligned := d.toks
	if c == nil && d.cfg.MaxGap > 0 {
		if c = d.matchOtherLength(d.toks); c != nil {
			aligned = d.alignedTokens(c)
		}
	}
	if c == nil {
		c = d.insert(d.toks)
	} else {
		changed := false
		for i, t := range c.Tokens {
			m := aligned[i]
			if t == m || t == Wildcard {
				continue
			}
			changed = true
			if ok, shape := same(t, m); ok {
				c.Tokens[i] = shape
			} else {
				c.Tokens[i] = wildcardFor(t)
			}
		}
		if changed {
			c.skip = countVariableLike(c.Tokens)
		}
	}
	c.Size++
	return c.sub(aligned)
}

// sub records the tokens of a message at each position of c and returns
// the message's sub-group.
func (c *Cluster) sub(toks []string) *Sub {
	max := c.d.cfg.MaxValues
	if max <= 0 {
		return c.subFor(nil)
	}
	d := c.d
	d.keybuf = d.keybuf[:0]
	for p, t := range toks {
		if !c.over[p] {
			known := false
			for _, v := range c.values[p] {
				if v == t {
					known = true
					break
				}
			}
			switch {
			case known:
			case len(c.values[p]) >= max || !plainWord(t):
				// a fifth word, or a value that is no word: this
				// position never splits the cluster
				c.over[p], c.values[p] = true, nil
			default:
				c.values[p] = append(c.values[p], strings.Clone(t))
			}
		}
		if !c.over[p] {
			d.keybuf = append(d.keybuf, t...)
		}
		d.keybuf = append(d.keybuf, 0)
	}
	if s, ok := c.subs[string(d.keybuf)]; ok {
		return s
	}
	if len(c.subs) >= maxSubs {
		return c.subFor(nil)
	}
	key := make([]string, len(toks))
	for p, t := range toks {
		if !c.over[p] {
			key[p] = c.valueOf(p, t)
		}
	}
	s := &Sub{ID: d.subs, Cluster: c, key: key}
	d.subs++
	c.subs[string(d.keybuf)] = s
	return s
}

// valueOf returns the stored copy of token t at position p (not over).
func (c *Cluster) valueOf(p int, t string) string {
	for _, v := range c.values[p] {
		if v == t {
			return v
		}
	}
	return strings.Clone(t)
}

// subFor returns the sub-group with no words: the whole cluster.
func (c *Cluster) subFor(key []string) *Sub {
	if s, ok := c.subs[""]; ok {
		return s
	}
	if key == nil {
		key = make([]string, len(c.Tokens))
	}
	s := &Sub{ID: c.d.subs, Cluster: c, key: key}
	c.d.subs++
	c.subs[""] = s
	return s
}

// Seed adds a known template (from an earlier run) with size 0, so that
// messages of the same kind keep their template across runs. Its
// wildcard positions never split it into sub-groups: the earlier run
// reported those lines as one group, and splitting them now (more lines,
// more evidence) would report them under new templates, as never seen.
func (d *Drain) Seed(template string) *Sub {
	toks := appendFields(nil, template)
	var c *Cluster
	for _, cand := range d.leaf(toks, false).clusters {
		if equal(cand.Tokens, toks) {
			c = cand
			break
		}
	}
	if c == nil {
		c = d.insert(toks)
	}
	for p, t := range c.Tokens {
		if strings.TrimPrefix(t, glue) == Wildcard {
			c.over[p], c.values[p] = true, nil
		}
	}
	return c.subFor(nil)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// appendFields splits s at blanks, and each word after every "=" that has
// a value behind it ("client=host[<IP>]" -> "client=", glue+"host[<IP>]"),
// so that the value of a key=value pair is a token of its own.
func appendFields(dst []string, s string) []string {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		w := s[i:j]
		first := true
		for len(w) > 0 {
			k := strings.IndexByte(w, '=')
			part := w
			if k >= 0 && k+1 < len(w) {
				part = w[:k+1]
			}
			if first {
				dst = append(dst, part)
				first = false
			} else {
				dst = append(dst, glue+part)
			}
			w = w[len(part):]
		}
		i = j
	}
	return dst
}

// variable reports tokens that route through the wildcard child: tokens
// with a digit (Drain's rule) or with a mask placeholder such as <IP>.
func variable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
		if s[i] == '<' && i+2 < len(s) && (s[i+1] >= 'A' && s[i+1] <= 'Z' || s[i+1] == '*') {
			return true
		}
	}
	return false
}

// leaf walks (create: builds) the path for toks. With create false a
// missing child falls back to the wildcard child; nil when none.
func (d *Drain) leaf(toks []string, create bool) *node {
	n := d.root[len(toks)]
	if n == nil {
		n = &node{children: map[string]*node{}}
		d.root[len(toks)] = n
	}
	depth := d.cfg.Depth - 2
	for i := 0; i < depth && i < len(toks); i++ {
		key := toks[i]
		if variable(key) {
			key = Wildcard
		}
		child := n.children[key]
		if child == nil && key != Wildcard {
			if !create || len(n.children) >= d.cfg.MaxChildren-1 {
				child = n.children[Wildcard]
				key = Wildcard
			}
		}
		if child == nil {
			if !create {
				if key == Wildcard {
					return &emptyNode
				}
			}
			child = &node{children: map[string]*node{}}
			n.children[key] = child
		}
		n = child
	}
	return n
}

func (d *Drain) match(toks []string) *Cluster {
	n := d.leaf(toks, false)
	var best *Cluster
	bestSim, bestParams := -1.0, -1
	for _, c := range n.clusters {
		nsame, params, counted := 0, 0, 0
		for i, t := range c.Tokens {
			m := toks[i]
			if t == Wildcard {
				params++
			}
			counted++
			if t == Wildcard {
				continue
			}
			if sameShape(t, m) {
				nsame++
			}
		}
		sim := 1.0
		if counted > 0 {
			sim = float64(nsame) / float64(counted)
		}
		if sim > bestSim || sim == bestSim && params > bestParams {
			best, bestSim, bestParams = c, sim, params
		}
	}
	if best != nil && bestSim >= d.cfg.SimThreshold {
		return best
	}
	return nil
}

func (d *Drain) insert(toks []string) *Cluster {
	c := &Cluster{ID: len(d.clusters), Tokens: make([]string, len(toks)), d: d,
		values: make([][]string, len(toks)), over: make([]bool, len(toks)), subs: map[string]*Sub{}}
	for i, t := range toks {
		c.Tokens[i] = strings.Clone(t)
	}
	c.skip = countVariableLike(c.Tokens)
	d.clusters = append(d.clusters, c)
	d.byLen[len(toks)] = append(d.byLen[len(toks)], c)
	n := d.leaf(toks, true)
	n.clusters = append(n.clusters, c)
	return c
}

// matchOtherLength looks for a cluster whose template has up to MaxGap
// tokens more or fewer than toks and matches it once variable-like tokens
// on either side are skipped (see alignment). The best similarity wins,
// the smaller length difference first; d.align holds its alignment.
func (d *Drain) matchOtherLength(toks []string) *Cluster {
	var best *Cluster
	bestSim := -1.0
	var bestAlign []int
	skip := -1
	for gap := 1; gap <= d.cfg.MaxGap; gap++ {
		for _, n := range []int{len(toks) - gap, len(toks) + gap} {
			for _, c := range d.byLen[n] {
				// the longer side must have gap tokens it may leave out
				if n < len(toks) {
					if skip < 0 {
						skip = countVariableLike(toks)
					}
					if skip < gap {
						break
					}
				} else if c.skip < gap {
					continue
				}
				sim, al := d.alignment(c.Tokens, toks)
				if al != nil {
					d.align = al
				}
				if al == nil || sim < d.cfg.SimThreshold {
					continue
				}
				if sim > bestSim {
					best, bestSim = c, sim
					bestAlign = append(bestAlign[:0], al...)
				}
			}
		}
	}
	if best != nil {
		d.align = append(d.align[:0], bestAlign...)
	}
	return best
}

// alignedTokens are the message tokens at each position of c's template
// after matchOtherLength (Wildcard where the message has none).
func (d *Drain) alignedTokens(c *Cluster) []string {
	out := make([]string, len(c.Tokens))
	for i, j := range d.align {
		if j < 0 {
			out[i] = wildcardFor(c.Tokens[i])
		} else {
			out[i] = d.toks[j]
		}
	}
	return out
}

// alignment matches template tokens t with message tokens m in order,
// leaving out variable-like tokens on either side, and returns the
// fraction of template positions that hold an equal (non-wildcard) token
// and, for each template position, the message position aligned with it
// (-1: none). nil when the two cannot be aligned that way.
func (d *Drain) alignment(t, m []string) (float64, []int) {
	n, k := len(t), len(m)
	if n == 0 || n*k > 4096 {
		return 0, nil
	}
	const none = -1 << 30
	const (
		pair = iota + 1
		skipT
		skipM
	)
	w := k + 1
	if cap(d.score) < (n+1)*w {
		d.score, d.move = make([]int, (n+1)*w), make([]byte, (n+1)*w)
	}
	score, move := d.score[:(n+1)*w], d.move[:(n+1)*w]
	for i := n; i >= 0; i-- {
		for j := k; j >= 0; j-- {
			if i == n && j == k {
				score[i*w+j] = 0
				continue
			}
			best, mv := none, byte(0)
			if i < n && j < k && strings.HasPrefix(t[i], glue) == strings.HasPrefix(m[j], glue) {
				if v := score[(i+1)*w+j+1]; v != none {
					if sameShape(t[i], m[j]) && strings.TrimPrefix(t[i], glue) != Wildcard {
						v++
					}
					best, mv = v, pair
				}
			}
			if i < n && variableLike(t[i]) {
				if v := score[(i+1)*w+j]; v > best {
					best, mv = v, skipT
				}
			}
			if j < k && variableLike(m[j]) {
				if v := score[i*w+j+1]; v > best {
					best, mv = v, skipM
				}
			}
			score[i*w+j], move[i*w+j] = best, mv
		}
	}
	if score[0] == none {
		return 0, nil
	}
	al := d.align[:0]
	for i, j := 0, 0; i < n || j < k; {
		switch move[i*w+j] {
		case pair:
			al = append(al, j)
			i, j = i+1, j+1
		case skipT:
			al = append(al, -1)
			i++
		default:
			j++
		}
	}
	return float64(score[0]) / float64(n), al
}

func countVariableLike(toks []string) int {
	n := 0
	for _, t := range toks {
		if variableLike(t) {
			n++
		}
	}
	return n
}
