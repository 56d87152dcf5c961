package nn

import (
	"math"
	"testing"
)

func TestFloat32Activations(t *testing.T) {
	worst := map[string]float64{}
	for i := -20000; i <= 20000; i++ {
		x := float32(i) / 1000 // -20..20
		for _, f := range []struct {
			name string
			got  float32
			want float64
			tol  float64
		}{
			{"exp", exp32(x), math.Exp(float64(x)), 3e-7},
			{"tanh", tanh32(x), math.Tanh(float64(x)), 1e-6},
			{"sigmoid", sigmoid32(x), 1 / (1 + math.Exp(-float64(x))), 1e-6},
		} {
			rel := math.Abs(float64(f.got)-f.want) / math.Max(math.Abs(f.want), 1e-30)
			if f.name != "exp" && math.Abs(f.want) < 1e-6 {
				rel = math.Abs(float64(f.got) - f.want)
			}
			worst[f.name] = math.Max(worst[f.name], rel)
			if rel > f.tol {
				t.Fatalf("%s(%v) = %v, want %v (relative error %.3g)", f.name, x, f.got, f.want, rel)
			}
		}
	}
	t.Logf("worst relative errors: %v", worst)
	for _, tc := range []struct {
		name string
		got  float32
		want float32
	}{
		{"exp(0)", exp32(0), 1},
		{"exp(1)", exp32(1), 2.7182817},
		{"exp(-200)", exp32(-200), 0},
		{"exp(100)", exp32(100), float32(math.Inf(1))},
		{"tanh(0)", tanh32(0), 0},
		{"tanh(30)", tanh32(30), 1},
		{"tanh(-30)", tanh32(-30), -1},
		{"sigmoid(0)", sigmoid32(0), 0.5},
		{"exp(-100) subnormal", exp32(-100), float32(math.Exp(-100))},
	} {
		if tc.got != tc.want && math.Abs(float64(tc.got-tc.want)) > 2e-7*math.Abs(float64(tc.want)) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func BenchmarkTanh32(b *testing.B) {
	var s float32
	for i := 0; i < b.N; i++ {
		s += tanh32(float32(i%2000)/500 - 2)
	}
	_ = s
}

func BenchmarkMathTanh(b *testing.B) {
	var s float32
	for i := 0; i < b.N; i++ {
		s += float32(math.Tanh(float64(float32(i%2000)/500 - 2)))
	}
	_ = s
}
