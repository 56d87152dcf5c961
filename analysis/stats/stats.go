// Package stats holds the few statistics a researcher needs to read a run:
// location and spread with confidence intervals, inequality (Gini, Lorenz),
// distribution tests (Kolmogorov–Smirnov, exponential fit), and Welch's t
// test, a bootstrap test of equal means and the Holm–Bonferroni adjustment
// for comparing runs.
//
// Every function is a pure function of its arguments: the bootstrap takes its
// random generator from the caller, so a report computed twice from the same
// run output is identical. Functions never modify their input slices.
//
// Empty or degenerate input yields NaN (or a zero-value result with NaN
// fields) rather than a panic, because run outputs legitimately contain
// runs with no stale blocks, no storage or a single main-chain block.
//
// This package is the one home of the run's statistics: scenarios/observe
// computes summary.json with these same functions (it may import this leaf
// package; this package imports nothing of the simulator), so a quantity
// that the summary and a report both show has one definition.
package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Mean is the arithmetic mean of x, or NaN when x is empty.
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return stat.Mean(x, nil)
}

// StdDev is the sample standard deviation of x (denominator n-1), or NaN when
// x has fewer than two values.
func StdDev(x []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	return stat.StdDev(x, nil)
}

// Quantile returns the p-quantile of x by linear interpolation between order
// statistics at position (n-1)p, i.e. Hyndman & Fan type 7, the default of R
// and NumPy, so that figures here agree with a researcher's notebook (and
// summary.json's interval_p50_s and interval_p90_s are this function). It
// returns NaN for empty x or p outside [0, 1]. x need not be sorted.
func Quantile(x []float64, p float64) float64 {
	if len(x) == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return sortedQuantile(s, p)
}

// sortedQuantile is Quantile on already sorted, non-empty data.
func sortedQuantile(s []float64, p float64) float64 {
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// Interval is a two-sided confidence interval for a point estimate.
type Interval struct {
	Estimate float64 // the statistic on the full sample
	Lo, Hi   float64 // interval bounds
	Level    float64 // nominal coverage, e.g. 0.95
}

// Contains reports whether v lies in [Lo, Hi].
func (iv Interval) Contains(v float64) bool { return v >= iv.Lo && v <= iv.Hi }

// MeanCI is the Student-t confidence interval of the mean,
// mean ± t(n-1, (1+level)/2)·s/√n. It assumes roughly normal sample means,
// which holds for block intervals once n is a few dozen; for small or skewed
// samples prefer Bootstrap. Fewer than two values give NaN bounds.
func MeanCI(x []float64, level float64) Interval {
	iv := Interval{Estimate: Mean(x), Lo: math.NaN(), Hi: math.NaN(), Level: level}
	if len(x) < 2 || !(level > 0 && level < 1) {
		return iv
	}
	n := float64(len(x))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile((1 + level) / 2)
	half := t * StdDev(x) / math.Sqrt(n)
	iv.Lo, iv.Hi = iv.Estimate-half, iv.Estimate+half
	return iv
}
