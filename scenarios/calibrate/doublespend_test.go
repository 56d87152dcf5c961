package calibrate

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// The formulas reproduce the published tables: Nakamoto's (2008, §11) for
// q = 0.1 and q = 0.3 to its seven decimals, and Rosenfeld's q = 0.3, z = 6
// (about 15.6%).
func TestDoubleSpendFormulas(t *testing.T) {
	tests := []struct {
		name string
		f    func(float64, int) float64
		q    float64
		z    int
		want float64
		tol  float64
	}{
		{"nakamoto", NakamotoProbability, 0.1, 0, 1, 5e-8},
		{"nakamoto", NakamotoProbability, 0.1, 1, 0.2045873, 5e-8},
		{"nakamoto", NakamotoProbability, 0.1, 3, 0.0131722, 5e-8},
		{"nakamoto", NakamotoProbability, 0.1, 5, 0.0009137, 5e-8},
		{"nakamoto", NakamotoProbability, 0.1, 10, 0.0000012, 5e-8},
		{"nakamoto", NakamotoProbability, 0.3, 5, 0.1773523, 5e-8},
		{"nakamoto", NakamotoProbability, 0.3, 10, 0.0416605, 5e-8},
		{"nakamoto", NakamotoProbability, 0.3, 50, 0.0000006, 5e-8},
		{"nakamoto q >= p", NakamotoProbability, 0.5, 6, 1, 0},
		{"rosenfeld", RosenfeldProbability, 0.3, 6, 0.156, 5e-4},
		// Rosenfeld's formula is the negative-binomial race with a
		// pre-mined block: 0.0017818 for q = 0.1, z = 5 (twice Nakamoto's).
		{"rosenfeld", RosenfeldProbability, 0.1, 5, 0.0017818, 5e-8},
		{"rosenfeld z=1", RosenfeldProbability, 0.2, 1, 2 * 0.2, 1e-12}, // 1 − (p − q) = 2q
		{"rosenfeld q >= p", RosenfeldProbability, 0.6, 6, 1, 0},
		// Without the pre-mined block the real race gives much less.
		{"no premine", dsNoPremine, 0.3, 6, 0.0891074, 5e-8},
	}
	for _, tc := range tests {
		if got := tc.f(tc.q, tc.z); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s(q=%g, z=%d) = %.8f, want %.8f ± %g", tc.name, tc.q, tc.z, got, tc.want, tc.tol)
		}
	}
}

// The event-level race, with pow.Race's decisions, has the distribution of
// its model: its success rate over many races is within four standard
// errors of the formula (the calibration checks 10% at full size).
func TestDoubleSpendRace(t *testing.T) {
	tests := []struct {
		model dsModel
		q     float64
		z     int
		want  float64
	}{
		{dsRosenfeld, 0.3, 6, RosenfeldProbability(0.3, 6)},
		{dsRosenfeld, 0.2, 3, RosenfeldProbability(0.2, 3)},
		{dsNakamoto, 0.3, 5, NakamotoProbability(0.3, 5)},
		{dsNakamoto, 0.2, 2, NakamotoProbability(0.2, 2)},
	}
	for _, tc := range tests {
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 40000
		wins := 0
		for range n {
			if dsRace(tc.model, tc.q, tc.z, rng) {
				wins++
			}
		}
		m := float64(wins) / n
		se := math.Sqrt(tc.want * (1 - tc.want) / n)
		if math.Abs(m-tc.want) > 4*se {
			t.Errorf("model %d q=%g z=%d: %d/%d races won = %.4f, formula %.4f (4 SE = %.4f)", tc.model, tc.q, tc.z, wins, n, m, tc.want, 4*se)
		}
	}
}

// A case's result depends on the seed, never on Jobs.
func TestDoubleSpendCaseJobs(t *testing.T) {
	c := dsEventCase(dsRosenfeld, 0.4, 6, false)
	var got []Result
	for _, jobs := range []int{1, 3} {
		r, err := c.Run(context.Background(), Options{Seed: 7, Jobs: jobs})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if got[0] != got[1] {
		t.Errorf("jobs 1: %+v\njobs 3: %+v", got[0], got[1])
	}
	if got[0].Trials < got[0].FairTrials || !got[0].Within() {
		t.Errorf("%d trials (fair %d), measured %g against %g", got[0].Trials, got[0].FairTrials, got[0].Measured, got[0].Published)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Run(ctx, Options{Seed: 7, Jobs: 1}); err == nil {
		t.Error("a cancelled case returned no error")
	}
}

// The registry holds the double-spend and stale-rate cases, the quick
// subset among them.
func TestRegisteredCases(t *testing.T) {
	all := map[string]Case{}
	for _, c := range All() {
		all[c.Name] = c
	}
	for _, name := range []string{"double-spend/nakamoto/q=0.1/z=5", "double-spend/nakamoto/q=0.3/z=5",
		"double-spend/rosenfeld/q=0.3/z=6", "double-spend/rosenfeld/q=0.3/z=6/race", "stale-rate/T=60s/block=535KB"} {
		c, ok := all[name]
		if !ok || !c.Quick {
			t.Errorf("%s: registered %v, quick %v; want a quick case", name, ok, c.Quick)
		}
	}
	for _, name := range []string{"stale-rate/T=600s/block=535KB", "double-spend/rosenfeld/q=0.2/z=6"} {
		if c, ok := all[name]; !ok || c.Quick {
			t.Errorf("%s: registered %v, quick %v; want a full-set case", name, ok, c.Quick)
		}
	}
}
