package aireport

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Collect reads every source into agg, one after the other. A source that
// fails (unreadable, truncated or corrupt compressed data) is reported in
// its InputResult and the returned errors; the lines it delivered before
// the error stay counted, and the other sources are still read. Sources
// whose spool time plus span lies before since are skipped unread: their
// lines arrived before since, so their events are older still. A spool
// time at or after until says nothing of the lines' own times (a replay,
// a relay's backlog: old events in a new file), so those are read and
// filtered line by line.
func Collect(ctx context.Context, srcs []Source, agg *Aggregator, ctr *Counters, span time.Duration) ([]InputResult, []error) {
	var res []InputResult
	var errs []error
	since := agg.opt.Since
	for i := range srcs {
		src := &srcs[i]
		if !src.Time.IsZero() && !since.IsZero() && span > 0 && src.Time.Add(span).Before(since) {
			continue
		}
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("%s: not read: %w", src.Name, ctx.Err()))
			continue
		}
		var n int64
		var err error
		if agg.parallelOK() && !agg.opt.Assign {
			n, err = agg.readParallel(ctx, src, ctr)
		} else {
			err = ReadLines(ctx, *src, ctr, func(line []byte) {
				n++
				agg.Add(src, line)
			})
		}
		ctr.Files.Add(1)
		in := InputResult{Name: src.Name, Category: src.Category, Lines: n}
		if err != nil {
			in.Error = err.Error()
			errs = append(errs, err)
		}
		res = append(res, in)
	}
	return res, errs
}

// Progress writes a one-line progress meter to w every interval, starting
// after delay, until stop is closed; it closes done when it has returned.
// The caller owns the goroutine that runs it.
func Progress(w io.Writer, ctr *Counters, total int, delay, interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	start := time.Now()
	t := time.NewTimer(delay)
	defer t.Stop()
	shown := false
	for {
		select {
		case <-stop:
			if shown {
				fmt.Fprint(w, "\r\033[K")
			}
			return
		case <-t.C:
			el := time.Since(start).Seconds()
			b := ctr.Bytes.Load()
			fmt.Fprintf(w, "\r\033[Kaireport: %d lines, %.0f MB, %.1f MB/s, file %d/%d",
				ctr.Lines.Load(), float64(b)/1e6, float64(b)/1e6/el, ctr.Files.Load()+1, total)
			shown = true
			t.Reset(interval)
		}
	}
}
