//go:build amd64 && !purego

package nn

// useFMA reports whether the CPU and OS support AVX2 and FMA3, which the
// assembly micro-kernel needs.
var useFMA = detectFMA()

var kernelName = func() string {
	if useFMA {
		return "amd64-avx2-fma"
	}
	return "generic"
}()

func detectFMA() bool {
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}

func microKernel(k int, a, b, c []float32, ldc int, accum bool) {
	if !useFMA {
		kernelGeneric(k, a, b, c, ldc, accum)
		return
	}
	// Bounds the assembly relies on, checked once per tile.
	_ = a[k*mr-1]
	_ = b[k*nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	kern6x16(k, &a[0], &b[0], &c[0], ldc, accum)
}

// kern6x16 is the AVX2/FMA micro-kernel: C[0:6, 0:16] (ldc apart) is set
// to, or with accum incremented by, the sum over p < k of a[p*6+i]*b[p*16+j]
// accumulated from zero with fused multiply-adds in increasing p. k >= 1.
//
//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int, accum bool)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)
