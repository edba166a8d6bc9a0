package omprog

import (
	"bytes"
	"errors"
	"io"
)

// countingReader passes rsyslog's lines through unchanged and records how
// many replies are owed (confirmations without transactions).
type countingReader struct {
	in   io.Reader
	p    *Protocol
	tail bool // the last byte passed on was not a newline
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.in.Read(b)
	if n > 0 {
		r.p.readMessages(bytes.Count(b[:n], nl))
		r.tail = b[n-1] != '\n'
	}
	if err != nil && r.tail {
		// A last line without its newline is still a message the engine
		// counts and acknowledges.
		r.tail = false
		r.p.readMessages(1)
	}
	return n, err
}

var nl = []byte{'\n'}

// maxMarkLine bounds what txReader holds while waiting for a newline: a
// longer partial line cannot be a mark and is passed on as message bytes.
const maxMarkLine = 4096

// txReader removes the transaction marks from rsyslog's lines, answers
// them and records one reply per message line.
type txReader struct {
	in            io.Reader
	p             *Protocol
	begin, commit []byte

	buf  []byte // read from in, not yet examined
	out  []byte // examined, ready for the caller
	long bool   // inside a line already known not to be a mark
	err  error  // sticky error from in
}

func (r *txReader) Read(b []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill(len(b))
	}
	n := copy(b, r.out)
	r.out = r.out[n:]
	return n, nil
}

// fill reads once from in and moves every complete line (and, at EOF, the
// incomplete last one) from buf to out, minus the marks.
func (r *txReader) fill(want int) {
	if cap(r.buf)-len(r.buf) < 512 {
		nb := make([]byte, len(r.buf), max(2*cap(r.buf), want, 4096))
		copy(nb, r.buf)
		r.buf = nb
	}
	n, err := r.in.Read(r.buf[len(r.buf):cap(r.buf)])
	r.buf = r.buf[:len(r.buf)+n]
	out := r.out[:0]
	msgs := 0
	data := r.buf
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if r.long || len(data) > maxMarkLine {
				// Not a mark whatever follows: pass it on now.
				out = append(out, data...)
				r.long = true
				data = nil
			}
			break
		}
		line := data[:i]
		data = data[i+1:]
		if !r.long && (bytes.Equal(line, r.begin) || bytes.Equal(line, r.commit)) {
			if len(out) > 0 || msgs > 0 {
				// Replies for the messages before the mark are owed first.
				r.p.readMessages(msgs)
				msgs = 0
			}
			if merr := r.p.readMark(); merr != nil && err == nil {
				err = merr
			}
			continue
		}
		out = append(out, line...)
		out = append(out, '\n')
		r.long = false
		msgs++
	}
	r.buf = r.buf[:copy(r.buf, data)]
	if err != nil {
		if len(r.buf) > 0 || r.long {
			// The last line had no newline: still a message (unless it
			// is a bare mark, which is answered like any mark).
			if !r.long && (bytes.Equal(r.buf, r.begin) || bytes.Equal(r.buf, r.commit)) {
				_ = r.p.readMark()
			} else {
				out = append(out, r.buf...)
				msgs++
			}
			r.buf = r.buf[:0]
			r.long = false
		}
		if errors.Is(err, io.EOF) {
			err = io.EOF
		}
		r.err = err
	}
	r.p.readMessages(msgs)
	r.out = out
}
