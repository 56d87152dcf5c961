package calibrate

import (
	"context"
	"testing"
)

// The quick double-spend and stale-rate cases (the selfish-mining and
// propagation ones have their own tests) run the simulator and land within
// their tolerance of the published formula, with a fair number of trials:
// `coinai calibrate --quick` as a test, so that a change that breaks a
// calibration fails `go test ./...`, not only CI's command.
func TestQuickCasesWithinTolerance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the double-spend and stale-rate quick cases")
	}
	groups := map[string]int{"double-spend": 0, "stale-rate": 0}
	for _, c := range Quick() {
		if _, ok := groups[c.Group]; !ok {
			continue
		}
		groups[c.Group]++
		r, err := c.Run(context.Background(), Options{Seed: 1, Jobs: 2})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		t.Logf("%s: published %.6g measured %.6g ± %.2g (trials %d, fair %d)", c.Name, r.Published, r.Measured, r.StdErr, r.Trials, r.FairTrials)
		if r.Informational {
			t.Errorf("%s: a quick case is informational; CI's check would not judge it", c.Name)
			continue
		}
		if !r.Within() {
			t.Errorf("%s: measured %.6g, published %.6g: outside the tolerance %g (relative %v)", c.Name, r.Measured, r.Published, r.Tolerance, r.Relative)
		}
		if r.FairTrials > r.Trials {
			t.Errorf("%s: %d trials, the tolerance needs %d", c.Name, r.Trials, r.FairTrials)
		}
	}
	for g, n := range groups {
		if n == 0 {
			t.Errorf("no quick %s case", g)
		}
	}
}
