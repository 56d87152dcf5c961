//go:build amd64 && !purego

#include "textflag.h"

// func tanhBias16(n int, row, b *float32, k *float32)
//
// row[j] = tanh32(row[j] + b[j]) for j < n, 16 lanes at a time (the last
// group masked), with exactly tanh32's float32 operations in its order:
// every branch is computed and the lanes pick theirs, in tanh32's order
// of tests (NaN, |x| < 0.25, |x| > 9.1, else). k is tanhK (the constants,
// rounded to float32 by the Go compiler as in tanh32). n >= 1.
TEXT ·tanhBias16(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ row+8(FP), DI
	MOVQ b+16(FP), SI
	MOVQ k+24(FP), AX
	VBROADCASTSS 0(AX), Z16  // sign-bit mask 0x80000000
	VBROADCASTSS 4(AX), Z17  // abs mask 0x7fffffff
	VBROADCASTSS 8(AX), Z18  // 0.25
	VBROADCASTSS 12(AX), Z19 // 9.1
	VBROADCASTSS 16(AX), Z20 // 1
	VBROADCASTSS 20(AX), Z21 // 2
	VBROADCASTSS 24(AX), Z22 // log2e
	VBROADCASTSS 28(AX), Z23 // 0.5
	VBROADCASTSS 32(AX), Z24 // ln2Hi
	VBROADCASTSS 36(AX), Z25 // ln2Lo
	VPBROADCASTD 40(AX), Z26 // 127

tloop:
	// K1: lanes that exist.
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  tmask
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

tmask:
	KMOVW BX, K1
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VADDPS    Z1, Z0, Z0      // x = row + b
	VANDPS    Z17, Z0, Z1     // a = |x|

	// General lanes: t = 1 - 2/(expSmall(2a)+1), sign of x.
	VADDPS       Z1, Z1, Z2      // y = 2a (exact)
	VMULPS       Z22, Z2, Z3     // y*log2e
	VADDPS       Z23, Z3, Z3     // + 0.5
	VCVTTPS2DQ   Z3, Z4          // k = int32(...)
	VCVTDQ2PS    Z4, Z5          // kf
	VMULPS       Z24, Z5, Z6     // kf*ln2Hi
	VSUBPS       Z6, Z2, Z6      // r = y - kf*ln2Hi
	VMULPS       Z25, Z5, Z7     // kf*ln2Lo
	VSUBPS       Z7, Z6, Z6      // r = r - kf*ln2Lo
	VBROADCASTSS 44(AX), Z7      // 1/720
	VMULPS       Z6, Z7, Z7
	VADDPS.BCST  48(AX), Z7, Z7  // + 1/120
	VMULPS       Z6, Z7, Z7
	VADDPS.BCST  52(AX), Z7, Z7  // + 1/24
	VMULPS       Z6, Z7, Z7
	VADDPS.BCST  56(AX), Z7, Z7  // + 1/6
	VMULPS       Z6, Z7, Z7
	VADDPS       Z23, Z7, Z7     // + 0.5
	VMULPS       Z6, Z7, Z7
	VADDPS       Z20, Z7, Z7     // + 1
	VMULPS       Z6, Z7, Z7
	VADDPS       Z20, Z7, Z7     // + 1: e^r
	VPADDD       Z26, Z4, Z4
	VPSLLD       $23, Z4, Z4     // 2^k
	VMULPS       Z4, Z7, Z7      // e^y
	VADDPS       Z20, Z7, Z7     // e^y + 1
	VDIVPS       Z7, Z21, Z7     // 2/(e^y+1)
	VSUBPS       Z7, Z20, Z7     // t = 1 - 2/(e^y+1)
	VANDPS       Z16, Z0, Z8     // sign of x
	VORPS        Z8, Z7, Z7      // x < 0: -t (t > 0 here)

	// |x| > 9.1: +-1.
	VCMPPS    $0x1e, Z19, Z1, K2 // a > 9.1 (GT_OQ)
	VORPS     Z8, Z20, Z9
	VMOVAPS   Z9, K2, Z7

	// |x| < 0.25: odd Taylor series.
	VCMPPS       $0x11, Z18, Z1, K3 // a < 0.25 (LT_OQ)
	VMULPS       Z0, Z0, Z9         // x2
	VBROADCASTSS 60(AX), Z10        // -1382/155925
	VMULPS       Z9, Z10, Z10
	VADDPS.BCST  64(AX), Z10, Z10   // + 62/2835
	VMULPS       Z9, Z10, Z10
	VADDPS.BCST  68(AX), Z10, Z10   // + -17/315
	VMULPS       Z9, Z10, Z10
	VADDPS.BCST  72(AX), Z10, Z10   // + 2/15
	VMULPS       Z9, Z10, Z10
	VADDPS.BCST  76(AX), Z10, Z10   // + -1/3
	VMULPS       Z9, Z0, Z11        // x*x2
	VMULPS       Z10, Z11, Z11      // *p
	VADDPS       Z11, Z0, Z11       // x + ...
	VMOVAPS      Z11, K3, Z7

	// NaN: x.
	VCMPPS  $0x03, Z1, Z1, K4 // unordered
	VMOVAPS Z0, K4, Z7

	VMOVUPS Z7, K1, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JG      tloop
	VZEROUPPER
	RET
