package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDirectMatchesGemm checks that the gather-kernel convolution (forward
// with fused bias and ReLU, and weight gradient) gives, bit for bit, what the
// packed gemm followed by biasAct gives, for full and partial tiles and
// column blocks, more than one kc block, and both goroutine splits.
func TestDirectMatchesGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct{ c, h, w, k, f, nb int }{
		{1, 28, 28, 5, 8, 3}, // the cnn preset: full tiles
		{1, 8, 8, 3, 5, 4},   // partial column block
		{1, 9, 11, 3, 13, 2}, // rows of 9: partial halves
		{1, 6, 20, 2, 16, 1}, // two column blocks
		{3, 7, 7, 3, 8, 2},   // weight gradient with channels
	} {
		p := layerPlan{LayerSpec: LayerSpec{Kind: Conv, Filters: tc.f, Kernel: tc.k},
			in: Shape{C: tc.c, H: tc.h, W: tc.w}, out: Shape{C: tc.f, H: tc.h - tc.k + 1, W: tc.w - tc.k + 1}}
		kk := tc.k * tc.k * tc.c
		rows := tc.nb * p.out.H * p.out.W
		in := randSlice(rng, tc.nb*p.in.Size()+slack)[:tc.nb*p.in.Size()]
		w, bias := randSlice(rng, kk*tc.f), randSlice(rng, tc.f)
		dz := randSlice(rng, rows*tc.f+slack)[:rows*tc.f]
		ca := newConvA(p)
		d := newDirect(p, ca, tc.nb, true)
		for _, par := range []bool{false, true} {
			var ws gemmWS
			ws.serial = !par
			if d.fwd {
				want := make([]float32, rows*tc.f)
				ca.in, ca.t = in, false
				ws.gemmSrc(ca, false, rows, tc.f, kk, w, tc.f, want, tc.f, false)
				biasAct(want, bias, ActReLU, false)
				got := make([]float32, rows*tc.f)
				d.forward(got, in, w, bias, true, tc.f, tc.nb, par)
				sameBits(t, "forward", tc, got, want)
			}
			want := make([]float32, kk*tc.f)
			ca.in, ca.t = in, true
			ws.gemmSrc(ca, false, kk, tc.f, rows, dz, tc.f, want, tc.f, false)
			got := make([]float32, kk*tc.f)
			d.weightGrad(got, in, dz, tc.f, tc.nb, par)
			sameBits(t, "weight gradient", tc, got, want)
		}
	}
}

func sameBits(t *testing.T, what string, tc any, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%v %s: element %d = %v, gemm gives %v", tc, what, i, got[i], want[i])
		}
	}
}

// TestMaxPool compares maxPool (with its vector kernel where the CPU has
// one) against a direct reading of its definition, on inputs with ties and
// NaNs, for several channel counts and window sizes.
func TestMaxPool(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct{ c, h, w, s int }{{8, 6, 6, 2}, {16, 5, 7, 2}, {3, 6, 6, 2}, {8, 7, 9, 3}} {
		p := layerPlan{LayerSpec: LayerSpec{Kind: MaxPool, Size: tc.s},
			in: Shape{C: tc.c, H: tc.h, W: tc.w}, out: Shape{C: tc.c, H: tc.h / tc.s, W: tc.w / tc.s}}
		const nb = 3
		in := make([]float32, nb*p.in.Size())
		for i := range in {
			in[i] = float32(rng.IntN(4)) // many ties
			if rng.IntN(50) == 0 {
				in[i] = float32(math.NaN())
			}
		}
		out := make([]float32, nb*p.out.Size())
		amax := make([]int32, len(out))
		maxPool(out, amax, in, nb, p, true)
		for s := 0; s < nb; s++ {
			for oy := 0; oy < p.out.H; oy++ {
				for ox := 0; ox < p.out.W; ox++ {
					for c := 0; c < tc.c; c++ {
						best := -1
						for dy := 0; dy < tc.s; dy++ {
							for dx := 0; dx < tc.s; dx++ {
								k := s*p.in.Size() + ((oy*tc.s+dy)*tc.w+ox*tc.s+dx)*tc.c + c
								if best < 0 || in[k] > in[best] {
									best = k
								}
							}
						}
						o := s*p.out.Size() + (oy*p.out.W+ox)*tc.c + c
						if int(amax[o]) != best || math.Float32bits(out[o]) != math.Float32bits(in[best]) {
							t.Fatalf("%v: output %d = %v at %d, want %v at %d", tc, o, out[o], amax[o], in[best], best)
						}
					}
				}
			}
		}
	}
}
