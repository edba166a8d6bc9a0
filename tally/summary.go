package tally

import "time"

// Schema is what one category counts each minute. The rules package builds
// it from the rule file; indices into these slices are how the per-line path
// addresses a metric without a map lookup.
type Schema struct {
	Category  string
	Counters  []string       // count: names of plain counters
	Tops      []TopSpec      // top: bounded top-N by key
	Distincts []DistinctSpec // distinct: distinct counts of a key
	Stats     []string       // numeric stats of a captured field
}

// TopSpec configures one top-N table.
type TopSpec struct {
	Name string
	K    int // keys kept; everything else is summed into Other
}

// DistinctSpec configures one distinct counter.
type DistinctSpec struct {
	Name  string
	Exact int // exact counting up to this many keys, HyperLogLog beyond
}

// Summary is one category's closed minute: what every output writes.
type Summary struct {
	Category string
	Minute   time.Time // start of the minute, UTC
	Partial  bool      // emitted before the minute ended (EOF, signal, SIGUSR1)
	// Snapshot marks a preview of a still-open minute (SIGUSR1): the same
	// minute is emitted again when it closes, so a consumer that adds up
	// rows skips snapshots. A partial row that is not a snapshot (end of
	// input, SIGTERM) is the minute's last word from this process.
	Snapshot bool

	Lines   uint64 // lines dispatched to this category
	Matched uint64 // lines a counting rule claimed
	Ignored uint64 // lines an ignore rule claimed
	Unknown uint64 // lines no rule claimed (sent to the unknown spool)
	Late    uint64 // event clock: lines for this category that arrived after their minute closed

	Counters  []Value
	Distincts []Distinct
	Tops      []Top
	Stats     []Stat
}

// Value is a named counter.
type Value struct {
	Name  string
	Value uint64
}

// Distinct is a named distinct count; Exact is false once the HyperLogLog
// estimate took over.
type Distinct struct {
	Name  string
	Value uint64
	Exact bool
}

// Top is one top-N table: Items sorted by count descending, then key
// ascending. Other is the total of everything not in Items, so that the sum
// of Items' counts plus Other is Total.
type Top struct {
	Name  string
	Items []KeyCount
	Other uint64
	Total uint64
}

// KeyCount is one row of a top-N table. With the space-saving algorithm a
// count may overestimate by at most Error.
type KeyCount struct {
	Key   string
	Count uint64
	Error uint64
}

// Stat summarises a numeric field over the minute. Quantiles come from a
// bounded sketch with relative error documented on the sketch type.
type Stat struct {
	Name          string
	Count         uint64
	Sum, Min, Max float64
	Mean          float64
	P50, P95, P99 float64
}
