package nn

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// meanLoss is the mean cross-entropy of the loaded batch under m's current
// parameters.
func meanLoss(r *runner, y []uint8, nb int) float64 {
	r.forward(nb)
	l, _ := lossGrad(nil, r.acts[len(r.m.plan)], y, nb, r.m.Arch.Classes)
	return l / float64(nb)
}

// TestGradientFiniteDifferences compares backpropagation with central
// differences, in float32 with a step large enough to dominate rounding,
// for every layer kind and activation: conv after conv and after pooling
// (input gradients through both), multi-channel input, dense layers with
// each activation.
func TestGradientFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		arch    string
		c, h, w int
	}{
		{"fc6-sigmoid", 1, 1, 5},
		{"fc6-tanh,fc5-relu", 1, 1, 5},
		{"conv3x3-sigmoid,fc4-tanh", 2, 5, 6},
		{"conv3x3-tanh,pool2,conv2x2-relu", 1, 8, 8},
		{"conv2x2-relu,conv2x3-sigmoid,pool2,fc3-relu", 3, 6, 7},
		{"pool2,conv2x2-tanh", 1, 6, 6},
	} {
		a, err := ParseArch(tc.arch, tc.c, tc.h, tc.w, 3)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(a, 11)
		if err != nil {
			t.Fatal(err)
		}
		const nb = 7
		rng := rand.New(rand.NewPCG(3, 4))
		x := randSlice(rng, nb*tc.c*tc.h*tc.w)
		y := make([]uint8, nb)
		for i := range y {
			y[i] = uint8(rng.IntN(3))
		}
		// Non-zero biases so that ReLUs sit away from their kink.
		for i := range m.Params {
			m.Params[i] += float32(rng.Float64()*0.2 - 0.1)
		}
		r := newRunner(m, nb, true)
		r.load(x, nil, 0, nb)
		r.forward(nb)
		last := len(m.plan)
		lossGrad(r.grads[last], r.acts[last], y, nb, 3)
		r.backward(nb)
		base := kinks(r)
		bad, skipped := 0, 0
		const eps = 1e-3
		for i := range m.Params {
			w := m.Params[i]
			m.Params[i] = w + eps
			lp := meanLoss(r, y, nb)
			kp := kinks(r)
			m.Params[i] = w - eps
			lm := meanLoss(r, y, nb)
			km := kinks(r)
			m.Params[i] = w
			if kp != base || km != base {
				// A ReLU or a pooling choice flipped within the step:
				// the loss is not differentiable there.
				skipped++
				continue
			}
			num := (lp - lm) / (2 * eps)
			got := float64(r.grad[i])
			if math.Abs(got-num) > 2e-3+0.02*math.Abs(num) {
				bad++
				if bad <= 3 {
					t.Errorf("%s: dL/dp[%d] = %.6f, finite difference %.6f", tc.arch, i, got, num)
				}
			}
		}
		if bad > 0 || skipped > len(m.Params)/10 {
			t.Errorf("%s: %d of %d gradients off, %d skipped at kinks", tc.arch, bad, len(m.Params), skipped)
		}
	}
}

// kinks fingerprints the non-differentiable choices of the last forward
// pass: which ReLU outputs are positive and which inputs pooling picked.
func kinks(r *runner) [32]byte {
	h := sha256.New()
	for i, p := range r.m.plan {
		if p.Act == ActReLU {
			for _, v := range r.acts[i+1] {
				if v > 0 {
					h.Write([]byte{1})
				} else {
					h.Write([]byte{0})
				}
			}
		}
		for _, k := range r.amax[i] {
			h.Write([]byte{byte(k), byte(k >> 8)})
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// trainHash trains a small CNN+MLP on a slice of synthetic data and
// returns the SHA-256 of the trained model's encoding.
func trainHash(t *testing.T, serial bool) string {
	t.Helper()
	a, err := ParseArch("conv4x3-relu,pool2,fc32-tanh", 2, 12, 12, 5)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(a, 42)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	const n = 300
	x := randSlice(rng, n*2*12*12)
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(rng.IntN(5))
	}
	if _, err := Train(m, x, y, n, TrainConfig{Epochs: 2, Batch: 64, LR: 0.05, Momentum: 0.9, Seed: 1, Serial: serial}); err != nil {
		t.Fatal(err)
	}
	c := m.Commitment()
	return hex.EncodeToString(c[:])
}

// TestDeterminismAcrossGOMAXPROCS trains the same model under GOMAXPROCS 1
// and 2 and requires bit-identical weights, and pins the result per kernel
// so that any change to the arithmetic (blocking, loop order, rounding) is
// noticed.
func TestDeterminismAcrossGOMAXPROCS(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	h1 := trainHash(t, false)
	runtime.GOMAXPROCS(2)
	h2 := trainHash(t, false)
	hs := trainHash(t, true) // one goroutine, as the simulator trains
	runtime.GOMAXPROCS(4)
	h4 := trainHash(t, false)
	if h1 != h2 || h1 != h4 || h1 != hs {
		t.Fatalf("weights differ: GOMAXPROCS 1 %s, 2 %s, 4 %s, serial %s", h1, h2, h4, hs)
	}
	// Keyed by kernel and GOARCH: math.Exp, used by softmax, has
	// per-architecture assembly too.
	pinned := map[string]string{
		"amd64-avx2-fma/amd64": "dde75df885bf13d9455f975036e6be902cc632f292a8244e41469b075601e12c",
		"generic/amd64":        "361523e05a7b2b5b541053d5ad8b70359969f8a784249fda95ca02e49bd66dac",
	}
	key := Kernel() + "/" + runtime.GOARCH
	want, ok := pinned[key]
	if !ok {
		t.Skipf("no pinned result for %s (got %s)", key, h1)
	}
	if want != h1 {
		t.Errorf("%s: trained model %s, pinned %s", key, h1, want)
	}
}

// TestGemmWorkersAgree checks the property determinism rests on: a product
// computed on one worker equals, bit for bit, the same product split
// between two, in both split directions.
func TestGemmWorkersAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{100, 40, 300}, {5, 200, 700}} {
		m, n, k := s[0], s[1], s[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		var ws gemmWS
		one := make([]float32, m*n)
		mp, np := (m+mr-1)/mr, (n+nr-1)/nr
		ws.packB(false, n, k, np, b, n)
		ws.mat = matA{a: a, lda: k}
		ws.run(0, &ws.mat, m, n, k, one, n, false, 0, mp, 0, np)
		two := make([]float32, m*n)
		ws.gemm(false, false, m, n, k, a, k, b, n, two, n, false)
		for i := range one {
			if math.Float32bits(one[i]) != math.Float32bits(two[i]) {
				t.Fatalf("%v: element %d: one worker %v, two %v", s, i, one[i], two[i])
			}
		}
	}
}
