//go:build amd64 && !purego

package nn

import "os"

// kernelEnv names the environment variable that caps the trainer's kernel
// path, for comparing paths on one machine: "avx2" keeps the AVX2/FMA
// kernels on a CPU with AVX-512 (same bits, slower), "generic" uses the
// portable Go kernel (different bits: it names itself "generic" in
// Kernel). Any other value, or none, picks the best path the CPU has.
const kernelEnv = "COINAI_NN_KERNEL"

// useAVX512 reports whether the matrix multiply runs on the AVX-512
// kernels (kz12x32 and its smaller shapes; AVX-512F and VL). They compute every output element with the
// same fused multiply-adds in the same order as the AVX2 kernel, so
// Kernel still reports "amd64-avx2-fma": trained weights do not depend on
// which of the two the CPU has. KernelImpl tells them apart.
var useAVX512 = useFMA && detectAVX512()

func detectAVX512() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f, avx512vl = 1 << 16, 1 << 31
	if ebx7&avx512f == 0 || ebx7&avx512vl == 0 {
		return false
	}
	// XMM, YMM, opmask, upper halves of ZMM0-15 and ZMM16-31 state
	// enabled by the OS.
	xcr0, _ := xgetbv()
	return xcr0&0xe6 == 0xe6
}

func init() {
	switch os.Getenv(kernelEnv) {
	case "avx2":
		useAVX512 = false
	case "generic":
		useAVX512, useFMA, kernelName = false, false, "generic"
	}
}

func kernelImplName() string {
	switch {
	case useAVX512:
		return "amd64-avx512f"
	case useFMA:
		return "amd64-avx2-fma"
	}
	return "generic"
}

// kz runs the strided kernel on a tile of rows (12, or 6: a1 unused)
// rows, all computed, and wd <= 32 columns (the rest masked off): see
// kz12x32. The caller has sliced a0, a1, b and c to cover every element
// read or written; kz is only called when useAVX512 is set.
func kz(rows, wd, k int, a0, a1 []float32, rs, cs int, b []float32, ldb int, c []float32, ldc int, accum bool) {
	mask := uint32(uint64(1)<<wd - 1)
	pa0, pa1, pb, pc := &a0[0], &a1[0], &b[0], &c[0]
	switch {
	case rows == 6 && wd <= 8:
		kz6x8(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	case rows == 6 && wd <= 16:
		kz6x16(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	case rows == 6:
		kz6x32(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	case wd <= 8:
		kz12x8(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	case wd <= 16:
		kz12x16(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	default:
		kz12x32(k, pa0, pa1, rs, cs, pb, ldb, pc, ldc, mask, accum)
	}
}

// kz12x32 is the AVX-512 strided micro-kernel: for i < 12 and the columns
// j < 32 whose mask bit is set, C[i*ldc+j] is set to, or with accum
// incremented by, the sum over p < k of A(i, p) * b[p*ldb+j], accumulated
// from zero with fused multiply-adds in increasing p, where A(i, p) is
// a0[i*rs+p*cs] for i < 6 and a1[(i-6)*rs+p*cs] otherwise. k >= 1. No
// element of b or c outside the mask is read or written. The other kzRxC
// are the same for R rows and the low C bits of mask.
//
//go:noescape
func kz12x32(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

//go:noescape
func kz12x16(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

//go:noescape
func kz12x8(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

//go:noescape
func kz6x32(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

//go:noescape
func kz6x16(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

//go:noescape
func kz6x8(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

// transpose8 sets dst[p*ldd+j] = src[j*lds+p] for j, p < 8 (AVX).
//
//go:noescape
func transpose8(dst *float32, ldd int, src *float32, lds int)

// transposeBlock8 transposes the full 8x8 block at src (see packBZ)
// in registers, after checking the bounds the assembly relies on.
func transposeBlock8(dst []float32, ldd int, src []float32, lds int) {
	_ = dst[7*ldd+7]
	_ = src[7*lds+7]
	transpose8(&dst[0], ldd, &src[0], lds)
}
