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
	// truncated marks a chunk holding a single line cut at maxLine bytes;
	// the rest of that line was read and discarded.
	truncated bool
}

// lineReader cuts an io.Reader into chunks of whole lines. Reading happens
// on its own goroutine so that parsing and counting overlap the read
// syscalls; buffers travel back through free for reuse, so steady state
// allocates nothing. bufSize must exceed maxLine.
type lineReader struct {
	in      io.Reader
	maxLine int
	bufSize int
	now     func() time.Time
	out     chan<- chunk
	free    chan []byte
	// sink, when set, receives the chunks instead of out, on the reading
	// goroutine (lockstep mode: no hand-off per line). It must not keep a
	// chunk's data after it returns: the reader reuses the buffer.
	sink func(chunk)
}

// run reads until EOF or a read error and closes out (also with a sink:
// the close tells the loop that the input ended). It returns the read
// error, nil at EOF.
func (r *lineReader) run() error {
	defer close(r.out)
	buf := r.get()
	discarding := false // inside a too-long line, skipping to its newline
	for {
		n, err := r.in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if discarding {
			if i := bytes.IndexByte(buf, '\n'); i >= 0 {
				buf = buf[:copy(buf, buf[i+1:])]
				discarding = false
			} else {
				buf = buf[:0]
			}
		}
		if !discarding {
			buf, discarding = r.emit(buf)
		}
		if err != nil {
			if len(buf) > 0 && !discarding {
				r.send(chunk{data: buf, arrived: r.now()}) // the last line has no newline
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// emit sends the whole lines at the start of buf and returns a buffer that
// holds the rest. A partial line that reached maxLine is sent truncated, and
// the caller discards the rest of it.
func (r *lineReader) emit(buf []byte) (rest []byte, discard bool) {
	if last := bytes.LastIndexByte(buf, '\n'); last >= 0 {
		if r.sink != nil {
			// The sink is done with the lines when it returns: the tail
			// moves to the front of the same buffer, no hand-back.
			r.sink(chunk{data: buf[:last+1], arrived: r.now()})
			return buf[:copy(buf, buf[last+1:])], false
		}
		next := append(r.get(), buf[last+1:]...)
		r.send(chunk{data: buf[:last+1], arrived: r.now()})
		return next, false
	}
	if len(buf) < r.maxLine {
		return buf, false
	}
	line := append(r.get(), buf[:r.maxLine]...)
	r.send(chunk{data: line, arrived: r.now(), truncated: true})
	if r.sink != nil {
		r.put(line)
	}
	return buf[:0], true
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

func (r *lineReader) send(c chunk) {
	if r.sink != nil {
		r.sink(c)
		return
	}
	r.out <- c
}

// lineCount is how many lines classify will find in c.
func lineCount(c chunk) int {
	if c.truncated {
		return 1
	}
	n := bytes.Count(c.data, []byte{'\n'})
	if len(c.data) > 0 && c.data[len(c.data)-1] != '\n' {
		n++ // the last line at EOF has no newline
	}
	return n
}
