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
