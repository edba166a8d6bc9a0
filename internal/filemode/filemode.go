// Package filemode is how summarize and aireport give their files a mode:
// the default for files that carry log text, the --file-mode option's
// parser, and a temp-file constructor that lets the process umask apply.
//
// Log lines carry secrets (a password typed as a user name, a token in a
// URL), so every file derived from them — spool, checkpoint, top-N,
// Prometheus textfile, JSON and key=value summaries, RRD files, reports,
// state — is created with Default unless --file-mode says otherwise, and
// the umask can only narrow it: nothing is chmod-ed wider than the mode
// the kernel gave at creation.
package filemode

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Default is the mode of files that carry log text: owner read-write,
// group read (node_exporter's or a web server's group), nobody else.
const Default os.FileMode = 0o640

// Parse reads a --file-mode value: an octal mode such as 0640 or 600,
// without execute, set-id or sticky bits.
func Parse(s string) (os.FileMode, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0o"), 8, 32)
	if err != nil {
		return 0, fmt.Errorf("file mode %q: want an octal mode such as 0640", s)
	}
	if v&^0o666 != 0 {
		return 0, fmt.Errorf("file mode %q: only read and write bits (at most 0666) are allowed", s)
	}
	if v&0o600 != 0o600 {
		return 0, fmt.Errorf("file mode %q: the owner must be able to read and write (0600)", s)
	}
	return os.FileMode(v), nil
}

// Dir is the directory mode matching a file mode: search (x) where read
// is granted.
func Dir(perm os.FileMode) os.FileMode {
	return perm | (perm&0o444)>>2
}

// CreateTemp creates a new file in dir, named by pattern with the last
// "*" replaced by a random string (as os.CreateTemp), opened for writing
// with mode perm minus the process umask. os.CreateTemp always uses 0600,
// which a later Chmod would have to widen past the umask.
func CreateTemp(dir, pattern string, perm os.FileMode) (*os.File, error) {
	if dir == "" {
		dir = "."
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) && try < 10000 {
			continue
		}
		return f, err
	}
}
