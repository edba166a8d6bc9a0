package exactcount

import (
	"os"
	"syscall"
)

// mapFile maps f, a non-empty regular file, for reading; ok is false when
// f is anything else or mapping fails (the caller then reads it).
func mapFile(f *os.File) (data []byte, unmap func(), ok bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || st.Size() > 1<<40 || int64(int(st.Size())) != st.Size() {
		return nil, nil, false
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
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
