// Package exactcount counts identical lines exactly, after the article's
// masks, as fast as this machine allows: it is the engine of
// `aireport --masks article`, which must print exactly what
//
//	LC_ALL=C cut -c 17- | sed -e 's/port [0-9]* /port PORT /g' \
//	    -e 's/\[[0-9]*\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g' | sort | uniq -c | sort -rn
//
// prints, only much faster. Lines in, ranked counts out: a Counter takes
// blocks of whole lines (Count) or a plain file it maps (CountFile), into
// named sections, turns each line into its key (the first 16 bytes cut if
// Config.Cut, then MaskArticle), and Rank returns every key with its count,
// most frequent first, ties by section and then by first appearance.
// It knows nothing of aireport: aireport's exact.go adapts its inputs,
// categories and `uniq -c` output to it.
//
// # Why it is this complicated
//
// `sort` sorts every line; a hash table touches each distinct line once.
// What follows is what took `aireport --masks article` to 10-23 times the
// pipeline's speed on 2 CPUs (1M lines, 81 MB, five runs each:
// 15.5-23.1x with 2 percent distinct lines, 12.1-15.1x with 19 percent,
// 10.8-14.6x with 45 percent; see "Performance" in docs/aireport.md),
// each part measured against the build before it:
//
//   - Hash-partitioned workers (scan.go, counter.go): worker w owns the keys
//     whose hash falls in shard w, so each key is stored once and nothing is
//     merged at the end; a line of another worker's shard goes to its owner
//     in an outbox. A worker counts what its peers sent after every batch,
//     so none waits on a full inbox (CPU use while counting 1.83 -> ~1.95 of
//     2 CPUs).
//   - The scan jumps from stop to stop (marks.go, marks_amd64.s): the
//     '\n', '[' and "po"/"pi" bytes of a block are marked 64 at a time with
//     AVX2 (a portable SWAR fallback elsewhere), and the masks are applied
//     in the same pass that finds the line ends, byte for byte like
//     MaskArticle: about 3 stops per line instead of every byte (the scan's
//     share of the CPU time fell from 30 % to 18-20 %).
//   - The table (keytable.go): 8-byte slots (hash tag, record position) over
//     a block arena whose records hold the count, so a hit costs one slot
//     and one record; no allocation per key and no pointers for the garbage
//     collector. Lines are inserted in batches of 32 whose slots and records
//     are prefetched first (prefetch_amd64.s), so their cache misses
//     overlap.
//   - Memory (mmap_linux.go, mapped.go, pages.go, huge_linux.go): a plain
//     file is mapped and each worker takes the next 512 KiB chunk itself (no
//     reader goroutine, no copy) and unmaps what it has counted; fresh slot
//     arrays are written once per page before they are probed (the
//     zero-page-then-copy faults cost 9 % of the CPU time, system time
//     ~0.19 -> ~0.09 s); arena blocks and grown tables ask for huge pages.
//   - Ranking (rank.go): only keys seen more than once are radix-sorted;
//     a worker reads its lines in order, so the keys seen once come in runs
//     already sorted. The runs are merged while the report is formatted, in
//     4,096-line segments by one goroutine per CPU, with no merged copy
//     (ranking 25 ms -> 7-8 ms at 45 % distinct lines).
//
// Where the time goes at 45 % distinct lines (perf): the scan ~20 %, the
// table ~30 %, page faults for ~80 MB of fresh memory about a fifth, ranking
// and formatting ~10 %. What was tried and did not help is listed in
// docs/aireport.md.
//
// # Tests
//
// Every fast part is checked against a plain one: FuzzArticleScan and
// TestScanEdges count with the scan (mapped and in blocks, both marks,
// small and large line limits) and compare with MaskArticle line by line;
// TestMarks compares the AVX2 and SWAR marks with a byte-at-a-time
// reference; TestCounts compares the ranking with a map and a sort;
// TestMergeRuns, TestRadixSortItems and TestRankWideKeys check the ranking's
// pieces against sorts. MaskArticle itself is checked against three regexp
// passes (FuzzArticleMask in aireport) and against sed, and the whole
// command against the real shell pipeline (TestArticleMatchesShellPipeline
// in cmd/aireport).
package exactcount
