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
// Otherwise the message starts a new cluster.
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
}

// Default is the configuration measured in docs/aireport.md.
var Default = Config{Depth: 4, SimThreshold: 0.6, MaxChildren: 100}

// Cluster is one template. Tokens changes as the template generalizes; ID
// never does.
type Cluster struct {
	ID     int
	Tokens []string
	Size   int64
}

// glue marks a token that followed the previous one without a space (the
// value after "key=").
const glue = "\x01"

// Template joins the tokens with single spaces (glued tokens without).
func (c *Cluster) Template() string {
	var b strings.Builder
	for i, t := range c.Tokens {
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

// Drain is the clustering state.
type Drain struct {
	cfg      Config
	root     map[int]*node // by token count
	clusters []*Cluster
	toks     []string
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
	return &Drain{cfg: cfg, root: map[int]*node{}}
}

// Clusters returns all clusters, indexed by ID.
func (d *Drain) Clusters() []*Cluster { return d.clusters }

// Add files msg and returns its cluster (whose Size is incremented).
func (d *Drain) Add(msg string) *Cluster {
	d.toks = appendFields(d.toks[:0], msg)
	c := d.match(d.toks)
	if c == nil {
		c = d.insert(d.toks)
	} else {
		for i, t := range c.Tokens {
			if t == d.toks[i] || t == Wildcard {
				continue
			}
			if ok, shape := same(t, d.toks[i]); ok {
				c.Tokens[i] = shape
			} else {
				c.Tokens[i] = wildcardFor(t)
			}
		}
	}
	c.Size++
	return c
}

// Seed adds a known template (from an earlier run) with size 0, so that
// messages of the same kind keep their template across runs.
func (d *Drain) Seed(template string) *Cluster {
	toks := appendFields(nil, template)
	for _, c := range d.leaf(toks, false).clusters {
		if equal(c.Tokens, toks) {
			return c
		}
	}
	return d.insert(toks)
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
					return &node{}
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
			if ok, _ := same(t, m); ok {
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
	c := &Cluster{ID: len(d.clusters), Tokens: make([]string, len(toks))}
	for i, t := range toks {
		c.Tokens[i] = strings.Clone(t)
	}
	d.clusters = append(d.clusters, c)
	n := d.leaf(toks, true)
	n.clusters = append(n.clusters, c)
	return c
}
