package aireport

import (
	"bytes"
	"os"
	"syscall"
)

// mapFile maps a plain (not compressed), non-empty regular file for
// reading; ok is false when src is anything else or mapping fails (the
// caller then reads it).
func mapFile(src *Source) (data []byte, unmap func(), ok bool) {
	if src.Stdin != nil {
		return nil, nil, false
	}
	f, err := os.Open(src.Name)
	if err != nil {
		return nil, nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || st.Size() > 1<<40 || int64(int(st.Size())) != st.Size() {
		return nil, nil, false
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b ||
		len(data) >= 4 && bytes.Equal(data[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		syscall.Munmap(data)
		return nil, nil, false
	}
	return data, func() { syscall.Munmap(data) }, true
}

// dropPages unmaps the pages of b (part of a file mapping that has been
// counted) so that they do not add up in the resident set; the data stays
// in the page cache, and a later access maps it again.
func dropPages(b []byte) {
	if len(b) > 0 {
		syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}
