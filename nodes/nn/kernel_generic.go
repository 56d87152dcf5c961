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
