package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// KSResult is the outcome of a Kolmogorov–Smirnov test.
type KSResult struct {
	D      float64 // largest distance between the two distribution functions
	PValue float64 // asymptotic probability of a distance at least D under H0
	N, M   int     // sample sizes (M is 0 for the one-sample test)
}

// KSTwoSample tests whether x and y come from the same continuous
// distribution. D is gonum's stat.KolmogorovSmirnov; the p-value uses the
// asymptotic Kolmogorov distribution with the small-sample correction of
// Stephens (1970) as given in Numerical Recipes §14.3:
// p = Q_KS((√Ne + 0.12 + 0.11/√Ne)·D), Ne = nm/(n+m).
// The approximation is good for Ne ≥ 4. Empty samples give NaN.
func KSTwoSample(x, y []float64) KSResult {
	r := KSResult{D: math.NaN(), PValue: math.NaN(), N: len(x), M: len(y)}
	if len(x) == 0 || len(y) == 0 || hasNaN(x) || hasNaN(y) {
		return r
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.Sort(xs)
	slices.Sort(ys)
	r.D = stat.KolmogorovSmirnov(xs, nil, ys, nil)
	ne := float64(len(x)) * float64(len(y)) / float64(len(x)+len(y))
	r.PValue = KolmogorovQ((math.Sqrt(ne) + 0.12 + 0.11/math.Sqrt(ne)) * r.D)
	return r
}

// KSOneSample tests x against the continuous distribution function cdf:
// D = max_i max(i/n - F(x_(i)), F(x_(i)) - (i-1)/n), with the same asymptotic
// p-value as KSTwoSample using Ne = n. When the parameters of cdf were fitted
// to x (as in ExpFit) the p-value is conservative: a small p-value still
// rejects, a large one is weaker evidence than it looks (Lilliefors 1969).
func KSOneSample(x []float64, cdf func(float64) float64) KSResult {
	r := KSResult{D: math.NaN(), PValue: math.NaN(), N: len(x)}
	if len(x) == 0 || hasNaN(x) {
		return r
	}
	s := slices.Clone(x)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, v := range s {
		f := cdf(v)
		d = math.Max(d, math.Max(float64(i+1)/n-f, f-float64(i)/n))
	}
	r.D = d
	r.PValue = KolmogorovQ((math.Sqrt(n) + 0.12 + 0.11/math.Sqrt(n)) * d)
	return r
}

// KolmogorovQ is the survival function of the Kolmogorov distribution,
// Q(λ) = 2 Σ_{j≥1} (-1)^{j-1} exp(-2 j² λ²), with Q(0) = 1.
// Q(1.358) ≈ 0.05 is the familiar 5% critical value.
func KolmogorovQ(lambda float64) float64 {
	if math.IsNaN(lambda) {
		return math.NaN()
	}
	if lambda < 0.2 { // series converges slowly; Q is 1 to double precision here
		return 1
	}
	var sum float64
	sign := 1.0
	for j := 1; j <= 100; j++ {
		term := sign * 2 * math.Exp(-2*float64(j*j)*lambda*lambda)
		sum += term
		if math.Abs(term) <= 1e-12*math.Abs(sum) || math.Abs(term) <= 1e-300 {
			break
		}
		sign = -sign
	}
	return math.Min(1, math.Max(0, sum))
}

// ExpFit is the maximum-likelihood fit of an exponential distribution, the
// law of block intervals when mining is memoryless (PoW; Coin.AI only if
// training time per attempt is itself memoryless, which the fit tests).
type ExpFit struct {
	Rate   float64  // λ̂ = n / Σx, per unit of x
	StdErr float64  // asymptotic standard error λ̂/√n
	N      int      // sample size
	GOF    KSResult // KS goodness of fit against Exp(λ̂); p-value conservative
}

// FitExponential fits Exp(λ) to the non-negative sample x by maximum
// likelihood. Non-positive sums or empty input give NaN fields.
func FitExponential(x []float64) ExpFit {
	f := ExpFit{Rate: math.NaN(), StdErr: math.NaN(), N: len(x),
		GOF: KSResult{D: math.NaN(), PValue: math.NaN(), N: len(x)}}
	if len(x) == 0 {
		return f
	}
	var sum float64
	for _, v := range x {
		if v < 0 || math.IsNaN(v) {
			return f
		}
		sum += v
	}
	if sum <= 0 || math.IsInf(sum, 0) {
		return f
	}
	f.Rate = float64(len(x)) / sum
	f.StdErr = f.Rate / math.Sqrt(float64(len(x)))
	f.GOF = KSOneSample(x, f.CDF)
	return f
}

// CDF is the fitted distribution function 1 - exp(-λx) (0 for x < 0).
func (f ExpFit) CDF(x float64) float64 {
	if x < 0 {
		return 0
	}
	return -math.Expm1(-f.Rate * x)
}

// PDF is the fitted density λ exp(-λx) (0 for x < 0).
func (f ExpFit) PDF(x float64) float64 {
	if x < 0 {
		return 0
	}
	return f.Rate * math.Exp(-f.Rate*x)
}

// Quantile is the fitted inverse distribution function -ln(1-p)/λ.
func (f ExpFit) Quantile(p float64) float64 { return -math.Log1p(-p) / f.Rate }

// QQ returns quantile–quantile points of the sample x against quantile:
// X is quantile((i-0.5)/n) (Hazen plotting positions, which avoid the
// infinite last quantile) and Y the i-th smallest value. Points on the
// diagonal mean the sample follows the reference distribution.
func QQ(x []float64, quantile func(p float64) float64) []Point {
	if len(x) == 0 {
		return nil
	}
	s := slices.Clone(x)
	slices.Sort(s)
	pts := make([]Point, len(s))
	n := float64(len(s))
	for i, v := range s {
		pts[i] = Point{quantile((float64(i) + 0.5) / n), v}
	}
	return pts
}

// ECDF returns the steps of the empirical distribution function of x: for
// each sorted value v_(i), the point (v_(i), i/n). Drawn as a step line it is
// the CDF figures use for propagation times.
func ECDF(x []float64) []Point {
	s := slices.Clone(x)
	slices.Sort(s)
	pts := make([]Point, len(s))
	for i, v := range s {
		pts[i] = Point{v, float64(i+1) / float64(len(s))}
	}
	return pts
}

func hasNaN(x []float64) bool { return slices.ContainsFunc(x, math.IsNaN) }
