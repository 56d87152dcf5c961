//go:build amd64 && !purego

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTanhAVX512BitIdentical requires the AVX-512 tanh of biasAct to give
// tanh32's bits: on every 4099th float32 bit pattern (both signs, zeros,
// subnormals, infinities, NaNs), on every pattern within 4096 ulps of each
// branch boundary (0.25, 9.1) and of the points where exp's reduction
// changes k, and on random sums of row and bias values, with row lengths
// that leave every tail size.
func TestTanhAVX512BitIdentical(t *testing.T) {
	needAVX512(t)
	var xs []float32
	for u := uint64(0); u < 1<<32; u += 4099 {
		xs = append(xs, math.Float32frombits(uint32(u)))
	}
	near := []float32{0, 0.25, 9.1, float32(math.Inf(1)), float32(math.NaN())}
	for k := 1; k < 27; k++ {
		near = append(near, float32((float64(k)-0.5)/math.Log2E/2))
	}
	for _, c := range near {
		for d := int32(-4096); d <= 4096; d++ {
			b := int32(math.Float32bits(c)) + d
			xs = append(xs, math.Float32frombits(uint32(b)), -math.Float32frombits(uint32(b)))
		}
	}
	r := rand.New(rand.NewPCG(9, 9))
	check := func(row, bias []float32) {
		t.Helper()
		want := make([]float32, len(bias))
		for j, bv := range bias {
			want[j] = tanh32(row[j] + bv)
		}
		got := append([]float32(nil), row...)
		if !tanhBiasRow(got, bias) {
			t.Fatal("tanhBiasRow declined on the AVX-512 path")
		}
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("tanh32(%v + %v) (bits %#08x + %#08x): AVX-512 %v (%#08x), Go %v (%#08x)", row[j], bias[j],
					math.Float32bits(row[j]), math.Float32bits(bias[j]), got[j], math.Float32bits(got[j]), want[j], math.Float32bits(want[j]))
			}
		}
		for j := len(bias); j < len(row); j++ {
			if math.Float32bits(got[j]) != math.Float32bits(row[j]) {
				t.Fatalf("element %d past the row's end was written", j)
			}
		}
	}
	// Fixed points: bias zero (x + 0 = x except -0 + 0 = +0; -0 is also
	// reached below with a -0 bias).
	zero := make([]float32, 1024)
	negz := make([]float32, 1024)
	for i := range negz {
		negz[i] = float32(math.Copysign(0, -1))
	}
	for i := 0; i < len(xs); i += 1000 {
		n := min(1000, len(xs)-i)
		row := append(append([]float32(nil), xs[i:i+n]...), 7, 7, 7)
		check(row, zero[:n])
		check(row, negz[:n])
	}
	for n := 1; n <= 70; n++ {
		row := make([]float32, n+5)
		bias := make([]float32, n)
		for j := range row {
			row[j] = float32(r.NormFloat64() * 3)
		}
		for j := range bias {
			bias[j] = float32(r.NormFloat64())
		}
		check(row, bias)
	}
}
