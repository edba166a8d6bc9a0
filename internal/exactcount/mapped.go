package exactcount

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// mapChunk is the share of a mapped file a worker takes at a time.
const mapChunk = 512 << 10

// mapJobs hands out a mapped file (see mapFile) to the shard workers in
// chunks of whole lines: every worker takes the next chunk itself, so
// there is no reader goroutine and no copy.
type mapJobs struct {
	body  []byte // the file up to its last '\n'
	tail  []byte // a final line without '\n', with one added; nil if none
	base  int64  // seq of body[0]
	size  int64  // positions used: len(body) + len(tail)
	nch   int64  // chunks of body
	next  atomic.Int64
	stop  atomic.Bool
	mu    sync.Mutex
	err   error
	fault bool
}

func newMapJobs(data []byte, base int64) *mapJobs {
	mj := &mapJobs{base: base}
	last := bytes.LastIndexByte(data, '\n')
	mj.body = data[:last+1]
	if last+1 < len(data) {
		mj.tail = append(append(make([]byte, 0, len(data)-last), data[last+1:]...), '\n')
	}
	mj.size = int64(len(mj.body) + len(mj.tail))
	mj.nch = (int64(len(mj.body)) + mapChunk - 1) / mapChunk
	return mj
}

// chunk returns the lines of chunk k (k == nch: the tail) and their seq.
func (mj *mapJobs) chunk(k int64) ([]byte, int64) {
	if k == mj.nch {
		return mj.tail, mj.base + int64(len(mj.body))
	}
	b := mj.body
	start := int(k * mapChunk)
	if start > 0 {
		start += bytes.IndexByte(b[start-1:], '\n')
	}
	end := int(min((k+1)*mapChunk, int64(len(b))))
	if end < len(b) {
		end += bytes.IndexByte(b[end-1:], '\n')
	}
	if start >= end {
		return nil, 0
	}
	return b[start:end], mj.base + int64(start)
}

func (mj *mapJobs) fail(err error, fault bool) {
	mj.mu.Lock()
	if mj.err == nil {
		mj.err, mj.fault = err, fault
	}
	mj.mu.Unlock()
	mj.stop.Store(true)
}

func (mj *mapJobs) firstErr(name string) error {
	if mj.err == nil {
		return nil
	}
	if mj.fault {
		return fmt.Errorf("%s: read error (file changed while mapped?): %v", name, mj.err)
	}
	return fmt.Errorf("%s: stopped: %w", name, mj.err)
}

// mapped counts the chunks this worker takes until none is left.
func (sw *shardWorker) mapped(ctx context.Context, mj *mapJobs, progress func(lines, bytes int64)) {
	// a file truncated under the mapping faults: an error, not a crash
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for !mj.stop.Load() {
		k := mj.next.Add(1) - 1
		if k > mj.nch || k == mj.nch && mj.tail == nil {
			return
		}
		if err := ctx.Err(); err != nil {
			mj.fail(err, false)
			return
		}
		b, seq := mj.chunk(k)
		if len(b) == 0 {
			continue
		}
		lines := sw.lines
		if err := sw.safeBlock(seqBlock{b, seq}); err != nil {
			mj.fail(err, true)
			return
		}
		if progress != nil {
			progress(sw.lines-lines, int64(len(b)))
		}
		if k < mj.nch {
			// the chunk's own page-aligned range (its lines may start
			// before it and end after it: those pages fault in again)
			dropPages(mj.body[k*mapChunk : min((k+1)*mapChunk, int64(len(mj.body)))])
		}
	}
}

// safeBlock is block, turning a memory fault into an error.
func (sw *shardWorker) safeBlock(blk seqBlock) (err error) {
	defer func() {
		if r := recover(); r != nil {
			re, ok := r.(runtime.Error)
			if _, addr := r.(interface{ Addr() uintptr }); !ok || !addr {
				panic(r)
			}
			sw.nbatch = 0
			err = re
		}
	}()
	sw.block(blk)
	return nil
}
