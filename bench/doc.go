// Package bench measures logtally against its peers and proves it counts
// what they count.
//
//   - sec_test.go runs the article's SEC configuration (corrected, in
//     asa/article.sec) with the real sec on a generated Cisco ASA log and
//     requires summarize, with examples/asa/rules.yaml, to give the same
//     per-minute numbers and the same urlcount/servercount contents.
//   - peers/ holds two counting jobs, each written three times: for logtally
//     (job.yaml), SEC (job.sec) and mtail (job.mtail), and the
//     high-cardinality job (job-hc.*: a top table by server+path with ~30,000
//     keys a minute); scripts/bench-peers.sh runs the three tools on the same
//     corpus, checks their totals agree (cmd/peertotals) and prints
//     throughput, CPU and memory side by side.
//   - cmd/genrules (internal/benchutil.WriteRules) writes realistic rule files of N rules for
//     the scaling curves, and (MergeRules) merges every example's categories
//     into one file for `make bench` (scripts/bench.sh).
//   - pipeline_bench_test.go benchmarks the engine on the corpus, for pprof:
//     go test ./bench -run '^$' -bench EngineLine/mixed -benchtime 2000000x
//     -cpuprofile cpu.out (a large -benchtime keeps the corpus generation,
//     which the profile includes, small).
//
// The helpers (rule generation, reading summarize's JSON lines output) are in
// internal/benchutil.
package bench
