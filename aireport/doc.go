// Package aireport builds Marcus Ranum's "artificial ignorance" report from
// the unknown-line spool that summarize writes: lines no rule claimed are
// read back (plain, gzip or zstd), their syslog header stripped, known
// unimportant lines dropped but counted per ignore rule, variable fields
// masked, similar messages grouped (exactly, or into Drain-style templates)
// and ranked by count, most frequent first.
//
// The article's own filter,
//
//	cut -c 17- | sed … | sort | uniq -c | sort -rn
//
// is reproduced exactly by the "article" mask mode with exact grouping and
// the "uniq" output format (see ArticleMask and Cut17).
//
// The package does no flag parsing and no wiring: cmd/aireport builds an
// Options, an Aggregator and the inputs, and renders the Report.
package aireport
