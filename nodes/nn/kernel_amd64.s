//go:build amd64 && !purego

#include "textflag.h"

// func kern6x16(k int, a, b, c *float32, ldc int, accum bool)
TEXT ·kern6x16(SB), NOSPLIT, $0-41
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

loop:
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS (SI), Y2
	VFMADD231PS  Y0, Y2, Y4
	VFMADD231PS  Y1, Y2, Y5
	VBROADCASTSS 4(SI), Y3
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VBROADCASTSS 8(SI), Y2
	VFMADD231PS  Y0, Y2, Y8
	VFMADD231PS  Y1, Y2, Y9
	VBROADCASTSS 12(SI), Y3
	VFMADD231PS  Y0, Y3, Y10
	VFMADD231PS  Y1, Y3, Y11
	VBROADCASTSS 16(SI), Y2
	VFMADD231PS  Y0, Y2, Y12
	VFMADD231PS  Y1, Y2, Y13
	VBROADCASTSS 20(SI), Y3
	VFMADD231PS  Y0, Y3, Y14
	VFMADD231PS  Y1, Y3, Y15
	ADDQ         $24, SI
	ADDQ         $64, DI
	DECQ         CX
	JNZ          loop

	MOVBLZX accum+40(FP), AX
	TESTQ   AX, AX
	JZ      store
	VADDPS  (DX), Y4, Y4
	VADDPS  32(DX), Y5, Y5
	LEAQ    (DX)(R8*1), R9
	VADDPS  (R9), Y6, Y6
	VADDPS  32(R9), Y7, Y7
	ADDQ    R8, R9
	VADDPS  (R9), Y8, Y8
	VADDPS  32(R9), Y9, Y9
	ADDQ    R8, R9
	VADDPS  (R9), Y10, Y10
	VADDPS  32(R9), Y11, Y11
	ADDQ    R8, R9
	VADDPS  (R9), Y12, Y12
	VADDPS  32(R9), Y13, Y13
	ADDQ    R8, R9
	VADDPS  (R9), Y14, Y14
	VADDPS  32(R9), Y15, Y15

store:
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y12, (DX)
	VMOVUPS Y13, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y14, (DX)
	VMOVUPS Y15, 32(DX)
	VZEROUPPER
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func kgath12x8(k int, img *float32, pidx *int32, off0, off1 int, b *float32, ldb int, c *float32, ldc int, accum bool, bias *float32, relu bool)
//
// C[i, 0:8] (ldc apart) = (accum ? C[i, 0:8] : 0) + sum over p < k of
// A[i, p] * b[p*ldb : p*ldb+8], summed from zero with fused multiply-adds in
// increasing p, where A[i, p] = img[pidx[p] + off0 + i] for i < 6 and
// img[pidx[p] + off1 + i - 6] for 6 <= i < 12. k >= 1. Then, if bias is not
// nil, bias[0:8] is added to each row, and if relu, negative values and
// NaNs become +0.
TEXT ·kgath12x8(SB), NOSPLIT, $0-89
	MOVQ k+0(FP), CX
	MOVQ img+8(FP), SI
	MOVQ pidx+16(FP), DX
	MOVQ off0+24(FP), R8
	SHLQ $2, R8
	MOVQ off1+32(FP), R9
	SHLQ $2, R9
	MOVQ b+40(FP), DI
	MOVQ ldb+48(FP), R10
	SHLQ $2, R10
	ADDQ SI, R8
	ADDQ SI, R9
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

gloop:
	MOVLQSX      (DX), AX
	SHLQ         $2, AX
	VMOVUPS      (DI), Y0
	VBROADCASTSS 0(R8)(AX*1), Y1
	VFMADD231PS  Y0, Y1, Y4
	VBROADCASTSS 4(R8)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y5
	VBROADCASTSS 8(R8)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y6
	VBROADCASTSS 12(R8)(AX*1), Y1
	VFMADD231PS  Y0, Y1, Y7
	VBROADCASTSS 16(R8)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y8
	VBROADCASTSS 20(R8)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y9
	VBROADCASTSS 0(R9)(AX*1), Y1
	VFMADD231PS  Y0, Y1, Y10
	VBROADCASTSS 4(R9)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y11
	VBROADCASTSS 8(R9)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y12
	VBROADCASTSS 12(R9)(AX*1), Y1
	VFMADD231PS  Y0, Y1, Y13
	VBROADCASTSS 16(R9)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y14
	VBROADCASTSS 20(R9)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y15
	ADDQ         $4, DX
	ADDQ         R10, DI
	DECQ         CX
	JNZ          gloop

	MOVQ    c+56(FP), DX
	MOVQ    ldc+64(FP), R8
	SHLQ    $2, R8
	MOVBLZX accum+72(FP), AX
	TESTQ   AX, AX
	JZ      gbias
	MOVQ    DX, R9
	VADDPS  (R9), Y4, Y4
	ADDQ    R8, R9
	VADDPS  (R9), Y5, Y5
	ADDQ    R8, R9
	VADDPS  (R9), Y6, Y6
	ADDQ    R8, R9
	VADDPS  (R9), Y7, Y7
	ADDQ    R8, R9
	VADDPS  (R9), Y8, Y8
	ADDQ    R8, R9
	VADDPS  (R9), Y9, Y9
	ADDQ    R8, R9
	VADDPS  (R9), Y10, Y10
	ADDQ    R8, R9
	VADDPS  (R9), Y11, Y11
	ADDQ    R8, R9
	VADDPS  (R9), Y12, Y12
	ADDQ    R8, R9
	VADDPS  (R9), Y13, Y13
	ADDQ    R8, R9
	VADDPS  (R9), Y14, Y14
	ADDQ    R8, R9
	VADDPS  (R9), Y15, Y15

gbias:
	MOVQ    bias+80(FP), AX
	TESTQ   AX, AX
	JZ      grelu
	VMOVUPS (AX), Y0
	VADDPS  Y0, Y4, Y4
	VADDPS  Y0, Y5, Y5
	VADDPS  Y0, Y6, Y6
	VADDPS  Y0, Y7, Y7
	VADDPS  Y0, Y8, Y8
	VADDPS  Y0, Y9, Y9
	VADDPS  Y0, Y10, Y10
	VADDPS  Y0, Y11, Y11
	VADDPS  Y0, Y12, Y12
	VADDPS  Y0, Y13, Y13
	VADDPS  Y0, Y14, Y14
	VADDPS  Y0, Y15, Y15

grelu:
	MOVBLZX relu+88(FP), AX
	TESTQ   AX, AX
	JZ      gstore
	VXORPS  Y0, Y0, Y0
	VMAXPS  Y0, Y4, Y4
	VMAXPS  Y0, Y5, Y5
	VMAXPS  Y0, Y6, Y6
	VMAXPS  Y0, Y7, Y7
	VMAXPS  Y0, Y8, Y8
	VMAXPS  Y0, Y9, Y9
	VMAXPS  Y0, Y10, Y10
	VMAXPS  Y0, Y11, Y11
	VMAXPS  Y0, Y12, Y12
	VMAXPS  Y0, Y13, Y13
	VMAXPS  Y0, Y14, Y14
	VMAXPS  Y0, Y15, Y15

gstore:
	VMOVUPS Y4, (DX)
	ADDQ    R8, DX
	VMOVUPS Y5, (DX)
	ADDQ    R8, DX
	VMOVUPS Y6, (DX)
	ADDQ    R8, DX
	VMOVUPS Y7, (DX)
	ADDQ    R8, DX
	VMOVUPS Y8, (DX)
	ADDQ    R8, DX
	VMOVUPS Y9, (DX)
	ADDQ    R8, DX
	VMOVUPS Y10, (DX)
	ADDQ    R8, DX
	VMOVUPS Y11, (DX)
	ADDQ    R8, DX
	VMOVUPS Y12, (DX)
	ADDQ    R8, DX
	VMOVUPS Y13, (DX)
	ADDQ    R8, DX
	VMOVUPS Y14, (DX)
	ADDQ    R8, DX
	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET

// func kpool2(n int, in *float32, idx int, step, ldw int, out *float32, ostep int, amax *int32)
//
// For i < n: out[i*ostep + c] (c < 8) is the maximum of in[i*2*step + c +
// {0, step, ldw, ldw+step}] (the first in that order on ties; a later value
// wins only if greater), and, if amax is not nil, amax[i*ostep + c] is
// idx + its offset in in. n >= 1.
TEXT ·kpool2(SB), NOSPLIT, $0-64
	MOVQ         n+0(FP), CX
	MOVQ         in+8(FP), SI
	MOVQ         step+24(FP), R8
	MOVQ         ldw+32(FP), R9
	MOVQ         out+40(FP), DI
	MOVQ         ostep+48(FP), R11
	MOVQ         amax+56(FP), BX
	VPBROADCASTD idx+16(FP), Y10
	VPADDD       ·iota8(SB), Y10, Y10
	VPBROADCASTD step+24(FP), Y11
	VPBROADCASTD ldw+32(FP), Y12
	VPADDD       Y11, Y11, Y13
	SHLQ         $2, R8
	SHLQ         $2, R9
	SHLQ         $2, R11
	LEAQ         (R8)(R8*1), R10

ploop:
	VMOVUPS   (SI), Y0
	VMOVDQU   Y10, Y4
	VMOVUPS   (SI)(R8*1), Y1
	VPADDD    Y11, Y10, Y5
	VCMPPS    $0x1e, Y0, Y1, Y6
	VBLENDVPS Y6, Y1, Y0, Y0
	VBLENDVPS Y6, Y5, Y4, Y4
	VMOVUPS   (SI)(R9*1), Y1
	VPADDD    Y12, Y10, Y5
	VCMPPS    $0x1e, Y0, Y1, Y6
	VBLENDVPS Y6, Y1, Y0, Y0
	VBLENDVPS Y6, Y5, Y4, Y4
	LEAQ      (SI)(R9*1), AX
	VMOVUPS   (AX)(R8*1), Y1
	VPADDD    Y11, Y5, Y5
	VCMPPS    $0x1e, Y0, Y1, Y6
	VBLENDVPS Y6, Y1, Y0, Y0
	VBLENDVPS Y6, Y5, Y4, Y4
	VMOVUPS   Y0, (DI)
	TESTQ     BX, BX
	JZ        pnext
	VMOVDQU   Y4, (BX)
	ADDQ      R11, BX

pnext:
	ADDQ   R10, SI
	VPADDD Y13, Y10, Y10
	ADDQ   R11, DI
	DECQ   CX
	JNZ    ploop
	VZEROUPPER
	RET

DATA ·iota8+0(SB)/4, $0
DATA ·iota8+4(SB)/4, $1
DATA ·iota8+8(SB)/4, $2
DATA ·iota8+12(SB)/4, $3
DATA ·iota8+16(SB)/4, $4
DATA ·iota8+20(SB)/4, $5
DATA ·iota8+24(SB)/4, $6
DATA ·iota8+28(SB)/4, $7
GLOBL ·iota8(SB), RODATA|NOPTR, $32
