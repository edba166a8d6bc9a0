package aireport

import "unsafe"

// newSlots returns a hash table's slot array of n zero slots, its pages
// already written (see touchPages).
func newSlots[T any](n int) []T {
	s := make([]T, n)
	touchPages(s)
	return s
}

// touchPages writes a zero into every 4 KiB page of s, a fresh slot
// array, before a hash table probes it. Probing reads before it writes,
// and a first read of an untouched page maps the kernel's shared zero
// page; the write that follows then replaces it, which flushes the TLB of
// every CPU running the process (an inter-processor interrupt, costly in a
// VM): 9 % of the CPU time of --masks article at 45 % distinct lines, and
// most of the page-fault time of exact grouping, before this. A first
// write maps the page directly. (keyTable.grow calls it itself: its huge
// page advice must come before the first write.)
func touchPages[T any](s []T) {
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
}
