//go:build amd64 && !purego

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestElemAVX512BitIdentical requires the AVX-512 element-wise loops (bias
// with ReLU or none, ReLU and tanh derivatives, bias-gradient column sums,
// the SGD step) to give the Go loops' bits,
// for every tail length, with zeros of both signs, NaNs, infinities and
// subnormals among the values, and to leave memory past the end alone.
func TestElemAVX512BitIdentical(t *testing.T) {
	needAVX512(t)
	r := rand.New(rand.NewPCG(5, 7))
	val := func() float32 {
		switch r.IntN(10) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return float32(math.NaN())
		case 3:
			return float32(math.Inf(r.IntN(2)*2 - 1))
		case 4:
			return math.Float32frombits(r.Uint32() & 0x807fffff) // subnormal
		}
		return float32(r.NormFloat64())
	}
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = val()
		}
		return v
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: element %d: AVX-512 %#08x, Go %#08x", what, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
			}
		}
	}
	for n := 1; n <= 50; n++ {
		for _, act := range []Activation{ActReLU, ActTanh} {
			g, y := fill(n+3), fill(n)
			want := append([]float32(nil), g...)
			withAVX512(t, false, func() { actGradRange(want[:n], y, act) })
			got := append([]float32(nil), g...)
			withAVX512(t, true, func() { actGradRange(got[:n], y, act) })
			same("actGrad", got, want)
		}
		for _, act := range []Activation{ActNone, ActReLU} {
			row, b := fill(2*n+3), fill(n)
			want := append([]float32(nil), row...)
			withAVX512(t, false, func() { biasActRange(want[:2*n], b, act) })
			got := append([]float32(nil), row...)
			withAVX512(t, true, func() { biasActRange(got[:2*n], b, act) })
			same("biasAct", got, want)
		}
		{
			p, v, g := fill(n+2), fill(n+2), fill(n)
			lr, mu := float32(0.05), float32(0.9)
			step := func(z bool) ([]float32, []float32) {
				pp, vv := append([]float32(nil), p...), append([]float32(nil), v...)
				tr := &Trainer{m: &Model{Params: pp[:n]}, vel: vv[:n], r: &runner{grad: g, serial: true}, lr: lr, mu: mu}
				withAVX512(t, z, tr.update)
				return pp, vv
			}
			wp, wv := step(false)
			gp, gv := step(true)
			same("sgd params", gp, wp)
			same("sgd velocity", gv, wv)
		}
		for _, rows := range []int{1, 2, 7, 33} {
			g := fill(rows * n)
			want := make([]float32, n+2)
			got := append([]float32(nil), want...)
			got[n], got[n+1] = 5, 5
			want[n], want[n+1] = 5, 5
			withAVX512(t, false, func() { colSums(want[:n], g) })
			withAVX512(t, true, func() { colSums(got[:n], g) })
			same("colSums", got, want)
		}
	}
}
