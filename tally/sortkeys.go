package tally

import (
	"bytes"
	"cmp"
	"slices"
)

// sort orders the entries by count descending, then key ascending (the
// Summary order). Closing a minute of a big table sorts tens of thousands
// of keys, most of them with equal counts and long common prefixes
// ("www1.example.com/p/…"), so ties are sorted by a multikey quicksort
// that never re-reads a prefix it already knows to be common.
func (l *entryList) sort() {
	es := l.es
	slices.SortFunc(es, func(a, b topEntry) int { return cmp.Compare(b.count, a.count) })
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].count == es[i].count {
			j++
		}
		l.sortKeys(es[i:j], 0)
		i = j
	}
}

// sortKeys sorts es by key; all their keys agree on their first d bytes
// (Bentley and Sedgewick's multikey quicksort).
func (l *entryList) sortKeys(es []topEntry, d int) {
	for len(es) > 1 {
		if len(es) < 16 {
			slices.SortFunc(es, func(a, b topEntry) int { return bytes.Compare(l.key(&a)[d:], l.key(&b)[d:]) })
			return
		}
		d += l.commonPrefix(es, d) // one pass instead of one per shared byte
		pivot := l.byteAt(&es[len(es)/2], d)
		// Three-way partition on the byte at d: [:lt] <, [lt:gt] ==, [gt:] >.
		lt, i, gt := 0, 0, len(es)
		for i < gt {
			switch c := l.byteAt(&es[i], d); {
			case c < pivot:
				es[lt], es[i] = es[i], es[lt]
				lt++
				i++
			case c > pivot:
				gt--
				es[gt], es[i] = es[i], es[gt]
			default:
				i++
			}
		}
		l.sortKeys(es[:lt], d)
		l.sortKeys(es[gt:], d)
		if pivot < 0 { // the middle run's keys all end at d: they are equal
			return
		}
		es, d = es[lt:gt], d+1
	}
}

// byteAt is the key's byte d, or -1 past its end (a key sorts before its
// extensions).
func (l *entryList) byteAt(e *topEntry, d int) int {
	if uint32(d) < e.n {
		return int(l.arena[e.off+uint32(d)])
	}
	return -1
}

// commonPrefix is how many bytes from d on every key of es shares (keys of
// one server in a URL table share "www1.example.com/p/").
func (l *entryList) commonPrefix(es []topEntry, d int) int {
	first := l.key(&es[0])
	if d >= len(first) {
		return 0
	}
	n := len(first) - d
	for i := 1; i < len(es) && n > 0; i++ {
		k := l.key(&es[i])
		if d >= len(k) {
			return 0
		}
		k, f := k[d:], first[d:d+n]
		m := min(len(k), len(f))
		j := 0
		for j < m && k[j] == f[j] {
			j++
		}
		n = j
	}
	return n
}
