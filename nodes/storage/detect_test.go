package storage

import (
	"math"
	"testing"
)

func TestSurvivalProbability(t *testing.T) {
	tests := []struct {
		n, kept, c int
		p, e       float64
	}{
		{10, 5, 2, 2.0 / 9, 9.0 / 7},                          // C(5,2)/C(10,2) = 10/45
		{4, 3, 1, 0.75, 4},                                    // one chunk: kept/n
		{100, 90, 10, 0.33047621108672515, 1.493598907998671}, // exact fraction 520058680173/1573664496040
		{1000, 900, 4, 0.6556616662531601, 2.904120459429323}, // 120691649/184076110
		{10, 5, 6, 0, 1},                                      // fewer kept than challenged
		{5, 4, 7, 0, 1},                                       // c capped at n
		{10, 10, 3, 1, math.Inf(1)},                           // honest
		{10, 12, 3, 1, math.Inf(1)},                           // kept clamped
		{10, -1, 1, 0, 1},                                     // kept clamped
		{10, 5, 0, 1, math.Inf(1)},                            // no challenge
		{0, 0, 1, 1, math.Inf(1)},                             // no model
	}
	for _, tc := range tests {
		if got := SurvivalProbability(tc.n, tc.kept, tc.c); math.Abs(got-tc.p) > 1e-12 {
			t.Errorf("SurvivalProbability(%d,%d,%d) = %v, want %v", tc.n, tc.kept, tc.c, got, tc.p)
		}
		got := ExpectedChallenges(tc.n, tc.kept, tc.c)
		if math.IsInf(tc.e, 1) != math.IsInf(got, 1) || (!math.IsInf(got, 1) && math.Abs(got-tc.e) > 1e-9) {
			t.Errorf("ExpectedChallenges(%d,%d,%d) = %v, want %v", tc.n, tc.kept, tc.c, got, tc.e)
		}
	}
	// Fraction form: 90% of 100 chunks.
	if got := SurvivalProbabilityFraction(100, 0.9, 10); math.Abs(got-0.33047621108672515) > 1e-12 {
		t.Errorf("SurvivalProbabilityFraction = %v", got)
	}
	// Without replacement is below the with-replacement bound f^c.
	if p := SurvivalProbability(100, 90, 10); p >= math.Pow(0.9, 10) {
		t.Errorf("hypergeometric %v not below 0.9^10", p)
	}
}

func TestChallengesToCatch(t *testing.T) {
	tests := []struct {
		n, kept, c int
		conf       float64
		want       int
	}{
		{10, 5, 2, 0.99, 4},  // (2/9)^3 = 0.01097 > 0.01 >= (2/9)^4 = 0.00244
		{4, 3, 1, 0.5, 3},    // 0.75^2 = 0.5625, 0.75^3 = 0.4219
		{2, 1, 1, 0.75, 2},   // exactly 1 - 0.5^2 = 0.75
		{2, 1, 1, 0.5, 1},    // exactly 1 - 0.5
		{10, 5, 6, 0.999, 1}, // p = 0: the first challenge catches
		{10, 10, 1, 0.5, -1}, // honest: never caught
		{10, 5, 2, 1, -1},
		{10, 5, 2, 0, -1},
	}
	for _, tc := range tests {
		if got := ChallengesToCatch(tc.n, tc.kept, tc.c, tc.conf); got != tc.want {
			t.Errorf("ChallengesToCatch(%d,%d,%d,%v) = %d, want %d", tc.n, tc.kept, tc.c, tc.conf, got, tc.want)
		}
	}
}
