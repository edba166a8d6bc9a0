package outputs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/logtally/logtally/internal/filemode"
)

// opError builds the error every output returns:
// "outputs: <output>: <op> <path>: <cause>". A *fs.PathError or
// *os.LinkError cause is unwrapped to its errno so that the message names
// the target path once (not a temp file's name); errors.Is still works.
func opError(output, op, path string, err error) error {
	return fmt.Errorf("outputs: %s: %s %s: %w", output, op, path, bareError(err))
}

func bareError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// WriteFileAtomic writes data to path so that a reader sees either the old
// file or the complete new one: a temp file in the same directory (named
// ".<base>.tmp<random>", so globs such as *.prom never match it) created
// with perm minus the umask (never chmod-ed wider), written, fsynced,
// renamed over path; then the directory is fsynced (best effort) so the
// rename survives a crash.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := filemode.CreateTemp(dir, "."+base+".tmp*", perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir fsyncs a directory so a rename or create in it is durable. Some
// filesystems refuse fsync on a directory; that is not an error worth
// failing an output for.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
