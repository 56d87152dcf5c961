package stats

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// TTestResult is the outcome of a two-sample t test.
type TTestResult struct {
	T      float64 // (mean(x) - mean(y)) / standard error
	DF     float64 // Welch–Satterthwaite degrees of freedom
	PValue float64 // two-sided
	N, M   int     // sample sizes
}

// WelchT is Welch's two-sample t test of equal means without assuming
// equal variances: t = (x̄ - ȳ)/√(sx²/n + sy²/m) with the
// Welch–Satterthwaite degrees of freedom
// ν = (sx²/n + sy²/m)² / ((sx²/n)²/(n-1) + (sy²/m)²/(m-1)),
// and the two-sided p-value of Student's t with ν degrees of freedom
// (gonum distuv.StudentsT). Samples of fewer than two values, or two
// samples without any spread (the standard error is 0), give NaN: whether
// two constants are equal is no question for a t test.
func WelchT(x, y []float64) TTestResult {
	r := TTestResult{T: math.NaN(), DF: math.NaN(), PValue: math.NaN(), N: len(x), M: len(y)}
	if len(x) < 2 || len(y) < 2 || hasNaN(x) || hasNaN(y) {
		return r
	}
	n, m := float64(len(x)), float64(len(y))
	vx, vy := StdDev(x)*StdDev(x)/n, StdDev(y)*StdDev(y)/m
	se := math.Sqrt(vx + vy)
	if se == 0 {
		return r
	}
	r.T = (Mean(x) - Mean(y)) / se
	r.DF = (vx + vy) * (vx + vy) / (vx*vx/(n-1) + vy*vy/(m-1))
	r.PValue = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: r.DF}.Survival(math.Abs(r.T))
	return r
}

// Holm returns the Holm–Bonferroni adjusted p-values of a family of tests
// (Holm 1979), in the order of p: with the p-values sorted ascending,
// p̃(i) = max_{j≤i} min(1, (m-j+1)·p(j)). Rejecting every hypothesis with
// p̃ ≤ α controls the family-wise error rate at α under any dependence
// between the tests. NaN p-values (tests that could not be made) are left
// NaN and do not count in m.
func Holm(p []float64) []float64 {
	adj := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		adj[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	m := len(idx)
	run := 0.0
	for j, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-j)*p[i]))
		adj[i] = run
	}
	return adj
}
