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
//
// The D of each reassignment is computed by ksSplits, which sorts the
// pooled values once and gives the same D as KSTwoSample bit for bit, so
// the p-value is that of concatenating and sorting every reassignment,
// about 20 times faster.
func KSClusterPermutation(x, y [][]float64, exactLimit, resamples int, rng interface{ Perm(int) []int }) KSResult {
	all := append(slices.Clone(x), y...)
	var fx, fy []float64
	for _, c := range x {
		fx = append(fx, c...)
	}
	for _, c := range y {
		fy = append(fy, c...)
	}
	r := KSTwoSample(fx, fy)
	if math.IsNaN(r.D) {
		return r
	}
	n, m := len(x), len(y)
	d := r.D - 1e-12 // D is a ratio of counts: compare with a tolerance
	ks := newKSSplits(all)
	in := make([]bool, n+m)
	if c := binomial(n+m, n); c <= float64(exactLimit) {
		hits, total := 0, 0
		var rec func(start, left int)
		rec = func(start, left int) {
			if left == 0 {
				total++
				if dd := ks.d(in); !math.IsNaN(dd) && dd >= d {
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
	for range resamples {
		clear(in)
		for _, i := range rng.Perm(n + m)[:n] {
			in[i] = true
		}
		if dd := ks.d(in); !math.IsNaN(dd) && dd >= d {
			hits++
		}
	}
	r.PValue = float64(1+hits) / float64(1+resamples)
	return r
}

// ksSplits holds the pooled values of some clusters sorted once, to compute
// the two-sample KS distance between any two groups of the clusters
// without concatenating and sorting them again.
type ksSplits struct {
	cluster []int // cluster of each pooled value, in ascending order of value
	runs    []int // end (exclusive) of each run of equal values in that order
	size    []int // values per cluster
	nan     bool
}

func newKSSplits(clusters [][]float64) *ksSplits {
	type item struct {
		v float64
		c int
	}
	var items []item
	ks := &ksSplits{size: make([]int, len(clusters))}
	for c, vs := range clusters {
		ks.size[c] = len(vs)
		for _, v := range vs {
			items = append(items, item{v, c})
			ks.nan = ks.nan || math.IsNaN(v)
		}
	}
	if ks.nan {
		return ks
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.v, b.v) })
	ks.cluster = make([]int, len(items))
	for i, it := range items {
		ks.cluster[i] = it.c
		if i+1 == len(items) || items[i+1].v != it.v {
			ks.runs = append(ks.runs, i+1)
		}
	}
	return ks
}

// d is the KS distance between the values of the clusters with in[c] true
// and those of the others: NaN when a group is empty or a value is NaN, as
// KSTwoSample. It repeats the arithmetic of gonum's stat.KolmogorovSmirnov
// (each value adds 1/n to its sample's distribution function; equal
// values, within and across the samples, are tallied before the distance
// is taken; the walk stops when a sample is exhausted), so the result is
// the same float.
func (ks *ksSplits) d(in []bool) float64 {
	if ks.nan {
		return math.NaN()
	}
	na, nb := 0, 0
	for c, k := range ks.size {
		if in[c] {
			na += k
		} else {
			nb += k
		}
	}
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	sa, sb := float64(na), float64(nb)
	var mx, ca, cb float64
	ia, ib, start := 0, 0, 0
	for _, end := range ks.runs {
		for _, c := range ks.cluster[start:end] {
			if in[c] {
				ca += 1 / sa
				ia++
			} else {
				cb += 1 / sb
				ib++
			}
		}
		start = end
		if dist := math.Abs(ca - cb); dist > mx {
			mx = dist
		}
		if ia == na || ib == nb {
			break
		}
	}
	return mx
}

func binomial(n, k int) float64 {
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return math.Round(c)
}
