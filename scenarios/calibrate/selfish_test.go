package calibrate

import (
	"context"
	"math"
	"testing"
)

// The closed form at points that can be checked by hand: at α = 1/3 and
// γ = 0 the pool earns exactly its share (the threshold); at γ = 1/2 the
// threshold is 1/4; a pool of nothing earns nothing; at α = 1/2 ... the
// numerator and denominator are evaluated exactly (hand values below).
func TestSelfishRevenueClosedForm(t *testing.T) {
	tests := []struct {
		name         string
		alpha, gamma float64
		want         float64
	}{
		{"alpha=0", 0, 0.5, 0},
		{"threshold gamma=0", 1.0 / 3, 0, 1.0 / 3},
		{"threshold gamma=0.5", 0.25, 0.5, 0.25},
		{"threshold gamma=1 is 0", 1e-9, 1, 1e-9},
		// α = 0.25, γ = 0: numerator 0.25·0.5625·1 − 0.015625 = 0.125,
		// denominator 1 − 0.25·(1 + 1.75·0.25) = 0.640625.
		{"alpha=0.25 gamma=0", 0.25, 0, 0.125 / 0.640625},
		// α = 0.4, γ = 0.5: numerator 0.4·0.36·(1.6 + 0.1) − 0.064 =
		// 0.1808, denominator 1 − 0.4·(1 + 1.6·0.4) = 0.344.
		{"alpha=0.4 gamma=0.5", 0.4, 0.5, 0.1808 / 0.344},
		// α = 1/2: numerator ½·¼·2 − ⅛ = ⅛, denominator 1 − ½·(1 + ¾) = ⅛.
		{"alpha=0.5", 0.5, 0, 1},
	}
	for _, tc := range tests {
		if got := SelfishRevenue(tc.alpha, tc.gamma); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: SelfishRevenue(%g, %g) = %.15g, want %.15g", tc.name, tc.alpha, tc.gamma, got, tc.want)
		}
	}
	for _, tc := range []struct{ gamma, want float64 }{{0, 1.0 / 3}, {0.5, 0.25}, {1, 0}} {
		if got := SelfishThreshold(tc.gamma); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("SelfishThreshold(%g) = %g, want %g", tc.gamma, got, tc.want)
		}
		// The threshold is where R(α) = α, and R < α below it.
		if tc.gamma < 1 {
			a := SelfishThreshold(tc.gamma)
			if r := SelfishRevenue(a, tc.gamma); math.Abs(r-a) > 1e-12 {
				t.Errorf("gamma=%g: R(threshold %g) = %g, want the threshold", tc.gamma, a, r)
			}
			if r := SelfishRevenue(a-0.05, tc.gamma); r >= a-0.05 {
				t.Errorf("gamma=%g: R(%g) = %g, want below alpha", tc.gamma, a-0.05, r)
			}
			if r := SelfishRevenue(a+0.05, tc.gamma); r <= a+0.05 {
				t.Errorf("gamma=%g: R(%g) = %g, want above alpha", tc.gamma, a+0.05, r)
			}
		}
	}
}

// The threshold case's interpolation between the closed form's values
// ±0.04 around the threshold must itself be far inside the tolerance, or
// the case would measure its own bias.
func TestSelfishThresholdInterpolationBias(t *testing.T) {
	for _, g := range selfishGammas {
		thr := SelfishThreshold(g)
		x := closedFormCrossing(thr-selfishThresholdSpan, thr+selfishThresholdSpan, g)
		if math.Abs(x-thr) > selfishTolerance/10 {
			t.Errorf("gamma=%g: interpolated crossing %.4f, threshold %.4f: bias above a tenth of the tolerance", g, x, thr)
		}
	}
}

// The quick selfish-mining cases run the simulator and land within the
// tolerance of the closed form, with a fair number of trials.
func TestSelfishQuickCases(t *testing.T) {
	var cases []Case
	for _, c := range Quick() {
		if c.Group == "selfish-mining" {
			cases = append(cases, c)
		}
	}
	if len(cases) < 3 {
		t.Fatalf("%d quick selfish-mining cases, want at least 3", len(cases))
	}
	for _, c := range cases {
		r, err := c.Run(context.Background(), Options{Seed: 1, Jobs: 2})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		t.Logf("%s: published %.4f measured %.4f ± %.4f (trials %d, fair %d) %s", c.Name, r.Published, r.Measured, r.StdErr, r.Trials, r.FairTrials, r.Note)
		if !r.Within() {
			t.Errorf("%s: measured %.4f, published %.4f: outside ±%g", c.Name, r.Measured, r.Published, r.Tolerance)
		}
		if r.FairTrials > r.Trials {
			t.Errorf("%s: %d trials, the tolerance needs %d", c.Name, r.Trials, r.FairTrials)
		}
	}
}

// A cancelled calibration returns the context's error.
func TestSelfishCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := runSelfishRevenue(ctx, Options{Seed: 1}, 0.3, 0, 4000); err != context.Canceled {
		t.Errorf("err %v, want context.Canceled", err)
	}
}
