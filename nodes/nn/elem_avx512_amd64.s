//go:build amd64 && !purego

#include "textflag.h"

// Element-wise loops of the backward pass in AVX-512 lanes, with exactly
// the float32 operations of the Go loops they replace (see
// elem_avx512_amd64.go); the last group of 16 lanes is masked.

// func actGradTanh16(n int, dz, y *float32)
// g[i] *= 1 - y[i]*y[i]
TEXT ·actGradTanh16(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ dz+8(FP), DI
	MOVQ y+16(FP), SI
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z2

tanhloop:
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  lanes0
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

lanes0:
	KMOVW BX, K1
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VMULPS    Z1, Z1, Z1 // y*y
	VSUBPS    Z1, Z2, Z1 // 1 - y*y
	VMULPS    Z1, Z0, Z0 // g * (...)
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JG        tanhloop
	VZEROUPPER
	RET

// func actGradReLU16(n int, dz, y *float32)
// g[i] = 0 unless y[i] > 0 (NaNs too)
TEXT ·actGradReLU16(SB), NOSPLIT, $0-24
	MOVQ   n+0(FP), CX
	MOVQ   dz+8(FP), DI
	MOVQ   y+16(FP), SI
	VPXORD Z2, Z2, Z2

reluloop:
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  lanes1
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

lanes1:
	KMOVW BX, K1
	VMOVUPS.Z (SI), K1, Z1
	VCMPPS    $0x1e, Z2, Z1, K1, K2 // y > 0 (GT_OQ), within the lanes
	KXORW     K2, K1, K3            // lanes to clear
	VMOVUPS   Z2, K3, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JG        reluloop
	VZEROUPPER
	RET

// func colSums16(rows, n int, db, dz *float32)
// db[j] = sum over r < rows of g[r*n+j], from +0 in increasing r. rows >= 1.
TEXT ·colSums16(SB), NOSPLIT, $0-32
	MOVQ rows+0(FP), R9
	MOVQ n+8(FP), CX
	MOVQ db+16(FP), DI
	MOVQ dz+24(FP), SI
	MOVQ CX, R8
	SHLQ $2, R8

colloop:
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  lanes2
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

lanes2:
	KMOVW BX, K1
	VPXORD Z0, Z0, Z0
	MOVQ   SI, DX
	MOVQ   R9, AX

rowloop:
	VMOVUPS.Z (DX), K1, Z1
	VADDPS    Z1, Z0, Z0 // sum + g (db[j] += v)
	ADDQ      R8, DX
	DECQ      AX
	JNZ       rowloop
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JG        colloop
	VZEROUPPER
	RET

// func sgdStep16(n int, p, v, dz *float32, lr, mu float32)
// vi = mu*v[i] + dz[i]; v[i] = vi; p[i] -= lr*vi (each product rounded)
TEXT ·sgdStep16(SB), NOSPLIT, $0-40
	MOVQ         n+0(FP), CX
	MOVQ         p+8(FP), DI
	MOVQ         v+16(FP), SI
	MOVQ         dz+24(FP), DX
	VBROADCASTSS lr+32(FP), Z4
	VBROADCASTSS mu+36(FP), Z5

sgdloop:
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  lanes3
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

lanes3:
	KMOVW     BX, K1
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DX), K1, Z2
	VMOVUPS.Z (DI), K1, Z0
	VMULPS    Z1, Z5, Z1 // mu*v
	VADDPS    Z2, Z1, Z1 // + dz
	VMOVUPS   Z1, K1, (SI)
	VMULPS    Z1, Z4, Z1 // lr*vi
	VSUBPS    Z1, Z0, Z0 // p - lr*vi
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	SUBQ      $16, CX
	JG        sgdloop
	VZEROUPPER
	RET

// func biasAct16(n int, row, b *float32, relu bool)
// row[j] += b[j]; with relu, values not above zero (NaNs too) become +0
TEXT ·biasAct16(SB), NOSPLIT, $0-25
	MOVQ    n+0(FP), CX
	MOVQ    row+8(FP), DI
	MOVQ    b+16(FP), SI
	MOVBLZX relu+24(FP), DX
	VPXORD  Z3, Z3, Z3

baloop:
	MOVL $0xffff, BX
	CMPQ CX, $16
	JGE  lanes4
	MOVL $1, BX
	SHLL CX, BX
	DECL BX

lanes4:
	KMOVW     BX, K1
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VADDPS    Z1, Z0, Z0 // row + b
	TESTQ     DX, DX
	JZ        bastore
	VCMPPS    $0x1e, Z3, Z0, K1, K2 // > 0 (GT_OQ) within the lanes
	VMOVUPS.Z Z0, K2, Z0            // others +0

bastore:
	VMOVUPS Z0, K1, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JG      baloop
	VZEROUPPER
	RET
