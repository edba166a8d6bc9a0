package outputs

import (
	"fmt"
	"io"

	"github.com/logtally/logtally/tally"
)

// KVLines writes the same key=value lines the Syslog output sends (see
// AppendKV), one per category per minute, to a writer: a terminal for the
// demo, a pipe for scripts. A minute is written with a single Write call.
type KVLines struct {
	w    io.Writer
	name string
	buf  []byte
}

// NewKVLines returns an output writing to w; name identifies it in errors.
func NewKVLines(w io.Writer, name string) *KVLines { return &KVLines{w: w, name: name} }

// Write writes one line per summary.
func (k *KVLines) Write(minute []tally.Summary) error {
	k.buf = k.buf[:0]
	for i := range minute {
		k.buf = append(AppendKV(k.buf, &minute[i]), '\n')
	}
	if _, err := k.w.Write(k.buf); err != nil {
		return fmt.Errorf("outputs: kv: write %s: %w", k.name, err)
	}
	return nil
}

// Close does nothing: the writer belongs to the caller.
func (k *KVLines) Close() error { return nil }
