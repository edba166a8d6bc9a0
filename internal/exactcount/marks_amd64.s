#include "textflag.h"

// MARK32(off, reg): reg = the marks of the 32 bytes at off(SI) (Y0),
// with the byte after each in Y1 for the "po" and "pi" tests.
#define MARK32(off, reg) \
	VMOVDQU  off(SI), Y0; \
	VMOVDQU  off+1(SI), Y1; \
	VPCMPEQB Y10, Y0, Y2; \
	VPCMPEQB Y11, Y0, Y3; \
	VPOR     Y3, Y2, Y2; \
	VPCMPEQB Y12, Y0, Y3; \
	VPCMPEQB Y13, Y1, Y4; \
	VPCMPEQB Y14, Y1, Y5; \
	VPOR     Y5, Y4, Y4; \
	VPAND    Y4, Y3, Y3; \
	VPOR     Y3, Y2, Y2; \
	VPMOVMSKB Y2, reg

// func markAVX2(dst *uint64, b *byte, blocks int)
// For each 64-byte block of b: a word with bit j set where byte j is '\n'
// or '[', or is 'p' followed by 'o' or 'i'. Reads one byte past the last
// block.
TEXT ·markAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ blocks+16(FP), CX
	TESTQ CX, CX
	JZ   done
	MOVL $0x0a, AX
	MOVQ AX, X10
	VPBROADCASTB X10, Y10 // '\n'
	MOVL $0x5b, AX
	MOVQ AX, X11
	VPBROADCASTB X11, Y11 // '['
	MOVL $0x70, AX
	MOVQ AX, X12
	VPBROADCASTB X12, Y12 // 'p'
	MOVL $0x6f, AX
	MOVQ AX, X13
	VPBROADCASTB X13, Y13 // 'o'
	MOVL $0x69, AX
	MOVQ AX, X14
	VPBROADCASTB X14, Y14 // 'i'

loop:
	MARK32(0, AX)
	MARK32(32, DX)
	SHLQ $32, DX
	ORQ  DX, AX
	MOVQ AX, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	RET

// func cpuid(eax, ecx uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eax+0(FP), AX
	MOVL ecx+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func xgetbv0() uint32
TEXT ·xgetbv0(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, ret+0(FP)
	RET
