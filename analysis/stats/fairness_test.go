package stats

import (
	"math"
	"testing"
)

func TestJain(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{5, 5, 5, 5}, 1},
		{[]float64{1, 0, 0, 0}, 0.25},
		{[]float64{1, 3}, 16.0 / 20},
		{nil, math.NaN()},
		{[]float64{0, 0}, math.NaN()},
		{[]float64{1, -1}, math.NaN()},
	} {
		got := Jain(tc.x)
		if !(math.Abs(got-tc.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Jain(%v) = %g, want %g", tc.x, got, tc.want)
		}
	}
}

// Rewards 1..6 split at the median 3.5: 1, 2, 3 are low-fee, 4, 5, 6
// high-fee.
func TestMarketFairness(t *testing.T) {
	ps := []ProblemOutcome{
		{Reward: 1, Refunded: true, WaitS: 900},
		{Reward: 2, Solved: true, WaitS: 100},
		{Reward: 3, Solved: true, WaitS: 300},
		{Reward: 4, Solved: true, WaitS: 10},
		{Reward: 5, Solved: true, WaitS: 30},
		{Reward: 6, WaitS: math.NaN()}, // still open: in its class's count only
	}
	f := MarketFairness(ps)
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"wait mean low", f.WaitMeanLow, 200},
		{"wait mean high", f.WaitMeanHigh, 20},
		{"wait p90 low", f.WaitP90Low, 280},
		{"wait p90 high", f.WaitP90High, 28},
		{"refund share low", f.RefundShareLow, 1.0 / 3},
		{"refund share high", f.RefundShareHigh, 0},
		// Jain over 900, 100, 300, 10, 30: 1340² / (5 · 911000).
		{"jain", f.WaitJain, 1340.0 * 1340 / (5 * 911000)},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %g, want %g", tc.name, tc.got, tc.want)
		}
	}
	// One reward for all: every problem is low-fee, the high class empty.
	f = MarketFairness([]ProblemOutcome{{Reward: 2, Solved: true, WaitS: 5}, {Reward: 2, Solved: true, WaitS: 7}})
	if f.WaitMeanLow != 6 || !math.IsNaN(f.WaitMeanHigh) || !math.IsNaN(f.RefundShareHigh) || f.RefundShareLow != 0 {
		t.Errorf("equal rewards: %+v", f)
	}
	if f = MarketFairness(nil); !math.IsNaN(f.WaitJain) || !math.IsNaN(f.WaitMeanLow) {
		t.Errorf("no problems: %+v, want NaN", f)
	}
}
