package stats

import (
	"math"
	"testing"
)

func TestWelchT(t *testing.T) {
	// The two examples of Welch's t test in Wikipedia ("Welch's t-test",
	// Examples), which give t, ν and p to 2-3 digits; t and ν to full
	// precision computed by hand from the formulas (Python statistics).
	for _, tc := range []struct {
		name     string
		x, y     []float64
		t, df, p float64
		pTol     float64
	}{
		{"equal n",
			[]float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4},
			[]float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4},
			-2.455356398286006, 24.98852929023142, 0.021, 0.0005},
		{"unequal n and variance",
			[]float64{17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8},
			[]float64{21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8},
			-1.5654335235985073, 9.904741248650831, 0.149, 0.0005},
	} {
		r := WelchT(tc.x, tc.y)
		if !near(r.T, tc.t, 1e-12) || !near(r.DF, tc.df, 1e-10) || !near(r.PValue, tc.p, tc.pTol) {
			t.Errorf("%s: WelchT = %+v, want t=%g df=%g p≈%g", tc.name, r, tc.t, tc.df, tc.p)
		}
		if s := WelchT(tc.y, tc.x); !near(s.T, -r.T, 1e-12) || !near(s.PValue, r.PValue, 1e-15) {
			t.Errorf("%s: swapping the samples gives %+v, want t=%g", tc.name, s, -r.T)
		}
	}
	// By hand, x={0,2}, y={1,3}: means 1 and 2, s² = 2 each, se = √2,
	// t = -1/√2, ν = 2, and Student's t with 2 df has the closed form
	// P(|T| > t) = 1 - t/√(2+t²).
	r := WelchT([]float64{0, 2}, []float64{1, 3})
	if want := 1 - (1/math.Sqrt2)/math.Sqrt(2.5); !near(r.T, -1/math.Sqrt2, 1e-12) || !near(r.DF, 2, 1e-12) || !near(r.PValue, want, 1e-12) {
		t.Errorf("WelchT(2 df) = %+v, want p=%g", r, want)
	}
	for _, c := range [][2][]float64{{{1}, {1, 2}}, {{3, 3}, {3, 3, 3}}, {nil, nil}} {
		if r := WelchT(c[0], c[1]); !math.IsNaN(r.T) || !math.IsNaN(r.PValue) {
			t.Errorf("WelchT(%v, %v) = %+v, want NaN", c[0], c[1], r)
		}
	}
}

func TestHolm(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		p, want []float64
	}{
		// R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm").
		{"R example", []float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}},
		// By hand: sorted 0.2·3 = 0.6, 0.6·2 capped at 1, 0.7·1 raised to 1.
		{"cap", []float64{0.7, 0.6, 0.2}, []float64{1, 1, 0.6}},
		// Monotone: 0.2·3 = 0.6, 0.25·2 = 0.5 raised to 0.6, 0.9.
		{"monotone", []float64{0.9, 0.25, 0.2}, []float64{0.9, 0.6, 0.6}},
		{"ties", []float64{0.2, 0.2}, []float64{0.4, 0.4}},
		{"one", []float64{0.3}, []float64{0.3}},
		// NaN is left out of m.
		{"nan", []float64{0.01, nan, 0.02}, []float64{0.02, nan, 0.02}},
		{"empty", nil, []float64{}},
	} {
		got := Holm(tc.p)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: Holm = %v, want %v", tc.name, got, tc.want)
		}
		for i := range got {
			if math.IsNaN(tc.want[i]) != math.IsNaN(got[i]) || !math.IsNaN(got[i]) && !near(got[i], tc.want[i], 1e-12) {
				t.Errorf("%s: Holm = %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestKSClusterPermutation(t *testing.T) {
	// Disjoint clusters, 3 and 3: only the observed split and its mirror
	// reach D = 1, so p = 2/C(6,3) = 2/20.
	x := [][]float64{{1, 2}, {3}, {4, 5}}
	y := [][]float64{{10, 11}, {12}, {13, 14}}
	r := KSClusterPermutation(x, y, 1000, 0, nil)
	if r.D != 1 || !near(r.PValue, 0.1, 1e-12) || r.N != 5 || r.M != 5 {
		t.Errorf("disjoint: %+v, want D=1 p=0.1", r)
	}
	// The same clusters on both sides: D = 0, every split reaches it.
	if r := KSClusterPermutation(x, x, 1000, 0, nil); r.D != 0 || r.PValue != 1 {
		t.Errorf("identical: %+v, want D=0 p=1", r)
	}
	// Over the exact limit: resampled, (1+k)/(1+R) with k = the resamples
	// that hit the observed split or its mirror.
	r = KSClusterPermutation(x, y, 10, 999, NewRand(1))
	if r.D != 1 || r.PValue < 0.05 || r.PValue > 0.15 {
		t.Errorf("resampled: %+v, want p near 0.1", r)
	}
	if r := KSClusterPermutation(nil, y, 10, 10, NewRand(1)); !math.IsNaN(r.D) {
		t.Errorf("empty: %+v", r)
	}
}
