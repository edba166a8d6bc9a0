package outputs

import (
	"errors"
	"io"
	"os"
)

// ErrRetrying marks an output that could not open its file at start: the
// constructor returns it together with a working output, which counts on
// and tries again at every write. Under rsyslog an exit would only be a
// restart loop with nothing counted.
var ErrRetrying = errors.New("output not writable yet; retried at every write")

// appendFile is a file opened for append by path, shared by the JSON-lines
// and key=value outputs. It is opened again after a failure or a reopen,
// written one whole buffer at a time, cut back to its previous size after
// a partial write (a full disk) so that it never holds half a line, and
// fsynced when it is a regular file. Not safe for concurrent use.
type appendFile struct {
	output string // "jsonl", "kv": names the output in errors
	path   string
	perm   os.FileMode
	f      *os.File
	noSync bool // not a regular file (a FIFO, /dev/null): no fsync
}

func (a *appendFile) open() error {
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, a.perm)
	if err != nil {
		return opError(a.output, "open", a.path, err)
	}
	a.f = f
	a.noSync = true
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		a.noSync = false
	}
	return nil
}

// write appends b in one write call, opening the file first if needed.
func (a *appendFile) write(b []byte) error {
	if a.f == nil {
		if err := a.open(); err != nil {
			return err
		}
	}
	end := int64(-1)
	if !a.noSync {
		end, _ = a.f.Seek(0, io.SeekEnd)
	}
	if n, err := a.f.Write(b); err != nil {
		if n > 0 && end >= 0 {
			_ = a.f.Truncate(end) // no half line for readers, nor before the next one
		}
		return opError(a.output, "write", a.path, err)
	}
	if !a.noSync {
		if err := a.f.Sync(); err != nil {
			return opError(a.output, "sync", a.path, err)
		}
	}
	return nil
}

// reopen closes the file (logrotate moved it) and opens path again; when
// that fails the next write retries.
func (a *appendFile) reopen() error {
	errClose := a.close()
	return errors.Join(errClose, a.open())
}

func (a *appendFile) close() error {
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	if err != nil {
		return opError(a.output, "close", a.path, err)
	}
	return nil
}
