// Package testfs gives tests a small filesystem they can fill: a tmpfs
// mounted for the test (unmounted at its end), to exercise what a full
// disk does to summarize's outputs with the real kernel behaviour —
// ENOSPC on data, not on creating an empty file.
package testfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Disk is a mounted tmpfs of a fixed size.
type Disk struct {
	Dir    string
	filler string
}

// Mount mounts a tmpfs of size bytes (rounded to pages) on a new
// directory and unmounts it when the test ends. Mounting needs root
// (make test runs as root in CI); without it the test is skipped, saying
// why.
func Mount(t testing.TB, size string) *Disk {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (make test in CI runs as root)")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return &Disk{Dir: dir, filler: filepath.Join(dir, ".filler")}
}

// Fill writes a filler file until the disk refuses more data.
func (d *Disk) Fill(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(d.filler, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			break
		}
	}
	for { // the last partial page, byte by byte
		if _, err := f.Write(buf[:1]); err != nil {
			break
		}
	}
}

// Free removes the filler: space is back.
func (d *Disk) Free(t testing.TB) {
	t.Helper()
	if err := os.Remove(d.filler); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}
