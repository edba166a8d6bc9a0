package rules

import "math/bits"

// acMaxLit bounds the bytes of a literal that go into the automaton: a
// prefix of a required literal is still required, and long literals only
// add states. A rule whose literal was cut is verified with bytes.Contains
// when nothing else (a regexp) checks it.
const acMaxLit = 24

// ahoCorasick is a byte-based Aho–Corasick automaton compiled to a full
// DFA over byte classes. One pass over a message sets, in a bitset, every
// pattern id (rule index) whose literal occurs in it.
//
// States are renumbered so that every state with outputs has an id >=
// firstOut: the inner loop tests one comparison per byte. Transitions are
// premultiplied by the class count (state*nclass).
type ahoCorasick struct {
	class    [256]uint8
	nclass   int
	trans    []uint32 // premultiplied next state
	firstOut uint32   // premultiplied id of the first state with outputs
	outStart []uint32 // per state (not premultiplied): outputs[outStart[s]:outStart[s+1]]
	outputs  []uint32 // rule indices
}

// newAhoCorasick builds the automaton; lits[i] == "" means pattern i is
// absent. Patterns sharing a literal share a state.
func newAhoCorasick(lits []string) *ahoCorasick {
	ac := &ahoCorasick{}
	// Byte classes: every byte used by some literal gets its own class;
	// all other bytes share class 0 (they always lead back to the root).
	var used [256]bool
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			used[l[i]] = true
		}
	}
	ac.nclass = 1
	for b := range 256 {
		if used[b] {
			ac.class[b] = uint8(ac.nclass)
			ac.nclass++
		}
	}
	if ac.nclass > 256 {
		// All 256 bytes used: class 0 is then a real byte too. Fold the
		// last class into 0 would be wrong, so give up classes.
		for b := range 256 {
			ac.class[b] = uint8(b)
		}
		ac.nclass = 256
	}
	nc := ac.nclass

	// Trie.
	type node struct {
		next []int32 // by class, -1 = none
		out  []uint32
		fail int32
	}
	newNode := func() node {
		n := node{next: make([]int32, nc)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []node{newNode()}
	for id, l := range lits {
		if l == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := ac.class[l[i]]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, uint32(id))
	}
	// BFS: failure links, full transitions, merged outputs.
	queue := make([]int32, 0, len(nodes))
	for c := range nc {
		if t := nodes[0].next[c]; t >= 0 {
			nodes[t].fail = 0
			queue = append(queue, t)
		} else {
			nodes[0].next[c] = 0
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := nodes[s].fail
		if len(nodes[f].out) > 0 {
			nodes[s].out = append(nodes[s].out, nodes[f].out...)
		}
		for c := range nc {
			t := nodes[s].next[c]
			if t >= 0 {
				nodes[t].fail = nodes[f].next[c]
				queue = append(queue, t)
			} else {
				nodes[s].next[c] = nodes[f].next[c]
			}
		}
	}
	// Renumber: states without outputs first.
	newID := make([]uint32, len(nodes))
	n := uint32(0)
	for i := range nodes {
		if len(nodes[i].out) == 0 {
			newID[i] = n
			n++
		}
	}
	ac.firstOut = n * uint32(nc)
	order := make([]int, len(nodes))
	for i := range nodes {
		if len(nodes[i].out) > 0 {
			newID[i] = n
			n++
		}
		order[newID[i]] = i
	}
	ac.trans = make([]uint32, len(nodes)*nc)
	ac.outStart = make([]uint32, len(nodes)+1)
	for ni, old := range order {
		for c := range nc {
			ac.trans[ni*nc+c] = newID[nodes[old].next[c]] * uint32(nc)
		}
		ac.outStart[ni] = uint32(len(ac.outputs))
		ac.outputs = append(ac.outputs, nodes[old].out...)
	}
	ac.outStart[len(nodes)] = uint32(len(ac.outputs))
	return ac
}

// scan ORs into set the bit of every pattern occurring in msg.
func (ac *ahoCorasick) scan(msg []byte, set []uint64) {
	trans, class, first := ac.trans, &ac.class, ac.firstOut
	s := uint32(0)
	for _, b := range msg {
		s = trans[s+uint32(class[b])]
		if s >= first {
			st := s / uint32(ac.nclass)
			for _, id := range ac.outputs[ac.outStart[st]:ac.outStart[st+1]] {
				set[id>>6] |= 1 << (id & 63)
			}
		}
	}
}

// nextBit returns the index of the first set bit >= from, or -1.
func nextBit(set []uint64, from int) int {
	w := from >> 6
	if w >= len(set) {
		return -1
	}
	x := set[w] &^ (1<<(uint(from)&63) - 1)
	for {
		if x != 0 {
			return w<<6 + bits.TrailingZeros64(x)
		}
		w++
		if w >= len(set) {
			return -1
		}
		x = set[w]
	}
}
