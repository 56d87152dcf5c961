package storage

import "math"

// SurvivalProbability is the probability that a holder that kept only kept
// of the n chunks of a model answers a challenge of c distinct chunks drawn
// uniformly (as Challenge draws them): the hypergeometric C(kept, c)/C(n, c)
// = prod_{i<c} (kept-i)/(n-i). c is capped at n as in Challenge; kept is
// clamped to [0, n]. It is below (kept/n)^c, the with-replacement bound.
func SurvivalProbability(n, kept, c int) float64 {
	if n <= 0 || c <= 0 {
		return 1
	}
	kept = max(0, min(kept, n))
	c = min(c, n)
	p := 1.0
	for i := range c {
		p *= float64(kept-i) / float64(n-i)
		if p == 0 {
			break
		}
	}
	return p
}

// SurvivalProbabilityFraction is SurvivalProbability for a holder that kept
// the fraction f of the chunks, rounded down to whole chunks.
func SurvivalProbabilityFraction(n int, f float64, c int) float64 {
	return SurvivalProbability(n, int(math.Floor(f*float64(n))), c)
}

// ExpectedChallenges is the expected number of independent challenges, the
// catching one included, until a holder that kept only kept of n chunks
// fails one: the mean 1/(1-p) of a geometric distribution with success
// probability 1-p, p = SurvivalProbability(n, kept, c). It is +Inf for a
// holder that is never caught (it kept everything, or c = 0).
func ExpectedChallenges(n, kept, c int) float64 {
	p := SurvivalProbability(n, kept, c)
	if p >= 1 {
		return math.Inf(1)
	}
	return 1 / (1 - p)
}

// ChallengesToCatch is the smallest number t of independent challenges after
// which such a holder has been caught with probability at least confidence:
// 1 - p^t >= confidence. It returns 1 when p = 0, and -1 when the holder is
// never caught or confidence is not in (0, 1).
func ChallengesToCatch(n, kept, c int, confidence float64) int {
	p := SurvivalProbability(n, kept, c)
	switch {
	case !(confidence > 0 && confidence < 1) || p >= 1:
		return -1
	case p == 0:
		return 1
	}
	t := max(1, int(math.Ceil(math.Log(1-confidence)/math.Log(p))))
	// Guard the float rounding of the logarithms on both sides.
	for t > 1 && 1-math.Pow(p, float64(t-1)) >= confidence {
		t--
	}
	for 1-math.Pow(p, float64(t)) < confidence {
		t++
	}
	return t
}
