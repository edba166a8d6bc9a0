// Package atomicfile replaces files so that a reader sees either the old
// content or the complete new one, never half a file, and the replacement
// survives a crash. The outputs (top-N files, Prometheus textfile), the
// engine's checkpoint and aireport's state and report all write this way.
package atomicfile

import (
	"os"
	"path/filepath"

	"github.com/logtally/logtally/internal/filemode"
)

// Write writes data to path: a temp file in the same directory (named
// ".<base>.tmp<random>", so globs such as *.prom never match it) created
// with perm minus the process umask (never chmod-ed wider), written,
// fsynced, renamed over path; then the directory is fsynced (best effort)
// so the rename survives a crash. On error the temp file is removed and
// path is untouched.
//
// A path that names something other than a regular file or a symlink (a
// device such as /dev/null, a FIFO, a socket) is written in place: renaming
// over it would replace the device node with a file, which as root breaks
// the whole system's /dev/null.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0 {
		return writeInPlace(path, data)
	}
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
	SyncDir(dir)
	return nil
}

// SyncDir fsyncs a directory so a rename or create in it is durable. Some
// filesystems refuse fsync on a directory; that is not an error worth
// failing a write for, so SyncDir reports nothing.
func SyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// writeInPlace writes data to an existing special file without replacing it.
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
