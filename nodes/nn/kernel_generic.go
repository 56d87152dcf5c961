//go:build !amd64 || purego

package nn

// kernelName is what Kernel reports.
const kernelName = "generic"

func microKernel(k int, a, b, c []float32, ldc int, accum bool) {
	kernelGeneric(k, a, b, c, ldc, accum)
}

func gatherKernel(k int, img []float32, pidx []int32, off0, off1 int, b []float32, ldb int, c []float32, ldc int, accum bool, bias []float32, relu bool) {
	kgathGeneric(k, img, pidx, off0, off1, b, ldb, c, ldc, accum, bias, relu)
}

// pool2Row reports that no vector pooling kernel exists here.
func pool2Row(n, C, ldw int, in []float32, idx int, out []float32, amax []int32) bool {
	return false
}

// useAVX512 is false: there is no AVX-512 kernel here.
const useAVX512 = false

func kernelImplName() string { return kernelName }

// kz is the strided kernel in portable Go, with kernelGeneric's arithmetic
// per element (see kz12x32 in the amd64 build for the contract); gemmZ
// only calls it where useAVX512 is set, which is never in this build.
func kz(rows, wd, k int, a0, a1 []float32, rs, cs int, b []float32, ldb int, c []float32, ldc int, accum bool) {
	for i := 0; i < rows; i++ {
		a, r := a0, i
		if i >= mr {
			a, r = a1, i-mr
		}
		for j := 0; j < wd; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += float32(a[r*rs+p*cs] * b[p*ldb+j])
			}
			if accum {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

// transposeBlock8 is never called in this build (see packBZ).
func transposeBlock8(dst []float32, ldd int, src []float32, lds int) {
	for j := 0; j < 8; j++ {
		for p := 0; p < 8; p++ {
			dst[p*ldd+j] = src[j*lds+p]
		}
	}
}

// tanhBiasRow reports that no vector tanh exists here.
func tanhBiasRow(row, b []float32) bool { return false }

// actGradVec reports that no vector loop exists here.
func actGradVec(g, y []float32, act Activation) bool { return false }

// colSumsVec reports that no vector loop exists here.
func colSumsVec(db, g []float32) bool { return false }

// sgdStepVec reports that no vector loop exists here.
func sgdStepVec(p, v, g []float32, lr, mu float32) bool { return false }

// biasActRowVec reports that no vector loop exists here.
func biasActRowVec(row, b []float32, relu bool) bool { return false }
