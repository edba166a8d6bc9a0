package pipeline

import "github.com/logtally/logtally/tally"

// Output receives every category's summary for each closed minute. It is
// defined here, where it is consumed; the outputs and outputs/rrd packages
// implement it.
//
// Contract: the pipeline calls Write from a single goroutine, once per
// closed minute, with all categories of that minute (the slice and its
// contents must not be retained after Write returns; copy what you keep).
// Write must not block counting for long: network outputs buffer a bounded
// backlog with a deadline and count drops. An error names the output and the
// path; the pipeline reports it on stderr and keeps the other outputs going.
// Close flushes what can still be flushed (bounded by a deadline) and
// releases resources; Write is never called after Close.
type Output interface {
	Write(minute []tally.Summary) error
	Close() error
}
