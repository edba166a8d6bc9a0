package exactcount

// markBlocks fills dst[k] with the stops of b[64k:64k+64] (see marks);
// len(b) must be 64*len(dst)+1: a 'p' is marked by the byte after it.
func markBlocks(dst []uint64, b []byte) {
	if !hasAVX2 {
		markBlocksSWAR(dst, b)
		return
	}
	_ = b[len(dst)<<6] // the byte after the last block
	markAVX2(&dst[0], &b[0], len(dst))
}

var hasAVX2 = detectAVX2()

func detectAVX2() bool {
	_, _, c, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if c&osxsave == 0 || c&avx == 0 || xgetbv0()&6 != 6 { // the OS saves the YMM registers
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&(1<<5) != 0
}

//go:noescape
func markAVX2(dst *uint64, b *byte, blocks int)

func cpuid(eax, ecx uint32) (a, b, c, d uint32)

func xgetbv0() uint32
