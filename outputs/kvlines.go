package outputs

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/logtally/logtally/internal/filemode"
	"github.com/logtally/logtally/tally"
)

// KVLines writes the same key=value lines the Syslog output sends (see
// AppendKV), one per category per minute, to a writer (a terminal for the
// demo, a pipe for scripts) or to a file opened for append (fsynced, cut
// back after a partial write, reopened by Reopen for logrotate). A minute
// is written with a single Write call.
type KVLines struct {
	w    io.Writer
	name string
	mu   sync.Mutex  // Reopen may come from a signal goroutine
	file *appendFile // nil when writing to w
	buf  []byte
}

// NewKVLines returns an output writing to w; name identifies it in errors.
func NewKVLines(w io.Writer, name string) *KVLines { return &KVLines{w: w, name: name} }

// NewKVFile returns an output appending to the file at path, created with
// perm (0 = 0640) minus the umask. When the file cannot be opened it
// returns the output together with an error wrapping ErrRetrying: the
// output opens the file at a later write.
func NewKVFile(path string, perm os.FileMode) (*KVLines, error) {
	if perm == 0 {
		perm = filemode.Default
	}
	k := &KVLines{name: path, file: &appendFile{output: "kv", path: path, perm: perm}}
	if err := k.file.open(); err != nil {
		return k, fmt.Errorf("%w: %w", ErrRetrying, err)
	}
	return k, nil
}

// Write writes one line per summary.
func (k *KVLines) Write(minute []tally.Summary) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.buf = k.buf[:0]
	for i := range minute {
		k.buf = append(AppendKV(k.buf, &minute[i]), '\n')
	}
	if k.file != nil {
		return k.file.write(k.buf)
	}
	if _, err := k.w.Write(k.buf); err != nil {
		return fmt.Errorf("outputs: kv: write %s: %w", k.name, err)
	}
	return nil
}

// Reopen closes and reopens the file (after logrotate moved it); with a
// writer it does nothing. If reopening fails the next Write tries again.
func (k *KVLines) Reopen() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.file == nil {
		return nil
	}
	return k.file.reopen()
}

// Close closes the file; a writer belongs to the caller.
func (k *KVLines) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.file == nil {
		return nil
	}
	return k.file.close()
}
