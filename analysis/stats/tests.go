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

// KSClusterPermutation is a two-sample Kolmogorov–Smirnov test for samples
// that come in clusters, such as the blocks of independent replications:
// values within a cluster may be dependent (one network, one draw of
// hashrates), so the asymptotic p-value of KSTwoSample on the pooled
// values, which assumes independent values, is far too small. D is the KS
// distance of the pooled samples; the p-value is the share of the
// reassignments of whole clusters to the two groups (sizes kept) whose D
// is at least D: exact over all C(n+m, n) reassignments when there are at
// most exactLimit of them, else from resamples random ones, (1+k)/(1+R),
// drawn with rng. With few clusters the smallest possible p-value is
// 2/C(n+m, n) (2/924 for 6 and 6, 2/12870 for 8 and 8).
func KSClusterPermutation(x, y [][]float64, exactLimit, resamples int, rng interface{ Perm(int) []int }) KSResult {
	all := append(slices.Clone(x), y...)
	flat := func(pick []int) []float64 {
		var out []float64
		for _, i := range pick {
			out = append(out, all[i]...)
		}
		return out
	}
	n, m := len(x), len(y)
	first := make([]int, n+m)
	for i := range first {
		first[i] = i
	}
	r := KSTwoSample(flat(first[:n]), flat(first[n:]))
	if math.IsNaN(r.D) {
		return r
	}
	d := r.D - 1e-12 // D is a ratio of counts: compare with a tolerance
	split := func(in []bool) float64 {
		var a, b []int
		for i, v := range in {
			if v {
				a = append(a, i)
			} else {
				b = append(b, i)
			}
		}
		return KSTwoSample(flat(a), flat(b)).D
	}
	if c := binomial(n+m, n); c <= float64(exactLimit) {
		in := make([]bool, n+m)
		hits, total := 0, 0
		var rec func(start, left int)
		rec = func(start, left int) {
			if left == 0 {
				total++
				if dd := split(in); !math.IsNaN(dd) && dd >= d {
					hits++
				}
				return
			}
			for i := start; i <= n+m-left; i++ {
				in[i] = true
				rec(i+1, left-1)
				in[i] = false
			}
		}
		rec(0, n)
		r.PValue = float64(hits) / float64(total)
		return r
	}
	hits := 0
	in := make([]bool, n+m)
	for range resamples {
		clear(in)
		for _, i := range rng.Perm(n + m)[:n] {
			in[i] = true
		}
		if dd := split(in); !math.IsNaN(dd) && dd >= d {
			hits++
		}
	}
	r.PValue = float64(1+hits) / float64(1+resamples)
	return r
}

func binomial(n, k int) float64 {
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return math.Round(c)
}
