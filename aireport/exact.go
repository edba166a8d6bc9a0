package aireport

import (
	"bytes"
	"context"
	"io"
	"os"

	"github.com/logtally/logtally/internal/exactcount"
)

// The --masks article fast path: the article's exact counts, counted by
// internal/exactcount (sharded workers over mapped files or blocks of
// lines, the masks applied while scanning for line ends). This file adapts
// aireport's sources, categories and uniq output to it. The Aggregator's
// counter (article) is made by the first input the fast path reads, and
// dropped once Build or the general WriteUniq have settled its counts
// into the categories' tables.

// fastExact reports whether the input may take the fast path (see
// readExact): exact grouping of cut or whole lines, no classifier,
// nothing but the counts needed (the uniq output).
func (a *Aggregator) fastExact() bool {
	o := &a.opt
	return o.Grouping == GroupExact && o.Classifier == nil && !o.TrackTimes && o.SkipOddities &&
		o.Header != HeaderAuto && o.Since.IsZero() && o.Until.IsZero() && o.Masker.Article
}

// readExact counts src with the fast path: a plain file through a memory
// mapping, anything else (compressed, stdin) in blocks read by
// ReadBlocks.
func (a *Aggregator) readExact(ctx context.Context, src *Source, ctr *Counters) (int64, error) {
	if a.article == nil {
		a.article = exactcount.New(exactcount.Config{Cut: a.opt.Header == HeaderCut, MaxLine: MaxLine, LongLine: LongLine, Workers: a.workers})
	}
	c := a.category(src.Category)
	st, err := a.countExact(ctx, src, ctr)
	c.lines += st.Lines
	c.longLine += st.Long
	return st.Lines, err
}

func (a *Aggregator) countExact(ctx context.Context, src *Source, ctr *Counters) (exactcount.Stats, error) {
	if f := openPlain(src); f != nil {
		defer f.Close()
		st, mapped, err := a.article.CountFile(ctx, src.Category, f, func(lines, bytes int64) {
			ctr.Lines.Add(lines)
			ctr.Bytes.Add(bytes)
		})
		if mapped {
			return st, err
		}
	}
	return a.article.Count(src.Category, func(get func() []byte, put func([]byte)) error {
		return ReadBlocks(ctx, *src, ctr, exactcount.BlockSize, get, put)
	})
}

// openPlain opens src for mapping: a named file that is not compressed
// (the magic bytes openSource decompresses by); nil otherwise.
func openPlain(src *Source) *os.File {
	if src.Stdin != nil {
		return nil
	}
	f, err := os.Open(src.Name)
	if err != nil {
		return nil // ReadBlocks reports it
	}
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b || n == 4 && bytes.Equal(head[:], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		f.Close()
		return nil
	}
	return f
}

// onlyExact reports whether all counts are in the fast path's counter
// (none in the categories' tables).
func (a *Aggregator) onlyExact() bool {
	if a.article == nil {
		return false
	}
	for _, c := range a.cats {
		if len(c.table.ents) > 0 {
			return false
		}
	}
	return true
}

// writeUniqExact is WriteUniq for the fast path: ranked and formatted by
// the counter, in parallel, with no per-group objects.
func (a *Aggregator) writeUniqExact(w io.Writer) error {
	return a.article.Rank().Write(w, func(b []byte, count int64, key []byte) []byte {
		b = appendCount(b, count)
		b = append(b, key...)
		return append(b, '\n')
	})
}

// settleExact moves the fast path's counts into the categories' tables
// (in first-appearance order), for Build and the general WriteUniq.
func (a *Aggregator) settleExact() {
	if a.article == nil {
		return
	}
	for name, c := range a.cats {
		a.article.Each(name, func(key []byte, n int64) { c.table.add(key, 0, n) })
	}
	a.article = nil
}
