package exactcount

// prefetch asks the CPU to start loading the cache line at addr and
// returns at once. The counting tables touch a slot and a record per line
// in memory far larger than the caches; loading them ahead, a batch at a
// time, overlaps those misses instead of stalling on each in turn (a plain
// load, the portable fallback, stalls once the reorder buffer fills).
//
//go:noescape
func prefetch(addr uintptr)
