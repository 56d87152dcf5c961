//go:build amd64 && !purego

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withAVX512 runs f with the AVX-512 path switched on or off, restoring it.
func withAVX512(t *testing.T, on bool, f func()) {
	t.Helper()
	old := useAVX512
	useAVX512 = on
	defer func() { useAVX512 = old }()
	f()
}

// needAVX512 skips a test on a CPU (or under COINAI_NN_KERNEL) without the
// AVX-512 path, whose comparison would be the AVX2 path with itself.
func needAVX512(t *testing.T) {
	t.Helper()
	if !useAVX512 {
		t.Skipf("no AVX-512 path here (kernel path %s)", KernelImpl())
	}
}

// pathBits fails unless got and want hold the same float32 bit patterns.
func pathBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d is %v (%#08x) on the AVX-512 path, %v (%#08x) on the AVX2 path", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestGemmAVX512BitIdentical requires the AVX-512 matrix multiply to give
// the AVX2 kernel's bits on shapes with row tails (m not a multiple of 6
// or 12), column tails (n not a multiple of 16 or 32), several kc blocks
// with a short last one, both parallel split directions, serial runs, all
// transpositions and accumulation into C; values include signed zeros,
// subnormal products and cancellations, where a changed order or a lost
// fusion would show.
func TestGemmAVX512BitIdentical(t *testing.T) {
	needAVX512(t)
	r := rand.New(rand.NewPCG(3, 4))
	shapes := [][3]int{{1, 1, 1}, {12, 32, 1}, {13, 33, 257}, {11, 15, 255}, {64, 100, 784}, {64, 784, 100}, {784, 100, 64},
		{5, 17, 513}, {25, 8, 1000}, {300, 2, 9}, {2, 300, 70}, {37, 47, 31}, {12, 16, 256}, {24, 64, 3}, {18, 8, 5}, {23, 24, 20}, {6, 9, 2}}
	val := func() float32 {
		switch r.IntN(8) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return float32(r.NormFloat64()) * 1e-20 // products underflow
		}
		return float32(r.NormFloat64())
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					for _, serial := range []bool{false, true} {
						a := make([]float32, m*k+3)
						b := make([]float32, k*n+5)
						for i := range a {
							a[i] = val()
						}
						for i := range b {
							b[i] = val()
						}
						ldc := n + 3
						c0 := make([]float32, m*ldc)
						for i := range c0 {
							c0[i] = val()
						}
						lda, ldb := k, n
						if tA {
							lda = m
						}
						if tB {
							ldb = k
						}
						want := append([]float32(nil), c0...)
						got := append([]float32(nil), c0...)
						withAVX512(t, false, func() {
							ws := gemmWS{serial: serial}
							ws.gemm(tA, tB, m, n, k, a, lda, b, ldb, want, ldc, acc)
						})
						withAVX512(t, true, func() {
							ws := gemmWS{serial: serial}
							ws.gemm(tA, tB, m, n, k, a, lda, b, ldb, got, ldc, acc)
						})
						pathBits(t, "gemm", got, want)
					}
				}
			}
		}
	}
}

// TestTrainAVX512BitIdentical trains the peer presets and a
// multi-channel convolution (whose products go through the im2col
// source) for a few steps on each path and requires identical weights.
func TestTrainAVX512BitIdentical(t *testing.T) {
	needAVX512(t)
	const n = 200
	x, y := benchData(n)
	for _, spec := range []string{"mlp", "mlp2", "cnn", "conv6x3-relu,conv5x3-relu,pool2,fc37-tanh"} {
		a, err := Preset(spec, 1, 28, 28, 10)
		if err != nil {
			if a, err = ParseArch(spec, 1, 28, 28, 10); err != nil {
				t.Fatal(err)
			}
		}
		var params [2][]float32
		for i, z := range []bool{false, true} {
			withAVX512(t, z, func() {
				m, err := NewModel(a, 7)
				if err != nil {
					t.Fatal(err)
				}
				cfg := DefaultTrainConfig
				cfg.Epochs, cfg.Batch = 1, 27 // a short last batch too
				if _, err := Train(m, x, y, n, cfg); err != nil {
					t.Fatal(err)
				}
				params[i] = m.Params
			})
		}
		pathBits(t, spec, params[1], params[0])
	}
}
