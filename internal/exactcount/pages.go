package exactcount

import "unsafe"

// touchPages writes a zero into every 4 KiB page of s, a fresh slot
// array, before a hash table probes it. Probing reads before it writes,
// and a first read of an untouched page maps the kernel's shared zero
// page; the write that follows then replaces it, which flushes the TLB of
// every CPU running the process (an inter-processor interrupt, costly in a
// VM): 9 % of the CPU time of --masks article at 45 % distinct lines
// before this. A first write maps the page directly. (aireport's exact
// grouping table does the same for the same reason; keyTable.grow calls
// it after its huge page advice, which must come before the first write.)
func touchPages[T any](s []T) {
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
}
