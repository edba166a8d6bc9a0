package pipeline

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// chunk is a run of whole lines read from the input, stamped with the time
// it arrived. Lines are LF-terminated except possibly the last one at EOF.
type chunk struct {
	data    []byte
	arrived time.Time
	// truncated marks a chunk holding a single line cut at MaxLine bytes;
	// the rest of that line was read and discarded.
	truncated bool
}

// lineReader cuts an io.Reader into chunks of whole lines. Reading happens
// on its own goroutine so that parsing and counting overlap the read
// syscalls; buffers travel back on free for reuse, so steady state
// allocates nothing.
type lineReader struct {
	in      io.Reader
	maxLine int
	bufSize int
	now     func() time.Time
	out     chan<- chunk
	free    chan []byte
}

// run reads until EOF or error and closes out. It returns the read error,
// nil at EOF.
func (r *lineReader) run() error {
	defer close(r.out)
	buf := r.get()
	n := 0 // bytes of buf in use
	discarding := false
	for {
		m, err := r.in.Read(buf[n:cap(buf)])
		if m > 0 {
			buf = buf[:n+m]
			start := 0
			if discarding {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					n = 0
					buf = buf[:0]
					goto readErr
				}
				discarding = false
				start = i + 1
			}
			if last := bytes.LastIndexByte(buf[start:], '\n'); last >= 0 {
				end := start + last + 1
				next := r.get()
				next = append(next[:0], buf[end:]...)
				if end > start {
					buf = buf[:end]
					copy(buf, buf[start:end]) // drop a discarded tail's remainder, if any
					r.out <- chunk{data: buf[:end-start], arrived: r.now()}
				} else {
					r.put(buf)
				}
				buf, n = next, len(next)
			} else {
				// No newline in what remains: keep it, unless the line
				// outgrew the limit — then emit its first maxLine bytes as
				// a truncated line and discard the rest up to the newline.
				copy(buf, buf[start:])
				n = len(buf) - start
				buf = buf[:n]
				if n >= r.maxLine {
					line := append(r.get()[:0], buf[:r.maxLine]...)
					r.out <- chunk{data: line, arrived: r.now(), truncated: true}
					n = 0
					buf = buf[:0]
					discarding = true
				}
			}
		}
	readErr:
		if err != nil {
			if n > 0 && !discarding {
				r.out <- chunk{data: buf[:n], arrived: r.now()}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (r *lineReader) get() []byte {
	select {
	case b := <-r.free:
		return b[:0]
	default:
		return make([]byte, 0, r.bufSize)
	}
}

func (r *lineReader) put(b []byte) {
	if cap(b) != r.bufSize {
		return
	}
	select {
	case r.free <- b:
	default:
	}
}
