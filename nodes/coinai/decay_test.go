package coinai

import "testing"

// The threshold decays with the time since the parent so that an
// architecture that cannot reach the threshold does not stall the chain.
func TestThresholdDecay(t *testing.T) {
	cfg := testConfig(t, 0, false)
	cfg.ThresholdWindow = 0 // isolate decay from retargeting
	cfg.ThresholdInitial, cfg.ThresholdMin, cfg.ThresholdDecay = 0.95, 0.90, 0.01
	cfg.TargetInterval = 60e9
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	parent := n.tree.Tip() // genesis at time 0, threshold 0.95
	tests := []struct {
		t    int64
		want uint32
	}{
		{1, 950000},
		{119e9, 950000}, // under two intervals: no decay
		{120e9, 940000}, // two intervals: one step
		{359e9, 930000}, // just under six: two steps
		{480e9, 910000}, // eight: four steps
		{600e9, 900000}, // ten: five steps reach the floor
		{720e9, 900000}, // twelve: a sixth step would go below it
		{1e13, 900000},  // never below the floor
	}
	for _, tc := range tests {
		if got := n.thresholdAt(parent, tc.t); got != tc.want {
			t.Errorf("thresholdAt(genesis, %ds) = %d ppm, want %d", tc.t/1e9, got, tc.want)
		}
	}
	cfg.ThresholdDecay = 0
	n0, _ := New(cfg)
	if got := n0.thresholdAt(n0.tree.Tip(), 1e13); got != 950000 {
		t.Errorf("without decay thresholdAt = %d, want 950000", got)
	}
}
