package stats

import (
	"math"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

func TestQuantileType7(t *testing.T) {
	// Hand computation: h = (n-1)p; [1,2,3,4] at p=0.9 -> h=2.7 -> 3+0.7·1.
	x := []float64{4, 1, 3, 2}
	for _, tc := range []struct{ p, want float64 }{
		{0, 1}, {0.5, 2.5}, {0.9, 3.7}, {1, 4}, {1.5, math.NaN()}, {-0.1, math.NaN()},
	} {
		if got := Quantile(x, tc.p); !near(got, tc.want, 1e-12) {
			t.Errorf("Quantile(%v, %g) = %g, want %g", x, tc.p, got, tc.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("Quantile(nil) not NaN")
	}
	if !slices.Equal(x, []float64{4, 1, 3, 2}) {
		t.Error("Quantile modified its input")
	}
}

func TestMeanCI(t *testing.T) {
	// mean 3, s = √2.5, t(4, 0.975) = 2.7764451; half = t·s/√5 = 1.9632432.
	iv := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	if !near(iv.Estimate, 3, 1e-12) || !near(iv.Lo, 3-1.9632431614775607, 1e-6) || !near(iv.Hi, 3+1.9632431614775607, 1e-6) {
		t.Errorf("MeanCI = %+v, want 3 ± 1.9632432", iv)
	}
	if iv := MeanCI([]float64{7}, 0.95); iv.Estimate != 7 || !math.IsNaN(iv.Lo) {
		t.Errorf("MeanCI of one value = %+v, want estimate 7 and NaN bounds", iv)
	}
}

func TestBootstrap(t *testing.T) {
	if iv := Bootstrap([]float64{2, 2, 2}, Mean, 200, 0.95, NewRand(1)); iv.Lo != 2 || iv.Hi != 2 {
		t.Errorf("bootstrap of a constant sample = %+v, want [2, 2]", iv)
	}
	// An exponential sample: the percentile interval must cover the sample
	// mean and, for n = 400, be about as wide as the t interval.
	rng := NewRand(7)
	x := make([]float64, 400)
	for i := range x {
		x[i] = rng.ExpFloat64() * 600
	}
	b := Bootstrap(x, Mean, 2000, 0.95, NewRand(BootstrapSeed))
	tci := MeanCI(x, 0.95)
	if !b.Contains(Mean(x)) || b.Estimate != Mean(x) {
		t.Errorf("bootstrap %+v does not cover the mean %g", b, Mean(x))
	}
	if r := (b.Hi - b.Lo) / (tci.Hi - tci.Lo); r < 0.8 || r > 1.2 {
		t.Errorf("bootstrap width / t width = %g, want within 20%% of 1 (boot %+v, t %+v)", r, b, tci)
	}
	again := Bootstrap(x, Mean, 2000, 0.95, NewRand(BootstrapSeed))
	if again != b {
		t.Errorf("bootstrap not reproducible: %+v vs %+v", again, b)
	}
	if iv := Bootstrap(nil, Mean, 10, 0.95, NewRand(1)); !math.IsNaN(iv.Estimate) {
		t.Errorf("bootstrap of empty = %+v", iv)
	}
}

func TestGini(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 1, 1, 1}, 0},
		{[]float64{0, 0, 0, 1}, 0.75}, // Σ|xi-xj| = 6, 2n²μ = 8
		{[]float64{4, 3, 2, 1}, 0.25}, // Σ|xi-xj| = 20, 2n²μ = 80
		{[]float64{5}, 0},
		{[]float64{0, 10}, 0.5},
		{[]float64{3, 0, 1, 0, 0, 2}, 44.0 / 72}, // ordered Σ|xi-xj| = 44, 2n²μ = 72
		{nil, math.NaN()},
		{[]float64{0, 0}, math.NaN()},
		{[]float64{1, -1}, math.NaN()},
		{[]float64{1, math.NaN()}, math.NaN()},
	} {
		if got := Gini(tc.x); !near(got, tc.want, 1e-12) {
			t.Errorf("Gini(%v) = %g, want %g", tc.x, got, tc.want)
		}
	}
}

func TestLorenz(t *testing.T) {
	got := Lorenz([]float64{4, 1, 3, 2})
	want := []Point{{0, 0}, {0.25, 0.1}, {0.5, 0.3}, {0.75, 0.6}, {1, 1}}
	if len(got) != len(want) {
		t.Fatalf("Lorenz = %v, want %v", got, want)
	}
	var area float64
	for i := range want {
		if !near(got[i].X, want[i].X, 1e-12) || !near(got[i].Y, want[i].Y, 1e-12) {
			t.Errorf("Lorenz[%d] = %v, want %v", i, got[i], want[i])
		}
		if i > 0 {
			area += (got[i].X - got[i-1].X) * (got[i].Y + got[i-1].Y) / 2
		}
	}
	// The Gini definition above is 1 - 2·(area under the Lorenz curve).
	if g := Gini([]float64{4, 1, 3, 2}); !near(1-2*area, g, 1e-12) {
		t.Errorf("1-2·area = %g, Gini = %g", 1-2*area, g)
	}
	if Lorenz([]float64{0, 0}) != nil {
		t.Error("Lorenz of zero total not nil")
	}
}

func TestKolmogorovQ(t *testing.T) {
	// Reference values of the Kolmogorov survival function (tabulated
	// critical values: 10% at 1.224, 5% at 1.358, 1% at 1.628).
	for _, tc := range []struct{ l, want float64 }{
		{0, 1}, {0.5, 0.9639452436648751}, {1, 0.26999967167735456},
		{1.224, 0.0999255775}, {1.358, 0.0500267973}, {1.628, 0.0099755224},
	} {
		if got := KolmogorovQ(tc.l); !near(got, tc.want, 1e-9) {
			t.Errorf("KolmogorovQ(%g) = %.10f, want %.10f", tc.l, got, tc.want)
		}
	}
}

func TestKSTwoSample(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, y []float64
		d, p float64
	}{
		// Disjoint samples: the ECDFs differ by 1 between 3 and 4.
		{"disjoint", []float64{1, 2, 3}, []float64{4, 5, 6}, 1, KolmogorovQ((math.Sqrt(1.5) + 0.12 + 0.11/math.Sqrt(1.5)) * 1)},
		// By hand: Fx(4)=1, Fy(4)=0.5 -> D=0.5; Ne=4/3, λ=0.6849817.
		{"hand", []float64{1, 2, 3, 4}, []float64{5, 2.5}, 0.5, 0.736069436119535},
		{"equal", []float64{1, 2, 3}, []float64{3, 2, 1}, 0, 1},
	} {
		r := KSTwoSample(tc.x, tc.y)
		if !near(r.D, tc.d, 1e-12) || !near(r.PValue, tc.p, 1e-9) || r.N != len(tc.x) || r.M != len(tc.y) {
			t.Errorf("%s: KSTwoSample = %+v, want D=%g p=%g", tc.name, r, tc.d, tc.p)
		}
	}
	if r := KSTwoSample(nil, []float64{1}); !math.IsNaN(r.D) {
		t.Errorf("KS with empty sample = %+v", r)
	}
}

func TestKSOneSample(t *testing.T) {
	// Against U(0,1): i=1: 1/3-0.1; i=3: 0.9-2/3 -> D = 0.7/3.
	uniform := func(x float64) float64 { return math.Min(1, math.Max(0, x)) }
	r := KSOneSample([]float64{0.9, 0.1, 0.5}, uniform)
	if !near(r.D, 0.7/3, 1e-12) || !near(r.PValue, 0.9883352304122826, 1e-9) {
		t.Errorf("KSOneSample = %+v, want D=0.2333 p=0.98834", r)
	}
}

func TestFitExponential(t *testing.T) {
	f := FitExponential([]float64{1, 2, 3})
	if !near(f.Rate, 0.5, 1e-12) || !near(f.StdErr, 0.5/math.Sqrt(3), 1e-12) {
		t.Errorf("fit of [1 2 3] = %+v, want rate 1/2, se 0.5/√3", f)
	}
	if !near(f.CDF(2), 1-math.Exp(-1), 1e-12) || !near(f.PDF(2), 0.5*math.Exp(-1), 1e-12) || !near(f.Quantile(f.CDF(2)), 2, 1e-12) {
		t.Errorf("fitted CDF/PDF/Quantile wrong at 2")
	}

	// Seeded synthetic intervals with mean 600 s: the MLE must lie within
	// four standard errors of the true rate and the fit must not be rejected.
	const rate = 1.0 / 600
	rng := NewRand(42)
	x := make([]float64, 2000)
	for i := range x {
		x[i] = rng.ExpFloat64() / rate
	}
	f = FitExponential(x)
	if math.Abs(f.Rate-rate) > 4*f.StdErr {
		t.Errorf("rate %g ± %g, true %g", f.Rate, f.StdErr, rate)
	}
	if f.GOF.PValue < 0.01 {
		t.Errorf("exponential sample rejected: %+v", f.GOF)
	}
	// A uniform sample is not exponential: KS must reject decisively.
	for i := range x {
		x[i] = rng.Float64() * 1200
	}
	if f := FitExponential(x); f.GOF.PValue > 1e-6 {
		t.Errorf("uniform sample not rejected: %+v", f.GOF)
	}
	for _, bad := range [][]float64{nil, {0, 0}, {1, -1}} {
		if f := FitExponential(bad); !math.IsNaN(f.Rate) {
			t.Errorf("FitExponential(%v) = %+v, want NaN rate", bad, f)
		}
	}
}

func TestQQAndECDF(t *testing.T) {
	id := func(p float64) float64 { return p }
	got := QQ([]float64{3, 1, 2}, id)
	want := []Point{{0.5 / 3, 1}, {1.5 / 3, 2}, {2.5 / 3, 3}}
	for i := range want {
		if !near(got[i].X, want[i].X, 1e-12) || got[i].Y != want[i].Y {
			t.Errorf("QQ[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	e := ECDF([]float64{2, 1})
	if e[0] != (Point{1, 0.5}) || e[1] != (Point{2, 1}) {
		t.Errorf("ECDF = %v", e)
	}
}

// FitLine recovers an exact line, measures the scatter about a noisy one
// against a hand computation, and refuses degenerate input.
func TestFitLine(t *testing.T) {
	f := FitLine([]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7})
	if f.Slope != 2 || f.Intercept != 1 || f.R2 != 1 || f.N != 4 {
		t.Errorf("exact line: %+v, want slope 2, intercept 1, R2 1", f)
	}
	// x̄ = 2, ȳ = 2; Sxx = 10, Sxy = 2+1.75+1.25+3 = 8 → slope 0.8,
	// intercept 0.4; fitted 0.4, 1.2, 2.8, 3.6, residuals 0.6, -0.95,
	// 0.45, -0.1.
	f = FitLine([]float64{0, 1, 3, 4}, []float64{1, 0.25, 3.25, 3.5})
	if !near(f.Slope, 0.8, 1e-12) || !near(f.Intercept, 0.4, 1e-12) {
		t.Errorf("noisy line: %+v, want slope 0.8, intercept 0.4", f)
	}
	// Syy = 1 + 3.0625 + 1.5625 + 2.25 = 7.875; SSres = 0.36 + 0.9025 +
	// 0.2025 + 0.01 = 1.475.
	if !near(f.R2, 1-1.475/7.875, 1e-12) {
		t.Errorf("R2 %v, want %v", f.R2, 1-1.475/7.875)
	}
	for _, tc := range []struct {
		name string
		x, y []float64
	}{
		{"one point", []float64{1}, []float64{1}},
		{"equal x", []float64{2, 2, 2}, []float64{1, 2, 3}},
		{"lengths", []float64{1, 2}, []float64{1}},
		{"NaN", []float64{1, math.NaN()}, []float64{1, 2}},
	} {
		if f := FitLine(tc.x, tc.y); !math.IsNaN(f.Slope) || !math.IsNaN(f.Intercept) {
			t.Errorf("%s: %+v, want NaN", tc.name, f)
		}
	}
	if s := Shares([]float64{1, 3}); len(s) != 2 || s[0] != 0.25 || s[1] != 0.75 {
		t.Errorf("Shares = %v", s)
	}
	if Shares([]float64{0, 0}) != nil || Shares([]float64{1, -1}) != nil {
		t.Error("Shares of zeros or a negative value is not nil")
	}
}

// ShareSlope: 1 when rewards follow compute, the fitted slope when the
// fastest take all, NaN when compute does not separate the nodes.
func TestShareSlope(t *testing.T) {
	compute := []float64{1, 1, 2, 4}
	if s := ShareSlope(compute, []float64{10, 10, 20, 40}); !near(s, 1, 1e-12) {
		t.Errorf("proportional rewards: slope %v, want 1", s)
	}
	// Compute shares 1/8, 1/8, 1/4, 1/2: mean 1/4, deviations −1/8, −1/8,
	// 0, 1/4, Sxx = 1/64 + 1/64 + 0 + 1/16 = 3/32. The fastest takes
	// all: reward shares 0, 0, 0, 1, deviations −1/4, −1/4, −1/4, 3/4,
	// Sxy = 1/32 + 1/32 + 0 + 3/16 = 1/4 → slope (1/4)/(3/32) = 8/3.
	if s := ShareSlope(compute, []float64{0, 0, 0, 7}); !near(s, 8.0/3, 1e-12) {
		t.Errorf("fastest takes all: slope %v, want 8/3", s)
	}
	for _, tc := range [][2][]float64{
		{{3, 3, 3}, {1, 2, 3}},
		{{3, 3, 3 * (1 + 1e-7)}, {1, 2, 3}},
		{{1, 2}, {0, 0}},
	} {
		if s := ShareSlope(tc[0], tc[1]); !math.IsNaN(s) {
			t.Errorf("ShareSlope(%v, %v) = %v, want NaN", tc[0], tc[1], s)
		}
	}
}
