//go:build !amd64 || purego

package nn

// kernelName is what Kernel reports.
const kernelName = "generic"

func microKernel(k int, a, b, c []float32, ldc int, accum bool) {
	kernelGeneric(k, a, b, c, ldc, accum)
}
