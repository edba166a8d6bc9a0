//go:build !amd64

package exactcount

var hasAVX2 = false // for the tests (see withoutAVX2)

func markBlocks(dst []uint64, b []byte) { markBlocksSWAR(dst, b) }
