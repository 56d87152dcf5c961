package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Bootstrap is the percentile bootstrap confidence interval of statistic on
// x: it draws resamples samples of len(x) values with replacement using rng,
// evaluates statistic on each, and returns the (1-level)/2 and (1+level)/2
// quantiles of those values. It makes no normality assumption, which suits
// heavy-tailed quantities such as per-block energy.
//
// rng is the caller's so that the interval is reproducible; reports use a
// fixed seed. statistic receives a scratch slice it may reorder but must not
// retain. Empty x, resamples < 1 or a level outside (0, 1) give NaN bounds.
func Bootstrap(x []float64, statistic func([]float64) float64, resamples int, level float64, rng *rand.Rand) Interval {
	iv := Interval{Estimate: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Level: level}
	if len(x) == 0 {
		return iv
	}
	iv.Estimate = statistic(slices.Clone(x))
	if resamples < 1 || !(level > 0 && level < 1) {
		return iv
	}
	vals := make([]float64, resamples)
	buf := make([]float64, len(x))
	for r := range vals {
		for i := range buf {
			buf[i] = x[rng.IntN(len(x))]
		}
		vals[r] = statistic(buf)
	}
	slices.Sort(vals)
	iv.Lo = sortedQuantile(vals, (1-level)/2)
	iv.Hi = sortedQuantile(vals, (1+level)/2)
	return iv
}

// BootstrapSeed is the fixed seed reports use for bootstrap intervals, so
// that two reports of the same run are byte-identical.
const BootstrapSeed = 0xC0DA1

// NewRand returns the deterministic generator reports use for resampling.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
}

// MeanDiffTest is the outcome of BootstrapMeanDiff.
type MeanDiffTest struct {
	Diff   float64  // mean(x) - mean(y)
	T      float64  // Welch's statistic (x̄ - ȳ)/√(sx²/n + sy²/m)
	PValue float64  // two-sided bootstrap p-value of equal means
	CI     Interval // percentile bootstrap interval of mean(x) - mean(y)
	N, M   int      // sample sizes
}

// BootstrapMeanDiff tests whether x and y have equal means without
// assuming normal values, which Welch's t does for small samples: the
// studentized bootstrap test of Efron & Tibshirani (An Introduction to the
// Bootstrap, 1993, Algorithm 16.2). Each of resamples rounds draws len(x)
// values of x and len(y) of y with replacement (rng; x first), and
// computes t* = ((x̄* - x̄) - (ȳ* - ȳ)) / √(sx*²/n + sy*²/m), which is
// Welch's statistic of the resamples after shifting both samples to a
// common mean (so that the null hypothesis holds and each keeps its own
// spread). The p-value is (1+k)/(1+R), k the rounds with |t*| ≥ |t|, as
// for a Monte Carlo test, so it is never 0. A round whose resamples both
// lack spread (their standard error below 1e-9 of the samples', i.e.
// rounding) has t* = 0 when its shifts are equal and ±Inf otherwise.
// The same rounds give the percentile interval of x̄* - ȳ* at level.
//
// Samples of fewer than two values, or two samples without spread (t is
// undefined, as in WelchT), give a NaN p-value; the interval is then NaN
// too unless both samples have values.
func BootstrapMeanDiff(x, y []float64, resamples int, level float64, rng *rand.Rand) MeanDiffTest {
	nan := math.NaN()
	r := MeanDiffTest{Diff: nan, T: nan, PValue: nan, CI: Interval{Estimate: nan, Lo: nan, Hi: nan, Level: level}, N: len(x), M: len(y)}
	if len(x) == 0 || len(y) == 0 || hasNaN(x) || hasNaN(y) {
		return r
	}
	mx, my := Mean(x), Mean(y)
	r.Diff, r.CI.Estimate = mx-my, mx-my
	if len(x) < 2 || len(y) < 2 || resamples < 1 || !(level > 0 && level < 1) {
		return r
	}
	n, m := float64(len(x)), float64(len(y))
	se := math.Sqrt(StdDev(x)*StdDev(x)/n + StdDev(y)*StdDev(y)/m)
	if se == 0 {
		return r
	}
	r.T = r.Diff / se
	tObs := math.Abs(r.T) * (1 - 1e-12) // equal statistics count as reached
	tol := 1e-12 * (math.Abs(mx) + math.Abs(my))
	diffs := make([]float64, resamples)
	bx, by := make([]float64, len(x)), make([]float64, len(y))
	hits := 0
	for i := range diffs {
		for j := range bx {
			bx[j] = x[rng.IntN(len(x))]
		}
		for j := range by {
			by[j] = y[rng.IntN(len(y))]
		}
		ax, ay := Mean(bx), Mean(by)
		diffs[i] = ax - ay
		num := (ax - mx) - (ay - my)
		s := math.Sqrt(variance(bx)/n + variance(by)/m)
		var t float64
		switch {
		case s > 1e-9*se: // below: no spread but rounding
			t = num / s
		case math.Abs(num) > tol:
			t = math.Inf(1)
		}
		if math.Abs(t) >= tObs {
			hits++
		}
	}
	r.PValue = float64(1+hits) / float64(1+resamples)
	slices.Sort(diffs)
	r.CI.Lo = sortedQuantile(diffs, (1-level)/2)
	r.CI.Hi = sortedQuantile(diffs, (1+level)/2)
	return r
}

// variance is the sample variance (n-1) of at least two values.
func variance(x []float64) float64 {
	s := StdDev(x)
	return s * s
}
