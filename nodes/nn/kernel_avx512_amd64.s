//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 micro-kernels of the strided matrix multiply (see gemmz.go).
// Each output element gets exactly the operations of kern6x16: a running
// sum from +0 of fused multiply-adds A[i,p]*B[p,j] in increasing p, then,
// with accum, C + sum (VADDPS with the sum as first operand, as kern6x16),
// then a store. Only the tile shape and the addressing differ.
//
// A[i, p] is read at a0 + i*rs + p*cs for rows i < 6 and at
// a1 + (i-6)*rs + p*cs for 6 <= i < 12 (rs, cs in elements), so one
// kernel reads a row-major A, its transpose, or a packed panel. B[p, j]
// is read at b + p*ldb + j under a column mask (bit j set: column j
// exists), so columns past the end of B and C are neither read nor
// written. C[i, j] is at c + i*ldc + j.

// ROWS12 sets R8..R11 to the bases of rows 0, 3, 6 and 9, R12 to rs in
// bytes and R13 to cs in bytes.
#define ROWS12 \
	MOVQ a0+8(FP), R8; \
	MOVQ a1+16(FP), R10; \
	MOVQ rs+24(FP), R12; \
	SHLQ $2, R12; \
	MOVQ cs+32(FP), R13; \
	SHLQ $2, R13; \
	LEAQ (R12)(R12*2), AX; \
	LEAQ (R8)(AX*1), R9; \
	LEAQ (R10)(AX*1), R11

// func kz12x32(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)
TEXT ·kz12x32(SB), NOSPLIT, $0-77
	MOVQ k+0(FP), CX
	ROWS12
	MOVQ b+40(FP), DI
	MOVQ ldb+48(FP), SI
	SHLQ $2, SI
	MOVL mask+72(FP), AX
	KMOVW AX, K1
	SHRL $16, AX
	KMOVW AX, K2
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23

z32loop:
	VMOVUPS.Z    (DI), K1, Z24
	VMOVUPS.Z    64(DI), K2, Z25
	VBROADCASTSS (R8), Z26
	VFMADD231PS  Z24, Z26, Z0
	VFMADD231PS  Z25, Z26, Z1
	VBROADCASTSS (R8)(R12*1), Z27
	VFMADD231PS  Z24, Z27, Z2
	VFMADD231PS  Z25, Z27, Z3
	VBROADCASTSS (R8)(R12*2), Z28
	VFMADD231PS  Z24, Z28, Z4
	VFMADD231PS  Z25, Z28, Z5
	VBROADCASTSS (R9), Z29
	VFMADD231PS  Z24, Z29, Z6
	VFMADD231PS  Z25, Z29, Z7
	VBROADCASTSS (R9)(R12*1), Z26
	VFMADD231PS  Z24, Z26, Z8
	VFMADD231PS  Z25, Z26, Z9
	VBROADCASTSS (R9)(R12*2), Z27
	VFMADD231PS  Z24, Z27, Z10
	VFMADD231PS  Z25, Z27, Z11
	VBROADCASTSS (R10), Z28
	VFMADD231PS  Z24, Z28, Z12
	VFMADD231PS  Z25, Z28, Z13
	VBROADCASTSS (R10)(R12*1), Z29
	VFMADD231PS  Z24, Z29, Z14
	VFMADD231PS  Z25, Z29, Z15
	VBROADCASTSS (R10)(R12*2), Z26
	VFMADD231PS  Z24, Z26, Z16
	VFMADD231PS  Z25, Z26, Z17
	VBROADCASTSS (R11), Z27
	VFMADD231PS  Z24, Z27, Z18
	VFMADD231PS  Z25, Z27, Z19
	VBROADCASTSS (R11)(R12*1), Z28
	VFMADD231PS  Z24, Z28, Z20
	VFMADD231PS  Z25, Z28, Z21
	VBROADCASTSS (R11)(R12*2), Z29
	VFMADD231PS  Z24, Z29, Z22
	VFMADD231PS  Z25, Z29, Z23
	ADDQ         R13, R8
	ADDQ         R13, R9
	ADDQ         R13, R10
	ADDQ         R13, R11
	ADDQ         SI, DI
	DECQ         CX
	JNZ          z32loop

	MOVQ    c+56(FP), DX
	MOVQ    ldc+64(FP), BX
	SHLQ    $2, BX
	MOVBLZX accum+76(FP), AX
	TESTQ   AX, AX
	JZ      z32store

#define ACC2(r0, r1) \
	VMOVUPS.Z (DX), K1, Z24; \
	VMOVUPS.Z 64(DX), K2, Z25; \
	VADDPS    Z24, r0, r0; \
	VADDPS    Z25, r1, r1; \
	ADDQ      BX, DX

	ACC2(Z0, Z1)
	ACC2(Z2, Z3)
	ACC2(Z4, Z5)
	ACC2(Z6, Z7)
	ACC2(Z8, Z9)
	ACC2(Z10, Z11)
	ACC2(Z12, Z13)
	ACC2(Z14, Z15)
	ACC2(Z16, Z17)
	ACC2(Z18, Z19)
	ACC2(Z20, Z21)
	ACC2(Z22, Z23)
	MOVQ c+56(FP), DX

z32store:
#define ST2(r0, r1) \
	VMOVUPS r0, K1, (DX); \
	VMOVUPS r1, K2, 64(DX); \
	ADDQ    BX, DX

	ST2(Z0, Z1)
	ST2(Z2, Z3)
	ST2(Z4, Z5)
	ST2(Z6, Z7)
	ST2(Z8, Z9)
	ST2(Z10, Z11)
	ST2(Z12, Z13)
	ST2(Z14, Z15)
	ST2(Z16, Z17)
	ST2(Z18, Z19)
	ST2(Z20, Z21)
	ST2(Z22, Z23)
	VZEROUPPER
	RET

// func kz12x16(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)
TEXT ·kz12x16(SB), NOSPLIT, $0-77
	MOVQ k+0(FP), CX
	ROWS12
	MOVQ b+40(FP), DI
	MOVQ ldb+48(FP), SI
	SHLQ $2, SI
	MOVL mask+72(FP), AX
	KMOVW AX, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11

z16loop:
	VMOVUPS.Z    (DI), K1, Z24
	VBROADCASTSS (R8), Z26
	VFMADD231PS  Z24, Z26, Z0
	VBROADCASTSS (R8)(R12*1), Z27
	VFMADD231PS  Z24, Z27, Z1
	VBROADCASTSS (R8)(R12*2), Z28
	VFMADD231PS  Z24, Z28, Z2
	VBROADCASTSS (R9), Z29
	VFMADD231PS  Z24, Z29, Z3
	VBROADCASTSS (R9)(R12*1), Z26
	VFMADD231PS  Z24, Z26, Z4
	VBROADCASTSS (R9)(R12*2), Z27
	VFMADD231PS  Z24, Z27, Z5
	VBROADCASTSS (R10), Z28
	VFMADD231PS  Z24, Z28, Z6
	VBROADCASTSS (R10)(R12*1), Z29
	VFMADD231PS  Z24, Z29, Z7
	VBROADCASTSS (R10)(R12*2), Z26
	VFMADD231PS  Z24, Z26, Z8
	VBROADCASTSS (R11), Z27
	VFMADD231PS  Z24, Z27, Z9
	VBROADCASTSS (R11)(R12*1), Z28
	VFMADD231PS  Z24, Z28, Z10
	VBROADCASTSS (R11)(R12*2), Z29
	VFMADD231PS  Z24, Z29, Z11
	ADDQ         R13, R8
	ADDQ         R13, R9
	ADDQ         R13, R10
	ADDQ         R13, R11
	ADDQ         SI, DI
	DECQ         CX
	JNZ          z16loop

	MOVQ    c+56(FP), DX
	MOVQ    ldc+64(FP), BX
	SHLQ    $2, BX
	MOVBLZX accum+76(FP), AX
	TESTQ   AX, AX
	JZ      z16store

#define ACC1(r0) \
	VMOVUPS.Z (DX), K1, Z24; \
	VADDPS    Z24, r0, r0; \
	ADDQ      BX, DX

	ACC1(Z0)
	ACC1(Z1)
	ACC1(Z2)
	ACC1(Z3)
	ACC1(Z4)
	ACC1(Z5)
	ACC1(Z6)
	ACC1(Z7)
	ACC1(Z8)
	ACC1(Z9)
	ACC1(Z10)
	ACC1(Z11)
	MOVQ c+56(FP), DX

z16store:
#define ST1(r0) \
	VMOVUPS r0, K1, (DX); \
	ADDQ    BX, DX

	ST1(Z0)
	ST1(Z1)
	ST1(Z2)
	ST1(Z3)
	ST1(Z4)
	ST1(Z5)
	ST1(Z6)
	ST1(Z7)
	ST1(Z8)
	ST1(Z9)
	ST1(Z10)
	ST1(Z11)
	VZEROUPPER
	RET
