package aireport

import "github.com/logtally/logtally/internal/exactcount"

// The article's filter, byte for byte (LC_ALL=C):
//
//	cut -c 17- | sed -e 's/port [0-9]* /port PORT /g' \
//	                 -e 's/\[[0-9]*\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g'
//
// The three substitutions run in order, each over the result of the one
// before, exactly as sed applies several -e scripts to one pattern space.
// Note that [0-9]* also matches the empty string: "port  " becomes
// "port PORT ", "[]" becomes "[PID]" and "pid=x" becomes "pid=PIDx".
//
// The masks live in internal/exactcount, whose counting scan applies them
// while it looks for line ends (the --masks article fast path, see
// exact.go); aireport's per-line path (Masker) calls the same function.

// Cut17 returns line without its first 16 bytes, like `LC_ALL=C cut -c 17-`
// (a shorter line becomes empty).
func Cut17(line []byte) []byte {
	if len(line) <= 16 {
		return line[:0]
	}
	return line[16:]
}

// ArticleMask appends line with the article's three sed substitutions
// applied to dst[:0] and returns it; tmp is returned unchanged (kept for
// callers that pass scratch space). One pass instead of sed's three, with
// the same result (see exactcount.MaskArticle): FuzzArticleMask checks it
// against the three passes done with regexp.
func ArticleMask(dst, tmp, line []byte) (out, scratch []byte) {
	return appendArticle(dst[:0], line), tmp
}

// appendArticle appends the masked line to dst.
func appendArticle(dst, line []byte) []byte {
	if _, d := exactcount.MaskArticle(dst, line); len(d) > len(dst) {
		return d // a substitution applied
	}
	return append(dst, line...)
}
