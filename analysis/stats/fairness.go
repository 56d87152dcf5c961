package stats

import "math"

// Jain is Jain's fairness index (Σx)² / (n·Σx²) of non-negative values:
// 1 when all are equal, 1/n when one holds everything. NaN for no values,
// a negative one, or all zero. Applied to waits it says how evenly a rule
// spreads the waiting: a rule that serves some at once and leaves others
// to their deadline scores low.
func Jain(x []float64) float64 {
	var s, s2 float64
	for _, v := range x {
		if v < 0 || math.IsNaN(v) {
			return math.NaN()
		}
		s += v
		s2 += v * v
	}
	if len(x) == 0 || s2 == 0 {
		return math.NaN()
	}
	return s * s / (float64(len(x)) * s2)
}

// ProblemOutcome is one submitted problem as the fairness figures see
// it: its reward (the fee escrowed), whether it was solved (WaitS:
// submission to the solving block) or refunded (WaitS: submission to the
// refund, i.e. its deadline), or neither (still open at the end).
type ProblemOutcome struct {
	Reward           float64
	Solved, Refunded bool
	WaitS            float64
}

// PickFairness says who waits under a problem-pick rule. The problems are
// split at the median reward of all submitted ones (type 7): the low-fee
// class has reward ≤ median, the high-fee class the rest. Per class: the
// mean and 90th percentile (type 7) of the solved problems' waits and the
// share of the class's problems refunded; over all solved or refunded
// problems, Jain's index of the time each waited for its outcome (a
// refund counts as waiting the whole deadline). NaN where a class or
// the set is empty.
type PickFairness struct {
	WaitMeanLow, WaitMeanHigh       float64
	WaitP90Low, WaitP90High         float64
	RefundShareLow, RefundShareHigh float64
	WaitJain                        float64
}

// MarketFairness computes PickFairness of the problems of a run; the
// simulator's summary and recompute's check both call it, on the problems
// they hold and on problems.csv.
func MarketFairness(ps []ProblemOutcome) PickFairness {
	nan := math.NaN()
	f := PickFairness{nan, nan, nan, nan, nan, nan, nan}
	if len(ps) == 0 {
		return f
	}
	rewards := make([]float64, len(ps))
	for i, p := range ps {
		rewards[i] = p.Reward
	}
	med := Quantile(rewards, 0.5)
	var waits [2][]float64
	var n, refunded [2]float64
	var all []float64
	for _, p := range ps {
		c := 0
		if p.Reward > med {
			c = 1
		}
		n[c]++
		switch {
		case p.Solved:
			waits[c] = append(waits[c], p.WaitS)
			all = append(all, p.WaitS)
		case p.Refunded:
			refunded[c]++
			all = append(all, p.WaitS)
		}
	}
	share := func(c int) float64 {
		if n[c] == 0 {
			return nan
		}
		return refunded[c] / n[c]
	}
	f.WaitMeanLow, f.WaitMeanHigh = Mean(waits[0]), Mean(waits[1])
	f.WaitP90Low, f.WaitP90High = Quantile(waits[0], 0.9), Quantile(waits[1], 0.9)
	f.RefundShareLow, f.RefundShareHigh = share(0), share(1)
	f.WaitJain = Jain(all)
	return f
}
