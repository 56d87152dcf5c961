package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemm compares gemm against a float64 reference for shapes that hit
// full tiles, edge tiles, several kc blocks, both parallel split directions
// and all transpositions, with and without accumulation.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {64, 100, 784}, {13, 5, 600}, {2, 300, 70}, {300, 2, 9}, {25, 8, 1000}}
	var ws gemmWS
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					a := randSlice(r, m*k)
					b := randSlice(r, k*n)
					ldc := n + 3
					c := randSlice(r, m*ldc)
					want := make([]float64, m*ldc)
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							want[i*ldc+j] = float64(c[i*ldc+j])
							if j >= n {
								continue
							}
							if !acc {
								want[i*ldc+j] = 0
							}
							for p := 0; p < k; p++ {
								av := a[i*k+p]
								if tA {
									av = a[p*m+i]
								}
								bv := b[p*n+j]
								if tB {
									bv = b[j*k+p]
								}
								want[i*ldc+j] += float64(av) * float64(bv)
							}
						}
					}
					lda, ldb := k, n
					if tA {
						lda = m
					}
					if tB {
						ldb = k
					}
					ws.gemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc, acc)
					for i, w := range want {
						if d := math.Abs(float64(c[i]) - w); d > 1e-5*float64(k+1) {
							t.Fatalf("m,n,k=%d,%d,%d tA=%v tB=%v acc=%v: c[%d]=%v want %v", m, n, k, tA, tB, acc, i, c[i], w)
						}
					}
				}
			}
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}
