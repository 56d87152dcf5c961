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
// kernels (kz12x32, kz12x16). They compute every output element with the
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
	const avx512f = 1 << 16
	if ebx7&avx512f == 0 {
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

// kz runs the strided kernel on a tile of 12 rows (all computed) and
// wd <= 32 columns (the rest masked off): see kz12x32. The caller has
// sliced a0, a1, b and c to cover every element read or written; the
// kernel is only called when useAVX512 is set.
func kz(wd, k int, a0, a1 []float32, rs, cs int, b []float32, ldb int, c []float32, ldc int, accum bool) {
	mask := uint32(uint64(1)<<wd - 1)
	if wd > 16 {
		kz12x32(k, &a0[0], &a1[0], rs, cs, &b[0], ldb, &c[0], ldc, mask, accum)
	} else {
		kz12x16(k, &a0[0], &a1[0], rs, cs, &b[0], ldb, &c[0], ldc, mask, accum)
	}
}

// kz12x32 is the AVX-512 strided micro-kernel: for i < 12 and the columns
// j < 32 whose mask bit is set, C[i*ldc+j] is set to, or with accum
// incremented by, the sum over p < k of A(i, p) * b[p*ldb+j], accumulated
// from zero with fused multiply-adds in increasing p, where A(i, p) is
// a0[i*rs+p*cs] for i < 6 and a1[(i-6)*rs+p*cs] otherwise. k >= 1. No
// element of b or c outside the mask is read or written.
//
//go:noescape
func kz12x32(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)

// kz12x16 is kz12x32 for at most 16 columns (the low 16 mask bits).
//
//go:noescape
func kz12x16(k int, a0, a1 *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, mask uint32, accum bool)
