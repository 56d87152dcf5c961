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

// gatherKernel is the gather micro-kernel (see kgath12x8 and
// kgathGeneric). pidx must be non-decreasing and non-negative, so that its
// last entry bounds every read of img.
func gatherKernel(k int, img []float32, pidx []int32, off0, off1 int, b []float32, ldb int, c []float32, ldc int, accum bool, bias []float32, relu bool) {
	if !useFMA {
		kgathGeneric(k, img, pidx, off0, off1, b, ldb, c, ldc, accum, bias, relu)
		return
	}
	// Bounds the assembly relies on, checked once per tile.
	_ = img[int(pidx[k-1])+max(off0, off1)+gh-1]
	_ = img[int(pidx[0])+min(off0, off1)]
	_ = b[(k-1)*ldb+gn-1]
	_ = c[(2*gh-1)*ldc+gn-1]
	var bp *float32
	if bias != nil {
		bp = &bias[:gn][0]
	}
	kgath12x8(k, &img[0], &pidx[0], off0, off1, &b[0], ldb, &c[0], ldc, accum, bp, relu)
}

// kgath12x8 is the AVX2/FMA gather micro-kernel: C[i, 0:8] (ldc apart) is
// set to, or with accum incremented by, the sum over p < k of A[i, p] *
// b[p*ldb+j], accumulated from zero with fused multiply-adds in increasing
// p, where A[i, p] = img[pidx[p]+off0+i] for i < 6 and
// img[pidx[p]+off1+i-6] for 6 <= i < 12. k >= 1. Then, if bias is not nil,
// bias[0:8] is added to every row, and if relu, values not above zero
// (NaNs too) become +0, as biasActRange does.
//
//go:noescape
func kgath12x8(k int, img *float32, pidx *int32, off0, off1 int, b *float32, ldb int, c *float32, ldc int, accum bool, bias *float32, relu bool)

// kpool2 is max pooling with 2x2 windows over 8 channels in AVX2: for
// i < n, out[i*ostep+c] (c < 8) is the maximum of in[i*2*step+c+d] for d in
// 0, step, ldw, ldw+step, the first in that order on ties (a later value
// wins only if greater, so NaNs never win), and if amax is not nil
// amax[i*ostep+c] is idx plus the winner's offset in in. n >= 1.
//
//go:noescape
func kpool2(n int, in *float32, idx int, step, ldw int, out *float32, ostep int, amax *int32)

// pool2Row pools n windows of one output row as maxPoolRange does, 8
// channels at a time, when the CPU has AVX2 (reported false otherwise).
// in starts at the window row's first input, idx is its index in the
// batch, out and amax (nil: not recorded) at the row's first output.
func pool2Row(n, C, ldw int, in []float32, idx int, out []float32, amax []int32) bool {
	if !useFMA || C%gn != 0 {
		return false
	}
	// Bounds the assembly relies on.
	_ = in[ldw+(2*n-1)*C+C-1]
	_ = out[(n-1)*C+C-1]
	if amax != nil {
		_ = amax[(n-1)*C+C-1]
	}
	for c := 0; c < C; c += gn {
		var ap *int32
		if amax != nil {
			ap = &amax[c]
		}
		kpool2(n, &in[c], idx+c, C, ldw, &out[c], C, ap)
	}
	return true
}
