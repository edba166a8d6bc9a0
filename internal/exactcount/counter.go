package exactcount

import (
	"context"
	"hash/maphash"
	"os"
	"runtime"
	"sync"
)

// BlockSize is the size of the blocks Count's reader is expected to
// deliver (a hint: the buffers it gets have room for half as much again).
const BlockSize = 1 << 20

// Config says how lines become keys and how many workers count them.
type Config struct {
	// Cut drops the first 16 bytes of every line before masking, like
	// `LC_ALL=C cut -c 17-` (a shorter line becomes empty).
	Cut bool
	// MaxLine is the longest line counted whole (0: 16 MiB); a longer
	// line is cut there. The scan cuts the lines of a mapped file; give
	// the limit the caller's reader cuts lines at, so that a file counts
	// the same mapped or read.
	MaxLine int
	// LongLine: lines longer than this (0: MaxLine) are counted in
	// Stats.Long.
	LongLine int
	// Workers is the number of counting goroutines; 0: GOMAXPROCS when
	// New is called. It does not change afterwards: every key is stored
	// once, in the table of the worker its hash belongs to.
	Workers int
}

// Stats is what Count and CountFile report about one input.
type Stats struct {
	Lines int64 // lines counted
	Long  int64 // of which longer than Config.LongLine
}

// Counter counts the keys of lines, per section. Its methods are not safe
// for concurrent use (each runs its own workers).
type Counter struct {
	cfg      Config
	seed     maphash.Seed
	sections map[string][]*keyTable // one table per worker
	seq      int64                  // bytes counted over all inputs: the next line's position
}

// New returns an empty Counter.
func New(cfg Config) *Counter {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = 16 << 20
	}
	if cfg.LongLine <= 0 {
		cfg.LongLine = cfg.MaxLine
	}
	return &Counter{cfg: cfg, seed: maphash.MakeSeed(), sections: map[string][]*keyTable{}}
}

func (c *Counter) tables(section string) []*keyTable {
	tabs := c.sections[section]
	if tabs == nil {
		for range c.cfg.Workers {
			tabs = append(tabs, newKeyTable(12, c.cfg.Workers))
		}
		c.sections[section] = tabs
	}
	return tabs
}

// run is one input being counted: the workers and the channels between
// them. Any worker takes the next block; a line of another worker's shard
// is copied (hash, position, key) into an outbox that goes to its owner
// when full.
type run struct {
	workers []*shardWorker
	allSent chan struct{}
	sent    sync.WaitGroup
	done    sync.WaitGroup
}

func (c *Counter) start(section string, count func(sw *shardWorker)) *run {
	w := c.cfg.Workers
	tabs := c.tables(section)
	outFree := make(chan []byte, w*(w+inboxLen))
	inboxes := make([]chan []byte, w)
	for i := range inboxes {
		inboxes[i] = make(chan []byte, inboxLen)
	}
	r := &run{workers: make([]*shardWorker, w), allSent: make(chan struct{})}
	for i := range r.workers {
		sw := &shardWorker{id: i, w: w, seed: c.seed, tab: tabs[i], inbox: inboxes[i], peers: inboxes,
			out: make([][]byte, w), free: outFree, cut: c.cfg.Cut, maxLine: c.cfg.MaxLine, longLine: c.cfg.LongLine}
		r.workers[i] = sw
		r.sent.Add(1)
		r.done.Add(1)
		go func() {
			defer r.done.Done()
			count(sw)
			for s, o := range sw.out {
				if len(o) > 0 {
					sw.send(s)
				}
			}
			r.sent.Done()
			for {
				select {
				case m := <-sw.inbox:
					sw.records(m)
				case <-r.allSent:
					for {
						select {
						case m := <-sw.inbox:
							sw.records(m)
						default:
							return
						}
					}
				}
			}
		}()
	}
	go func() { r.sent.Wait(); close(r.allSent) }()
	return r
}

// wait waits for the workers and returns their totals.
func (r *run) wait() Stats {
	r.done.Wait()
	var st Stats
	for _, sw := range r.workers {
		st.Lines += sw.lines
		st.Long += sw.long
	}
	return st
}

// Count counts, in section, the lines of the blocks that read delivers.
// read runs in this goroutine: it takes empty buffers from get, fills
// each with whole lines, every one ending in '\n' (a final line without
// one gets one), and hands it to put, which returns once a worker has
// taken it (or there is room to queue it); a buffer must not be touched
// after put. read's error is returned with the counts of the blocks put
// before it.
func (c *Counter) Count(section string, read func(get func() []byte, put func(block []byte)) error) (Stats, error) {
	w := c.cfg.Workers
	blocks := make(chan seqBlock, w)
	free := make(chan []byte, 2*w+2)
	r := c.start(section, func(sw *shardWorker) {
		for blk := range blocks {
			sw.block(blk)
			select {
			case free <- blk.b[:0]:
			default:
			}
		}
	})
	get := func() []byte {
		select {
		case b := <-free:
			return b
		default:
			return make([]byte, 0, BlockSize+BlockSize/2)
		}
	}
	err := read(get, func(block []byte) {
		if len(block) == 0 {
			return
		}
		blocks <- seqBlock{block, c.seq}
		c.seq += int64(len(block))
	})
	close(blocks)
	return r.wait(), err
}

// CountFile counts, in section, the lines of f (a plain file, read from
// its start) through a memory mapping: every worker takes the next 512 KiB
// of whole lines itself, with no reader goroutine and no copy, and the
// pages it has counted are unmapped again. progress, if not nil, is
// called by the workers (concurrently) with the lines and bytes of each
// part counted. mapped is false, and nothing counted, when f is not a
// non-empty regular file or cannot be mapped: read it with Count instead.
// A file truncated while mapped ends the count with an error, not a
// crash; so does ctx.
func (c *Counter) CountFile(ctx context.Context, section string, f *os.File, progress func(lines, bytes int64)) (st Stats, mapped bool, err error) {
	data, unmap, ok := mapFile(f)
	if !ok {
		return Stats{}, false, nil
	}
	mj := newMapJobs(data, c.seq)
	r := c.start(section, func(sw *shardWorker) { sw.mapped(ctx, mj, progress) })
	st = r.wait()
	unmap()
	c.seq += mj.size
	return st, true, mj.firstErr(f.Name())
}
