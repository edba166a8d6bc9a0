// Package tally counts a category's lines into per-minute windows and
// reports each closed minute as a Summary: plain counters, top-N tables
// (TopK, space-saving with an exact total, split into parts that may be fed
// by different goroutines), distinct counts (HyperLogLog, or exact while
// small) and numeric statistics (quantiles by DDSketch).
// An Aggregator holds the open minutes of every category and decides, by
// arrival or event clock, when a minute closes; Windows merge (Window.Merge:
// the one merge of per-minute state, for checkpoints and for summaries of
// several instances), and every sketch and the whole Aggregator encode to
// bytes (checkpoints).
//
// tally is one of logtally's four public library packages, with parsers,
// rules and holtwinters: programs outside logtally may import it, and its
// exported API changes only with care. It has no I/O and no goroutines.
package tally
