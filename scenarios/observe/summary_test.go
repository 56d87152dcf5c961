package observe

import "testing"

func TestGini(t *testing.T) {
	tests := []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 1, 1, 1}, 0},
		{[]float64{0, 0, 0, 1}, 0.75},            // one holder among 4: 1 - 1/4
		{[]float64{1, 2, 3, 4}, 0.25},            // Σ|xi-xj| = 20, 2 n² μ = 80
		{[]float64{3, 0, 1, 0, 0, 2}, 44.0 / 72}, // ordered Σ|xi-xj| = 44, 2 n² μ = 72
	}
	for _, tc := range tests {
		if got := Gini(tc.x); got < tc.want-1e-12 || got > tc.want+1e-12 {
			t.Errorf("Gini(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}
