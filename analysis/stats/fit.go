package stats

import "math"

// LineFit is a least-squares line y = Intercept + Slope·x through N points,
// with the coefficient of determination R2.
type LineFit struct {
	Slope, Intercept, R2 float64
	N                    int
}

// FitLine is the ordinary least-squares fit of y on x:
//
//	Slope = Σ (x_i − x̄)(y_i − ȳ) / Σ (x_i − x̄)²,  Intercept = ȳ − Slope·x̄,
//
// and R2 = 1 − Σ residual² / Σ (y_i − ȳ)² (1 when y is constant and
// fitted exactly). Issue #13 reads the slope of reward share on compute
// share: 1 when rewards follow compute (a fair lottery), above 1 when the
// fastest nodes win out of proportion (reward share concentrated on the
// nodes with the largest compute share), near 0 when rewards ignore
// compute. It returns NaN fields when the lengths differ, fewer than two
// points are given, a value is not finite, or every x is equal (no line
// is determined).
func FitLine(x, y []float64) LineFit {
	f := LineFit{Slope: math.NaN(), Intercept: math.NaN(), R2: math.NaN(), N: len(x)}
	if len(x) != len(y) || len(x) < 2 {
		return f
	}
	var mx, my float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return f
		}
		mx += x[i]
		my += y[i]
	}
	n := float64(len(x))
	mx, my = mx/n, my/n
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if !(sxx > 0) {
		return f
	}
	f.Slope = sxy / sxx
	f.Intercept = my - f.Slope*mx
	var ss float64
	for i := range x {
		r := y[i] - f.Intercept - f.Slope*x[i]
		ss += r * r
	}
	f.R2 = 1
	if syy > 0 {
		f.R2 = 1 - ss/syy
	}
	return f
}

// Shares divides each of x by their sum; nil when the sum is not positive
// or a value is negative or not finite.
func Shares(x []float64) []float64 {
	var s float64
	for _, v := range x {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil
		}
		s += v
	}
	if !(s > 0) {
		return nil
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v / s
	}
	return out
}

// ShareSlope is summary.json's reward_compute_slope: the slope of the
// least-squares fit (FitLine) of each node's share of the rewards on its
// share of the compute. 1 is rewards in proportion to compute; above 1,
// nodes with more compute take more than their share (the fastest win);
// below 1, less. It is NaN when either total is not positive, a value is
// negative or not finite, or the compute values are equal within a
// relative 1e-6 (the CSVs' rounding: no line is determined, and a slope
// fitted to rounding noise would mean nothing).
func ShareSlope(compute, reward []float64) float64 {
	cs, rs := Shares(compute), Shares(reward)
	if cs == nil || rs == nil || len(cs) != len(rs) {
		return math.NaN()
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range compute {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo <= 1e-6*hi {
		return math.NaN()
	}
	return FitLine(cs, rs).Slope
}
