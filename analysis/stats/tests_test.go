package stats

import (
	"math"
	"slices"
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

// ksSplits must give the very float KSTwoSample gives for every split of
// the clusters, ties within and across clusters included, since the
// permutation p-value counts splits whose D reaches the observed one.
func TestKSSplitsMatchesKSTwoSample(t *testing.T) {
	rng := NewRand(7)
	for _, tc := range []struct {
		name     string
		clusters int
		round    float64 // values rounded to multiples of this: ties
	}{
		{"continuous", 8, 0},
		{"ties", 8, 0.5},
		{"heavy ties", 6, 2},
		{"empty cluster", 5, 0},
	} {
		var all [][]float64
		for c := range tc.clusters {
			k := 1 + rng.IntN(12)
			if tc.name == "empty cluster" && c == 2 {
				k = 0
			}
			var vs []float64
			for range k {
				v := rng.ExpFloat64() * 10
				if tc.round > 0 {
					v = math.Round(v/tc.round) * tc.round
				}
				vs = append(vs, v)
			}
			all = append(all, vs)
		}
		ks := newKSSplits(all)
		for mask := range 1 << tc.clusters {
			in := make([]bool, tc.clusters)
			var a, b []float64
			for c := range in {
				in[c] = mask&(1<<c) != 0
				if in[c] {
					a = append(a, all[c]...)
				} else {
					b = append(b, all[c]...)
				}
			}
			want, got := KSTwoSample(a, b).D, ks.d(in)
			if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
				t.Fatalf("%s: split %b: d = %v, KSTwoSample D = %v", tc.name, mask, got, want)
			}
		}
	}
	if d := newKSSplits([][]float64{{1, math.NaN()}, {2}}).d([]bool{true, false}); !math.IsNaN(d) {
		t.Errorf("NaN value: d = %v", d)
	}
}

func TestBootstrapMeanDiff(t *testing.T) {
	// Known values by enumerating the bootstrap distribution by hand.
	// x = {0, 2}, y = {1, 3}: each side has 4 equally likely ordered
	// resamples, with mean minus sample mean -1, 0, 0, 1 and variance 0,
	// 2, 2, 0, so the 16 pairs give t* = 0 (both sides without spread and
	// equal shifts, or equal shifts of 0), ±1 (one side with spread) or
	// ±Inf (no spread, unequal shifts); |t*| >= |t| = 1/√2 in 10 of 16:
	// p = 0.625. x̄* - ȳ* = -1 + (a - b) with a, b independent on
	// {-1: 1/4, 0: 1/2, 1: 1/4}: -3 and 1 with probability 1/16 each, so
	// the 95% percentile interval is [-3, 1].
	// x = {0, 2}, y = {10, 12}: t = -10/√2; only the two pairs without
	// spread and with unequal shifts (±Inf) reach it: p = 2/16, interval
	// -10 ± 2.
	// x = {1, 2, 4}, y = {0, 3, 3, 9}: p by enumerating the 3³·4⁴ = 6912
	// resample pairs (enumerate below, an independent implementation).
	for _, tc := range []struct {
		name           string
		x, y           []float64
		diff, t, p     float64
		lo, hi         float64 // NaN: not checked
		enumerate, tol bool
	}{
		{"hand 0.625", []float64{0, 2}, []float64{1, 3}, -1, -1 / math.Sqrt2, 0.625, -3, 1, false, true},
		{"hand 2/16", []float64{0, 2}, []float64{10, 12}, -10, -10 / math.Sqrt2, 0.125, -12, -8, false, true},
		{"enumerated", []float64{1, 2, 4}, []float64{0, 3, 3, 9}, 7.0/3 - 15.0/4, math.NaN(), math.NaN(), math.NaN(), math.NaN(), true, true},
	} {
		want := tc.p
		if tc.enumerate {
			want = enumerateBootstrapP(tc.x, tc.y)
		}
		r := BootstrapMeanDiff(tc.x, tc.y, 20000, 0.95, NewRand(BootstrapSeed))
		if !near(r.Diff, tc.diff, 1e-12) || !math.IsNaN(tc.t) && !near(r.T, tc.t, 1e-12) {
			t.Errorf("%s: diff %v t %v, want %v %v", tc.name, r.Diff, r.T, tc.diff, tc.t)
		}
		// Monte Carlo error of p with 20000 resamples: sd ≤ 0.0035.
		if !near(r.PValue, want, 0.015) {
			t.Errorf("%s: p = %v, want %v (exact)", tc.name, r.PValue, want)
		}
		if !math.IsNaN(tc.lo) && (r.CI.Lo != tc.lo || r.CI.Hi != tc.hi || r.CI.Estimate != tc.diff || r.CI.Level != 0.95) {
			t.Errorf("%s: CI %+v, want [%v, %v]", tc.name, r.CI, tc.lo, tc.hi)
		}
		t.Logf("%s: p = %.4f (exact %.4f), CI [%g, %g]", tc.name, r.PValue, want, r.CI.Lo, r.CI.Hi)
		if again := BootstrapMeanDiff(tc.x, tc.y, 20000, 0.95, NewRand(BootstrapSeed)); again != r {
			t.Errorf("%s: not reproducible: %+v then %+v", tc.name, r, again)
		}
	}
	// Far apart samples of 8: every resample's |t*| is far below |t|.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := []float64{101, 102, 103, 104, 105, 106, 107, 108}
	if r := BootstrapMeanDiff(x, y, 999, 0.95, NewRand(1)); r.PValue != 1.0/1000 || r.Diff != -100 {
		t.Errorf("separated: %+v, want p = 1/1000", r)
	}
	for _, c := range [][2][]float64{{{3, 3}, {3, 3, 3}}, {{1}, {1, 2}}, {nil, {1, 2}}} {
		if r := BootstrapMeanDiff(c[0], c[1], 100, 0.95, NewRand(1)); !math.IsNaN(r.PValue) {
			t.Errorf("BootstrapMeanDiff(%v, %v) = %+v, want NaN p", c[0], c[1], r)
		}
	}
}

// enumerateBootstrapP is the exact bootstrap p-value of
// BootstrapMeanDiff: every ordered resample pair, equally likely.
func enumerateBootstrapP(x, y []float64) float64 {
	mx, my := Mean(x), Mean(y)
	tObs := math.Abs(welchStat(x, y))
	var resamples func(v []float64) [][]float64
	resamples = func(v []float64) [][]float64 {
		out := [][]float64{{}}
		for range v {
			var next [][]float64
			for _, r := range out {
				for _, e := range v {
					next = append(next, append(slices.Clone(r), e))
				}
			}
			out = next
		}
		return out
	}
	hits, total := 0, 0
	for _, xs := range resamples(x) {
		for _, ys := range resamples(y) {
			total++
			num := (Mean(xs) - mx) - (Mean(ys) - my)
			vx, vy := varianceRef(xs)/float64(len(xs)), varianceRef(ys)/float64(len(ys))
			se := math.Sqrt(vx + vy)
			var tt float64
			switch {
			case se > 0:
				tt = num / se
			case math.Abs(num) > 1e-9:
				tt = math.Inf(1)
			}
			if math.Abs(tt) >= tObs*(1-1e-12) {
				hits++
			}
		}
	}
	return float64(hits) / float64(total)
}

func welchStat(x, y []float64) float64 {
	return (Mean(x) - Mean(y)) / math.Sqrt(varianceRef(x)/float64(len(x))+varianceRef(y)/float64(len(y)))
}

func varianceRef(x []float64) float64 {
	m := Mean(x)
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s / float64(len(x)-1)
}
